/**
 * The proxy's HTTP/1.1 framing: strict parsing of request and response
 * heads, and an incremental chunked-body decoder. Strict on purpose: a proxy
 * that reads a message's length differently from its peers can be used to
 * smuggle requests past it, so anything ambiguous (duplicate or malformed
 * lengths, obfuscated codings, folded or oddly spaced headers, bare CR or LF)
 * is refused rather than guessed at. Pure: bytes in, data out.
 */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A header as it arrived: its name in lower case, its value trimmed. */
export type HeaderField = readonly [name: string, value: string];

export interface RequestHead {
  method: string;
  /** Origin-form: starts with '/', query included. */
  target: string;
  headers: HeaderField[];
  /** The body's framing: a byte count, or chunked. */
  body: { kind: 'length'; length: number } | { kind: 'chunked' };
  /** The client asked to close the connection after this exchange. */
  close: boolean;
  expectContinue: boolean;
  /** Headers not to pass on: the connection-level ones and those the Connection header names. */
  hopByHop: ReadonlySet<string>;
}

export interface ResponseHead {
  status: number;
  reason: string;
  headers: HeaderField[];
  /** Content-Length, or null when the head does not give one. */
  length: number | null;
  chunked: boolean;
  /** The upstream will close the connection after this response. */
  close: boolean;
  hopByHop: ReadonlySet<string>;
}

const CR = 13;
const LF = 10;

/** Characters allowed in a token (RFC 9110 section 5.6.2): method and header names; 2 marks an upper-case letter. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") TCHAR[c.charCodeAt(0)] = 1;
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') TCHAR[c.charCodeAt(0)] = 2;

function isToken(text: string, start: number, end: number): boolean {
  return tokenKind(text, start, end) !== 0;
}

/** 0: not a token; 1: a token in lower case; 2: a token with upper-case letters. One pass for both questions. */
function tokenKind(text: string, start: number, end: number): number {
  if (end <= start) return 0;
  let kind = 1;
  for (let i = start; i < end; i++) {
    const c = TCHAR[text.charCodeAt(i)];
    if (c === 1) continue;
    if (c !== 2) return 0; // also out of the table (undefined): not ASCII
    kind = 2;
  }
  return kind;
}

/** A request target in origin-form: '/' then visible ASCII only (no space, control or raw non-ASCII byte). */
function isOriginForm(text: string): boolean {
  if (text.charCodeAt(0) !== 0x2f) return false;
  for (let i = 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || code >= 0x7f) return false;
  }
  return true;
}

const DIGITS = /^\d{1,15}$/;

/**
 * The offset of the blank line that ends a head, or -1 while it is
 * incomplete. A loop over the bytes rather than Buffer.indexOf with a string:
 * that converts its needle on every call, and this runs on every message
 * before anything else can (bench/proxy/README.md).
 */
export function headEnd(buffer: Buffer): number {
  for (let i = 3; i < buffer.length; i++) {
    if (buffer[i] !== LF) continue;
    if (buffer[i - 1] === CR && buffer[i - 2] === LF && buffer[i - 3] === CR) return i - 3;
  }
  return -1;
}

/** What a head's header lines say, read in one pass. */
interface Fields {
  headers: HeaderField[];
  hosts: number;
  lengths: string[];
  codings: string[];
  expects: string[];
  /** The Connection header's tokens, in lower case. */
  connection: string[];
}

/**
 * Reads header lines from `from` (just past a line's CRLF) to the end of the
 * head. Refused: a name that is not a token (so a space before the colon, or
 * a folded line), a value holding a control character (so a bare CR or LF).
 */
function readFields(head: string, from: number, fail: (message: string) => never): Fields {
  const fields: Fields = { headers: [], hosts: 0, lengths: [], codings: [], expects: [], connection: [] };
  let start = from;
  while (start < head.length) {
    let end = head.indexOf('\r\n', start);
    if (end < 0) end = head.length;
    const colon = head.indexOf(':', start);
    const kind = colon < 0 || colon > end ? 0 : tokenKind(head, start, colon);
    if (kind === 0) fail('malformed header line');
    let valueStart = colon + 1;
    let valueEnd = end;
    while (valueStart < valueEnd && isSpace(head.charCodeAt(valueStart))) valueStart++;
    while (valueEnd > valueStart && isSpace(head.charCodeAt(valueEnd - 1))) valueEnd--;
    for (let i = valueStart; i < valueEnd; i++) {
      const code = head.charCodeAt(i);
      if ((code < 0x20 && code !== 0x09) || code === 0x7f) fail('control character in a header value');
    }
    // Most agents and upstreams send names in lower case already: no new string for those.
    const name = kind === 1 ? head.slice(start, colon) : head.slice(start, colon).toLowerCase();
    const value = head.slice(valueStart, valueEnd);
    fields.headers.push([name, value]);
    if (name === 'host') fields.hosts++;
    else if (name === 'content-length') fields.lengths.push(value);
    else if (name === 'transfer-encoding') fields.codings.push(value);
    else if (name === 'expect') fields.expects.push(value);
    else if (name === 'connection') for (const token of value.toLowerCase().split(',')) fields.connection.push(token.trim());
    start = end + 2;
  }
  return fields;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** Headers that describe one connection and are not passed on (RFC 9110 section 7.6.1). */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'upgrade',
  'proxy-authorization',
]);

