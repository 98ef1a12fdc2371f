/**
 * Keeps the injected key out of what goes back to the client, as it
 * streams: an upstream that echoes request headers (in a response header or
 * an error body) must not hand the agent the key it was never to hold.
 * Every occurrence is overwritten byte for byte with `*`, so lengths and
 * framing stay as the upstream sent them. Nothing is buffered, except the
 * few bytes at the end of a piece that could be the start of the key, held
 * until the next piece says whether they are.
 */
const MASK = 0x2a; // '*'
const EMPTY = Buffer.alloc(0);

/** The bytes to look for, worked out once per key (not per response): keys as they travel, none too short to mean anything. */
export function scrubbed(secrets: readonly string[]): Buffer[] {
  return secrets.filter((s) => s.length >= 8).map((s) => Buffer.from(s, 'latin1'));
}

/**
 * Where `secret` next occurs in `data` from `from`, or -1. A short piece (a
 * JSON answer, an event) is searched here in JavaScript: a call into
 * Buffer.indexOf costs more than the search itself on every answer (bench/proxy/README.md).
 */
function find(data: Buffer, secret: Buffer, from: number): number {
  if (data.length > 2048) return data.indexOf(secret, from);
  const first = secret[0];
  for (let at = from; at <= data.length - secret.length; at++)
    if (data[at] === first && agreeing(data, at, secret) === secret.length) return at;
  return -1;
}

/** How many bytes of `data` from `at` agree with the start of `secret` (up to the end of either). */
function agreeing(data: Buffer, at: number, secret: Buffer): number {
  let i = 0;
  while (at + i < data.length && i < secret.length && data[at + i] === secret[i]) i++;
  return i;
}

/** One response's scrubber: what it holds back belongs to that response. */
export class SecretScrubber {
  private held: Buffer = EMPTY;

  constructor(private readonly secrets: readonly Buffer[]) {}

  /** What may be sent now of `bytes` (after what was held), with every whole occurrence masked. */
  push(bytes: Buffer): Buffer {
    const data = this.held.length ? Buffer.concat([this.held, bytes]) : bytes;
    this.held = EMPTY;
    for (const secret of this.secrets) {
      for (let at = find(data, secret, 0); at >= 0; at = find(data, secret, at + secret.length))
        data.fill(MASK, at, at + secret.length);
    }
    const keep = this.partialTail(data);
    if (keep === 0) return data;
    this.held = Buffer.from(data.subarray(data.length - keep));
    return data.subarray(0, data.length - keep);
  }

  /** What is still held, at the end of the response: it was not the key after all. */
  flush(): Buffer {
    const held = this.held;
    this.held = EMPTY;
    return held;
  }

  /**
   * The length of the longest tail of `data` that is a proper prefix of a
   * secret. Compared byte by byte where it lies: it runs on every piece of
   * every answer, before the piece can go to the client.
   */
  private partialTail(data: Buffer): number {
    let keep = 0;
    const end = data.length;
    for (const secret of this.secrets) {
      // Longest first: the first tail that matches is the longest for this secret.
      for (let at = Math.max(0, end - secret.length + 1); at < end - keep; at++) {
        if (data[at] === secret[0] && at + agreeing(data, at, secret) === end) {
          keep = end - at;
          break;
        }
      }
    }
    return keep;
  }
}