/** The hop-by-hop headers plus those the Connection header names. */
function hopByHop(tokens: string[]): ReadonlySet<string> {
  if (tokens.length === 0) return HOP_BY_HOP;
  const named = tokens.filter((t) => isToken(t, 0, t.length) && !HOP_BY_HOP.has(t) && t !== 'close');
  return named.length ? new Set([...HOP_BY_HOP, ...named]) : HOP_BY_HOP;
}

/** Parses a request head (without its closing blank line). Throws HttpError. */
export function parseRequestHead(head: string): RequestHead {
  const fail = (message: string): never => {
    throw new HttpError(400, message);
  };
  let lineEnd = head.indexOf('\r\n');
  if (lineEnd < 0) lineEnd = head.length;
  const firstSpace = head.indexOf(' ');
  const secondSpace = firstSpace < 0 ? -1 : head.indexOf(' ', firstSpace + 1);
  const version = secondSpace < 0 || secondSpace > lineEnd ? '' : head.slice(secondSpace + 1, lineEnd);
  if (version !== 'HTTP/1.1' && version.startsWith('HTTP/') && isDigit(version.charCodeAt(5)))
    throw new HttpError(505, 'only HTTP/1.1 is spoken here');
  const method = head.slice(0, Math.max(firstSpace, 0));
  const target = version ? head.slice(firstSpace + 1, secondSpace) : '';
  if (version !== 'HTTP/1.1' || !isToken(method, 0, method.length) || !isOriginForm(target))
    fail('malformed request line (the proxy takes paths like /anthropic/v1/messages)');
  const fields = readFields(head, lineEnd + 2, fail);
  if (fields.hosts > 1) fail('duplicate host header');
  if (fields.lengths.length > 1) fail('duplicate content-length header');
  if (fields.codings.length > 1) fail('duplicate transfer-encoding header');
  const [length] = fields.lengths;
  const [coding] = fields.codings;
  if (length !== undefined && coding !== undefined) fail('both Content-Length and Transfer-Encoding');
  if (coding !== undefined && coding.toLowerCase() !== 'chunked') fail('unsupported Transfer-Encoding');
  if (length !== undefined && !DIGITS.test(length)) fail('malformed Content-Length');
  if (fields.expects.length > 1) fail('duplicate expect header');
  const [expect] = fields.expects;
  if (expect !== undefined && expect.toLowerCase() !== '100-continue') throw new HttpError(417, 'unsupported Expect');
  return {
    method,
    target,
    headers: fields.headers,
    body: coding !== undefined ? { kind: 'chunked' } : { kind: 'length', length: Number(length ?? 0) },
    close: fields.connection.includes('close'),
    expectContinue: expect !== undefined,
    hopByHop: hopByHop(fields.connection),
  };
}

/**
 * Reads `HTTP/1.<0|1> <3 digits>[ <reason>]`, the reason of tabs and visible
 * or non-ASCII bytes; null otherwise. By hand rather than by a regular
 * expression: it runs once per response, and was the costliest step of
 * reading one (bench/proxy/README.md).
 */
function statusLine(line: string): { minor: number; status: number; reason: string } | null {
  if (line.length < 12 || !line.startsWith('HTTP/1.') || line.charCodeAt(8) !== 0x20) return null;
  const minor = line.charCodeAt(7) - 0x30;
  if (minor !== 0 && minor !== 1) return null;
  let status = 0;
  for (let i = 9; i < 12; i++) {
    const digit = line.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return null;
    status = status * 10 + digit;
  }
  if (line.length === 12) return { minor, status, reason: '' };
  if (line.charCodeAt(12) !== 0x20) return null;
  for (let i = 13; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code !== 0x09 && (code < 0x20 || code === 0x7f || code > 0xff)) return null;
  }
  return { minor, status, reason: line.slice(13) };
}

/** Parses an upstream's response head (without its closing blank line). Throws HttpError (502). */
export function parseResponseHead(head: string): ResponseHead {
  const fail = (message: string): never => {
    throw new HttpError(502, `the upstream sent a malformed response (${message})`);
  };
  let lineEnd = head.indexOf('\r\n');
  if (lineEnd < 0) lineEnd = head.length;
  const line = statusLine(head.slice(0, lineEnd));
  if (!line) return fail('status line');
  const { minor, status, reason } = line;
  const fields = readFields(head, lineEnd + 2, fail);
  if (fields.lengths.length > 1 && new Set(fields.lengths).size > 1) fail('conflicting Content-Length');
  const [length] = fields.lengths;
  if (length !== undefined && !DIGITS.test(length)) fail('Content-Length');
  const codings = fields.codings.length ? fields.codings.flatMap((v) => v.toLowerCase().split(',')) : [];
  const chunked = codings.length > 0;
  // Chunked must be the last coding, or the length is only known at close; refuse the latter ambiguity.
  if (chunked && codings.at(-1)?.trim() !== 'chunked') fail('Transfer-Encoding');
  // Both framings at once is how responses are smuggled: the proxy and the client could disagree on the end.
  if (chunked && length !== undefined) fail('both Transfer-Encoding and Content-Length');
  const tokens = fields.connection;
  return {
    status,
    reason,
    headers: fields.headers,
    length: chunked || length === undefined ? null : Number(length),
    chunked,
    close: tokens.includes('close') || (minor === 0 && !tokens.includes('keep-alive')),
    hopByHop: hopByHop(tokens),
  };
}

/** Whether a response to `method` with `status` has no body whatever its headers say. */
export function responseHasNoBody(method: string, status: number): boolean {
  return method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
}

enum State {
  Size,
  SizeSpace,
  Extension,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  TrailerLine,
  TrailerLf,
  Done,
}

const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}

/**
 * Follows a chunked body byte by byte. `push` consumes bytes up to the end of
 * the body (the rest belongs to the next message) and hands each chunk's data
 * to `onData`. Chunk extensions and trailers are checked and skipped.
 */
export class ChunkedDecoder {
  private state = State.Size;
  private size = 0;
  private digits = 0;
  private remaining = 0;
  private lineBytes = 0;
  private sawTrailerByte = false;

  constructor(
    private readonly status = 400,
    private readonly maxLineBytes = 4096,
  ) {}

  get done(): boolean {
    return this.state === State.Done;
  }

  /** Returns how many bytes of `data` belong to this body. Throws HttpError on bad framing. */
  push(data: Buffer, onData?: (chunk: Buffer) => void): number {
    let i = 0;
    while (i < data.length && this.state !== State.Done) {
      if (this.state === State.Data) {
        const take = Math.min(this.remaining, data.length - i);
        onData?.(data.subarray(i, i + take));
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = State.DataCr;
        continue;
      }
      const byte = data[i++] as number;
      switch (this.state) {
        case State.Size: {
          const value = HEX[byte] as number;
          if (value >= 0) {
            if (++this.digits > 12) this.fail('chunk size too large');
            this.size = this.size * 16 + value;
          } else if (this.digits === 0) this.fail('malformed chunk size');
          else if (byte === CR) this.state = State.SizeLf;
          else if (byte === 0x3b) this.extension();
          else if (byte === 0x20 || byte === 0x09) this.state = State.SizeSpace;
          else this.fail('malformed chunk size');
          break;
        }
        case State.SizeSpace:
          if (byte === 0x3b) this.extension();
          else if (byte !== 0x20 && byte !== 0x09) this.fail('malformed chunk extension');
          break;
        case State.Extension:
          if (byte === CR) this.state = State.SizeLf;
          else if ((byte < 0x20 && byte !== 0x09) || byte === 0x7f || ++this.lineBytes > this.maxLineBytes)
            this.fail('malformed chunk extension');
          break;
        case State.SizeLf:
          if (byte !== LF) this.fail('bare CR in chunk framing');
          if (this.size === 0) {
            this.state = State.TrailerLine;
            this.lineBytes = 0;
            this.sawTrailerByte = false;
          } else {
            this.remaining = this.size;
            this.state = State.Data;
          }
          break;
        case State.DataCr:
          if (byte !== CR) this.fail('chunk longer than its size');
          this.state = State.DataLf;
          break;
        case State.DataLf:
          if (byte !== LF) this.fail('bare CR in chunk framing');
          this.state = State.Size;
          this.size = 0;
          this.digits = 0;
          break;
        case State.TrailerLine:
          if (byte === CR) this.state = State.TrailerLf;
          else if (byte === LF || ++this.lineBytes > this.maxLineBytes) this.fail('malformed trailer');
          else this.sawTrailerByte = true;
          break;
        case State.TrailerLf:
          if (byte !== LF) this.fail('bare CR in trailer');
          if (!this.sawTrailerByte) this.state = State.Done;
          else {
            this.state = State.TrailerLine;
            this.sawTrailerByte = false;
          }
          break;
      }
    }
    return i;
  }

  private extension(): void {
    this.state = State.Extension;
    this.lineBytes = 0;
  }

  private fail(message: string): never {
    throw new HttpError(this.status, this.status === 502 ? `the upstream sent a malformed response (${message})` : message);
  }
}
