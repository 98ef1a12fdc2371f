/**
 * The credential-isolating proxy. It listens on 127.0.0.1 only, accepts a
 * request only with the per-install proxy token and a loopback Host, strips
 * every client credential, injects the real key for the provider named by
 * the path prefix (`/anthropic/v1/messages` → the anthropic upstream), and
 * streams the answer back as it arrives.
 *
 * It works on sockets, not on Node's `http` module: request heads are parsed
 * and rewritten (strictly, see http1.ts), and the upstream's response body is
 * passed on byte for byte, its framing followed but never re-encoded. That
 * keeps the added latency at nginx's level (bench/proxy); the `http` module's
 * per-message machinery cost three to four times as much.
 */
import { STATUS_CODES } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { KeyTrayError } from '../../../shared/errors';
import type { KeyRecord } from '../../../shared/metadata';
import { effectiveBaseUrl } from '../../../shared/provider-settings';
import { isProviderId, keyHeaders, type ProviderId, providerIds, providerInfo } from '../../../shared/providers';
import type { ProxyLogEntry } from '../../../shared/proxy-types';
import { agentOf, isModelRequest, type TokenCounts, type UsageRecord } from '../../../shared/usage';
import type { Vault } from '../vault/vault';
import { keyCredentials, type SignInput, signAws } from './aws-signer';
import {
  ChunkedDecoder,
  type HeaderField,
  HttpError,
  headEnd,
  parseRequestHead,
  parseResponseHead,
  type RequestHead,
  type ResponseHead,
  responseHasNoBody,
} from './http1';
import { IDENTITY_PATH, ProxyTokens } from './proxy-token';
import { SecretScrubber, scrubbed } from './scrubber';
import { type UpstreamConnection, UpstreamPool } from './upstream-pool';
import { UsageScanner } from './usage-scanner';

export interface ProxyLimits {
  /** Largest request body forwarded. */
  maxBodyBytes: number;
  /** Largest request head (request line and headers) accepted. */
  maxHeaderBytes: number;
  /** Time a client has to send its whole request head (slowloris). */
  headersTimeoutMs: number;
  /** Time the upstream has to answer with its response head. */
  upstreamTimeoutMs: number;
  /** Time without a byte either way, once a request body or a response is under way. */
  idleTimeoutMs: number;
  /** Time a connection has to present a valid token, from its first byte on (or its opening). */
  unauthenticatedTimeoutMs: number;
  maxConnections: number;
  /** Slots only connections that presented a valid token may fill: clients without one cannot lock the agent out. */
  reservedForAuthenticated: number;
}

export const DEFAULT_LIMITS: ProxyLimits = {
  maxBodyBytes: 32 * 1024 * 1024,
  maxHeaderBytes: 32 * 1024,
  headersTimeoutMs: 10_000,
  upstreamTimeoutMs: 120_000,
  idleTimeoutMs: 300_000,
  unauthenticatedTimeoutMs: 5_000,
  maxConnections: 512,
  reservedForAuthenticated: 128,
};

export interface ProxyOptions {
  vault: Vault;
  /** 0 picks a free port (tests). */
  port: number;
  limits?: Partial<ProxyLimits>;
  onLog?: (entry: ProxyLogEntry) => void;
  /** Each model request's usage, read from the answer as it streams; without it, answers are not scanned. */
  onUsage?: (record: UsageRecord) => void;
}

export interface RunningProxy {
  port: number;
  close(): Promise<void>;
}

/** Request headers that carry a client credential or that the proxy sets itself. */
const STRIPPED = new Set([
  'x-api-key',
  'x-goog-api-key',
  'authorization',
  'proxy-authorization',
  'cookie',
  'host',
  'transfer-encoding',
  'trailer',
  'content-length',
  'expect',
]);

/** What the providers' APIs use; TRACE, CONNECT and the rest are refused. */
const ALLOWED_METHODS = new Set(['GET', 'HEAD', 'POST', 'DELETE']);

/** The headers a SigV4 signature covers besides host: stable ones a client sets on purpose. */
const SIGNED_HEADERS = ['content-type', 'anthropic-version', 'anthropic-beta', 'anthropic-workspace-id', 'accept'];

/** How long a client's idle keep-alive connection is kept, as advertised in Keep-Alive. */
const KEEP_ALIVE_S = 5;
/** Largest upstream response head. */
const MAX_RESPONSE_HEAD = 64 * 1024;
/** How long a refused client may go on sending before its connection is dropped. */
const LINGER_MS = 2000;
const EMPTY: Buffer = Buffer.alloc(0);

interface Upstream {
  provider: ProviderId;
  label: string;
  url: URL;
  /** The URL without a trailing slash: the client's path is appended to it. */
  base: string;
  /** Where each client path goes, by client path (worked out once per distinct path). */
  targets: Map<string, Target>;
  /** Injected into every request (the key, the workspace). */
  headers: Record<string, string>;
  /** The key as it travels (scrubbed()), to be kept out of anything sent back to the client. */
  secrets: Buffer[];
  /** SigV4: signs a buffered request, returning the headers to add. */
  sign?: (input: SignInput) => Promise<Record<string, string>>;
  /** The provider's next key, when its fallback is on: tried once when this one gets a 429 or 5xx. */
  fallback?: string;
}

/** Where a client path goes on an upstream, worked out once: Claude Code sends the same few paths. */
interface Target {
  url: URL;
  /** The URL's parts as the request writes them (URL's getters build a new string on every call). */
  origin: string;
  host: string;
  /** Path and query, for the request line. */
  path: string;
  /** Whether it is the upstream's base path or below it, on the same origin (see under()). */
  allowed: boolean;
  /** Whether a POST to it asks a model, so its answer is read for usage. */
  model: boolean;
}

interface Context {
  limits: ProxyLimits;
  /** The Host and Origin values that name this proxy, once it listens. */
  loopback: { hosts: readonly string[]; origins: readonly string[] };
  tokens: ProxyTokens;
  upstreams: UpstreamCache;
  pool: UpstreamPool;
  onLog?: (entry: ProxyLogEntry) => void;
  onUsage?: (record: UsageRecord) => void;
}

/**
 * How much bytecode a function runs before V8 considers optimizing it, an
 * eighth of its default (67,584). A proxy runs the same short path for every
 * request, and with the default it ran unoptimized code for its first few
 * hundred: in the bench, the added latency of the first 1,500 requests after
 * a start fell from 2.1x nginx's to 1.4x with this setting, and the steady
 * state is unchanged (bench/proxy/README.md). V8 reads it whenever a
 * function's budget is reset, so setting it once the process runs takes
 * effect; it makes the process optimize its hot code sooner, nothing else.
 */
const INTERRUPT_BUDGET = 8192;
let tuned = false;

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  if (!tuned) {
    setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
    tuned = true;
  }
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const pool = new UpstreamPool();
  const clients = new Set<ClientConnection>();
  let port = 0;
  const context: Context = {
    limits,
    loopback: { hosts: [], origins: [] },
    tokens: new ProxyTokens(options.vault, await options.vault.proxyToken()),
    upstreams: new UpstreamCache(options.vault),
    pool,
    onLog: options.onLog,
    onUsage: options.onUsage,
  };
  // Half-open, so a refused client's remaining bytes can be read and dropped before the close.
  await context.tokens.refresh();
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    // Full, or the unauthenticated share full: the oldest connection without a valid token makes room.
    // One that has shown a token is never evicted for a newcomer; with every slot theirs, the newcomer goes.
    let strangers = 0;
    for (const c of clients) if (!c.authenticated) strangers++;
    if (clients.size >= limits.maxConnections || strangers >= limits.maxConnections - limits.reservedForAuthenticated) {
      const oldest = [...clients].find((c) => !c.authenticated);
      if (oldest) {
        oldest.socket.destroy();
        clients.delete(oldest);
      } else if (clients.size >= limits.maxConnections) {
        socket.destroy();
        return;
      }
    }
    const client = new ClientConnection(socket, context);
    clients.add(client);
    socket.on('close', () => clients.delete(client));
  });
  // Deadlines are checked on one beat rather than by a timer per request: a timer set and cleared
  // several times a request cost more than the rest of the proxy's own work.
  const beat = Math.max(
    25,
    Math.min(
      1000,
      Math.floor(
        Math.min(limits.headersTimeoutMs, limits.upstreamTimeoutMs, limits.idleTimeoutMs, limits.unauthenticatedTimeoutMs) / 4,
      ),
    ),
  );
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const client of clients) client.check(now);
    // One stat a beat: a rotated install token or a removed binding takes effect within it.
    void context.tokens.refresh().catch(() => undefined);
    void context.upstreams.refresh().catch(() => undefined);
  }, beat);
  sweep.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new KeyTrayError('usage', `Port ${options.port} on 127.0.0.1 is already in use.`, {
              fix: "Stop what uses it, or move KeyTray's proxy to another port with `keytray proxy port <n>` (configured agents move with it).",
            })
          : error,
      ),
    );
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  context.loopback = loopbackNames(port);
  // The active keys are read now (from the keychain, once), so the first request waits for none of it,
  // and a connection to each of their upstreams is opened (not awaited: an unreachable one must not hold
  // the start up; a request that comes first waits for it, or for a new one if it fails).
  for (const upstream of await context.upstreams.warm().catch(() => [])) pool.preconnect(upstream.url);
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        clearInterval(sweep);
        pool.destroy();
        for (const client of clients) client.socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The request being served on a connection. */
interface Current {
  head: RequestHead;
  entry: ProxyLogEntry;
  started: number;
  /** Wall-clock time of arrival, for the log. */
  startedAt: number;
  provider: ProviderId;
  /** A named key (a binding's token); absent for the provider's active key. */
  label?: string;
  /** The path after the provider prefix, query included. */
  rest: string;
  chunks: Buffer[];
  size: number;
  /** Bytes of a Content-Length body still to come. */
  left: number;
  decoder: ChunkedDecoder | null;
  upstream: UpstreamConnection | null;
  /** After a fallback: the key that got the 429 or 5xx (one retry per request). */
  fallbackFrom?: string;
  /** Records the usage read so far, when the client goes away in the middle of an answer. */
  recordUsage?: () => void;
}

/**
 * One client connection: reads request heads and bodies, answers refusals
 * itself, and runs one exchange with an upstream at a time (pipelined
 * requests wait their turn).
 */
class ClientConnection {
  private pending = EMPTY;
  private phase: 'head' | 'auth' | 'body' | 'busy' | 'closing' = 'head';
  /** What to do when the clock passes `deadline`, if anything. */
  private onDeadline: (() => void) | null = null;
  private deadline = 0;
  private headStarted = false;
  private current: Current | null = null;
  /** Whether a request on this connection presented a valid token; until then it must, by `authBy`. */
  authenticated = false;
  private readonly authBy: number;
  /** Slowloris: the head did not arrive within the deadline. */
  private readonly headTooSlow = () => this.refuseHead(408, 'request headers took too long');

  constructor(
    readonly socket: Socket,
    private readonly context: Context,
  ) {
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('end', () => this.gone());
    socket.on('close', () => this.gone());
    socket.on('error', () => undefined);
    socket.on('drain', () => this.current?.upstream?.socket.resume());
    this.arm(context.limits.headersTimeoutMs, this.headTooSlow);
    this.authBy = performance.now() + context.limits.unauthenticatedTimeoutMs;
  }

  private arm(ms: number, onDeadline: () => void): void {
    this.deadline = performance.now() + ms;
    this.onDeadline = onDeadline;
  }

  private disarm(): void {
    this.onDeadline = null;
  }

  /** Called on the proxy's beat. */
  check(now: number): void {
    // No valid token in time: the slot goes back (a refusal already under way may finish first).
    if (!this.authenticated && now >= this.authBy && this.phase !== 'closing') {
      this.socket.destroy();
      return;
    }
    const onDeadline = this.onDeadline;
    if (!onDeadline || now < this.deadline) return;
    this.onDeadline = null;
    onDeadline();
  }

  private onData(data: Buffer): void {
    if (this.phase === 'closing') return;
    this.pending = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    this.advance();
  }

  /** Parses as far as the bytes received allow. */
  private advance(): void {
    const { limits } = this.context;
    for (;;) {
      if (this.phase === 'head') {
        if (this.pending.length === 0) return;
        if (!this.headStarted) {
          this.headStarted = true;
          this.arm(limits.headersTimeoutMs, this.headTooSlow);
        }
        const end = headEnd(this.pending);
        if ((end < 0 && this.pending.length > limits.maxHeaderBytes) || end + 4 > limits.maxHeaderBytes) {
          this.refuseHead(431, 'request headers are too large');
          return;
        }
        if (end < 0) return;
        const text = this.pending.toString('latin1', 0, end);
        this.pending = this.pending.subarray(end + 4);
        this.headStarted = false;
        this.disarm();
        let head: RequestHead;
        try {
          head = parseRequestHead(text);
        } catch (error) {
          if (!(error instanceof HttpError)) throw error;
          this.refuseHead(error.status, error.message);
          return;
        }
        if (!this.begin(head)) return;
      } else if (this.phase === 'body') {
        if (!this.readBody()) return;
      } else {
        // A pipelined request waits for the current answer; stop reading if a client pushes on.
        if (this.phase === 'busy' && this.pending.length > limits.maxHeaderBytes) this.socket.pause();
        return;
      }
    }
  }

  /** Checks a request's head; true when its body is to be read. */
  private begin(head: RequestHead, rechecked = false): boolean {
    const { limits } = this.context;
    const question = head.target.indexOf('?');
    const path = question < 0 ? head.target : head.target.slice(0, question);
    const entry: ProxyLogEntry = {
      time: '',
      method: head.method,
      path,
      status: 0,
      latencyMs: 0,
      provider: null,
      label: null,
    };
    // The provider is the first path segment: up to the next '/' or the query.
    const slash = path.indexOf('/', 1);
    const cut = slash < 0 ? path.length : slash;
    const prefix = head.target.slice(1, cut);
    this.current = {
      head,
      entry,
      started: performance.now(),
      startedAt: Date.now(),
      provider: prefix as ProviderId,
      rest: head.target.slice(cut),
      chunks: [],
      size: 0,
      left: head.body.kind === 'length' ? head.body.length : 0,
      decoder: head.body.kind === 'chunked' ? new ChunkedDecoder(400) : null,
      upstream: null,
    };

    const { hosts, origins } = this.context.loopback;
    const host = field(head.headers, 'host');
    if (host === undefined || !hosts.includes(host))
      return this.refuse(
        403,
        'permission_error',
        'the proxy only answers requests addressed to 127.0.0.1 or localhost on its port',
      );
    const origin = field(head.headers, 'origin');
    if (origin !== undefined && !origins.includes(origin))
      return this.refuse(403, 'permission_error', 'the proxy does not answer web pages');
    if (!ALLOWED_METHODS.has(head.method))
      return this.refuse(405, 'invalid_request_error', `the proxy forwards ${[...ALLOWED_METHODS].join(', ')} only`);
    // Encoded slashes and backslashes: an upstream that decodes them could be walked out of its base path.
    if ((path.includes('%') || path.includes('\\')) && /%2f|%5c|\\/i.test(path))
      return this.refuse(400, 'invalid_request_error', 'encoded slashes are not allowed in the path');
    // Anything about to hand this port a token first asks it to prove it holds the install's token.
    if (head.method === 'GET' && path === IDENTITY_PATH) return this.answerIdentity(head.target);
    // Claude Code's preconnect: `HEAD <base URL>/api/hello`, with no credential, to warm the connection.
    // KeyTray answers it itself; the upstream never sees it and no token is needed.
    if (head.method === 'HEAD' && isProviderId(prefix) && this.current.rest === '/api/hello') return this.answerProbe();
    const holder = this.context.tokens.match(tokenCandidates(head.headers));
    // Unknown: perhaps the token of a key added since the tokens were worked out. A route token: its
    // binding may have been removed since, and removing it revokes the token at once. Look again once.
    if ((!holder || (holder.kind === 'binding' && holder.route)) && !rechecked) return this.recheck(head);
    if (!holder) return this.refuse(401, 'authentication_error', 'missing or wrong KeyTray proxy token');
    this.authenticated = true;
    // A custom provider defined since the proxy last read the metadata file: reading the tokens again reads it.
    if (!isProviderId(prefix) && !rechecked) return this.recheck(head);
    if (!isProviderId(prefix))
      return this.refuse(404, 'not_found_error', `no route: the path must start with a provider (/${providerIds().join(', /')})`);
    if (holder.kind === 'binding') {
      if (holder.provider !== prefix)
        return this.refuse(401, 'authentication_error', `this proxy token is for ${holder.provider} keys, not /${prefix}`);
      if (holder.label) this.current.label = holder.label;
    }
    if (head.body.kind === 'length' && head.body.length > limits.maxBodyBytes)
      return this.refuse(413, 'request_too_large', `request body over ${limits.maxBodyBytes} bytes`);
    if (head.expectContinue) this.socket.write('HTTP/1.1 100 Continue\r\n\r\n');
    this.phase = 'body';
    this.arm(limits.idleTimeoutMs, () => this.socket.destroy());
    return true;
  }

  /** Waits for the proxy tokens to be worked out again, then checks the head once more. */
  private recheck(head: RequestHead): false {
    this.phase = 'auth';
    this.socket.pause();
    void this.context.tokens
      .refresh()
      .catch(() => undefined)
      .then(() => {
        if (this.phase !== 'auth') return;
        this.phase = 'head';
        this.socket.resume();
        if (this.begin(head, true)) this.advance();
      });
    return false;
  }

  /** Takes body bytes from what has arrived; true once the body is complete and sent on its way. */
  private readBody(): boolean {
    const current = this.current as Current;
    const { maxBodyBytes, idleTimeoutMs } = this.context.limits;
    if (current.decoder) {
      let used: number;
      try {
        used = current.decoder.push(this.pending, (chunk) => {
          current.size += chunk.length;
          if (current.size <= maxBodyBytes) current.chunks.push(chunk);
        });
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        return this.refuse(400, 'invalid_request_error', error.message);
      }
      this.pending = this.pending.subarray(used);
      if (current.size > maxBodyBytes) return this.refuse(413, 'request_too_large', `request body over ${maxBodyBytes} bytes`);
      if (!current.decoder.done) return this.rearm(idleTimeoutMs);
    } else {
      const take = Math.min(current.left, this.pending.length);
      if (take > 0) {
        current.chunks.push(this.pending.subarray(0, take));
        current.left -= take;
        this.pending = this.pending.subarray(take);
      }
      if (current.left > 0) return this.rearm(idleTimeoutMs);
    }
    this.disarm();
    this.phase = 'busy';
    void this.dispatch(current);
    return true;
  }

  private rearm(ms: number): false {
    this.arm(ms, () => this.socket.destroy());
    return false;
  }

  /** Sends a complete request upstream with the real credential, and the answer back. */
  private dispatch(current: Current): void {
    // Known and fresh, and nothing to sign: the request goes out in the same turn it completed.
    const upstream = this.context.upstreams.fresh(current.provider, current.label);
    if (upstream && !upstream.sign) this.send(current, upstream, upstream.headers, requestBody(current));
    else void this.dispatchLater(current, upstream);
  }

  private async dispatchLater(current: Current, known: Upstream | undefined): Promise<void> {
    let upstream: Upstream;
    try {
      upstream = known ?? (await this.context.upstreams.get(current.provider, current.label));
    } catch (error) {
      this.refuse(502, 'api_error', error instanceof KeyTrayError ? error.message : 'KeyTray could not read the key');
      return;
    }
    let added = upstream.headers;
    const body = requestBody(current);
    if (upstream.sign) {
      const { head } = current;
      const toSign: Record<string, string> = { ...upstream.headers };
      for (const [name, value] of head.headers)
        if (SIGNED_HEADERS.includes(name) && passesOn(head, name) && toSign[name] === undefined) toSign[name] = value;
      try {
        const { url } = targetOf(upstream, current.rest, current.entry.path);
        added = { ...added, ...(await upstream.sign({ method: head.method, url, headers: toSign, body })) };
      } catch {
        this.refuse(
          502,
          'api_error',
          `KeyTray could not sign the request for ${upstream.provider}/${upstream.label} (are the AWS credentials valid?)`,
        );
        return;
      }
    }
    if (this.phase !== 'busy') return; // the client went away meanwhile
    this.send(current, upstream, added, body);
  }

  /** Writes the request to the upstream, with `added` (the credential) in place of the client's. */
  private send(current: Current, upstream: Upstream, added: Record<string, string>, body: Buffer): void {
    const { head, entry } = current;
    entry.provider = upstream.provider;
    entry.label = upstream.label;
    const target = targetOf(upstream, current.rest, entry.path);
    // `..` and `%2e%2e` are resolved by then: what is left must still be under the provider's base path.
    if (!target.allowed) return void this.refuse(400, 'invalid_request_error', "the path leaves the provider's base path");
    // A model request's answer is read for its usage, so it must come uncompressed: on loopback,
    // compression between the proxy and the agent saved nothing anyway.
    const counting = this.context.onUsage !== undefined && head.method === 'POST' && target.model;
    let text = `${head.method} ${target.path} HTTP/1.1\r\nhost: ${target.host}\r\n`;
    for (const [name, value] of head.headers) {
      // On a signed route the client's own x-amz-* headers go: only the signature's may reach AWS.
      if (passesOn(head, name) && !(name in added) && !(upstream.sign && name.startsWith('x-amz-')))
        if (!(counting && name === 'accept-encoding')) text += `${name}: ${value}\r\n`;
    }
    if (counting) text += 'accept-encoding: identity\r\n';
    // The host line is written above, once; a signature lists host among its headers too.
    for (const name in added) if (name !== 'host') text += `${name}: ${added[name]}\r\n`;
    text += `content-length: ${body.length}\r\n\r\n`;
    const connection = this.context.pool.acquire(target.url, target.origin);
    current.upstream = connection;
    const request = withHead(text, body);
    // One write: a model request is complete before any answer can start, and one write is faster.
    // The request goes out first and the answer's handlers are set after: no byte of an answer can
    // arrive before this turn of the event loop ends.
    connection.socket.write(request);
    this.exchange(current, connection, target, upstream, request, counting);
  }

  /** Reads the upstream's answer and passes it on as it arrives. */
  private exchange(
    current: Current,
    connection: UpstreamConnection,
    target: Target,
    upstream: Upstream,
    /** The request as written, for one retry on a new connection when a reused one turns out closed. */
    request: Buffer,
    /** Whether to read the answer's token usage (a model request, with usage recorded). */
    counting: boolean,
  ): void {
    const { limits, pool } = this.context;
    const { secrets } = upstream;
    const scrubber = secrets.length ? new SecretScrubber(secrets) : null;
    /** Whether anything of this answer (an early hint) has gone to the client: then it cannot be retried. */
    let hinted = false;
    /** Whether the answer is read for usage; the scanner itself is made after its first bytes went out. */
    let scanning = false;
    let scanner: UsageScanner | null = null;
    /** The decoded views of a chunked body's piece, read for usage once the piece has gone to the client. */
    const toScan: Buffer[] = [];
    const collect = (chunk: Buffer) => void toScan.push(chunk);
    const socket = this.socket;
    const upstreamSocket = connection.socket;
    let response: ResponseHead | null = null;
    let headBytes = EMPTY;
    let decoder: ChunkedDecoder | null = null;
    let left = 0;
    let untilClose = false;
    let closeClient = current.head.close;
    let reusable = true;

    this.arm(limits.upstreamTimeoutMs, () => {
      pool.discard(connection);
      this.refuse(504, 'timeout_error', `the upstream did not answer within ${limits.upstreamTimeoutMs / 1000} s`);
    });
    const quiet = () => broken('the upstream went quiet');

    const done = () => {
      this.disarm();
      if (upstreamSocket.isPaused()) upstreamSocket.resume();
      current.upstream = null;
    };
    const broken = (message: string) => {
      done();
      pool.discard(connection);
      this.finish(response?.status ?? 502, message);
      record();
      socket.destroy();
    };
    const complete = () => {
      const held = scrubber?.flush();
      if (held?.length) socket.write(held);
      done();
      if (reusable && !response?.close && !untilClose) pool.release(connection);
      else pool.discard(connection);
      this.finish((response as ResponseHead).status);
      record();
      this.next(closeClient);
    };
    /** The exchange's usage, once its answer ended (or broke off: what had arrived by then). */
    current.recordUsage = () => record();
    const record = () => {
      if (!counting || !response) return;
      this.context.onUsage?.(usageRecord(current, response.status, scanner?.model ?? null, scanner?.counts() ?? null));
      counting = false;
    };
    /** Passes body bytes on, after `prefix` (the response head, latin1) when given; notices the end. */
    const relay = (bytes: Buffer, prefix: string | null) => {
      let used = bytes.length;
      if (decoder) used = decoder.push(bytes, scanning ? collect : undefined);
      else if (!untilClose) {
        used = Math.min(left, bytes.length);
        left -= used;
      }
      // Bytes past the end of the answer: this connection's framing can't be trusted again.
      if (used < bytes.length) reusable = false;
      const body = used < bytes.length ? bytes.subarray(0, used) : bytes;
      const whole = prefix === null ? body : withHead(prefix, body);
      const out = scrubber ? scrubber.push(whole) : whole;
      // Backpressure: stop reading the upstream while the client is slow (resumed on 'drain').
      if (out.length && !socket.write(out)) upstreamSocket.pause();
      // Usage is read once the bytes are on their way: the client does not wait for the count.
      // The scanner reads the views in place; writing them does not change them.
      if (scanning) {
        scanner ??= new UsageScanner();
        if (!decoder) scanner.push(body);
        else {
          for (const view of toScan) scanner.push(view);
          toScan.length = 0;
        }
      }
      this.deadline = performance.now() + limits.idleTimeoutMs;
      if (decoder ? decoder.done : !untilClose && left === 0) complete();
    };
    const onHead = (data: Buffer) => {
      headBytes = headBytes.length ? Buffer.concat([headBytes, data]) : data;
      const end = headEnd(headBytes);
      if (end < 0) {
        if (headBytes.length > MAX_RESPONSE_HEAD) throw new HttpError(502, 'the upstream sent a response head that is too large');
        return;
      }
      const parsed = parseResponseHead(headBytes.toString('latin1', 0, end));
      const rest = headBytes.subarray(end + 4);
      headBytes = EMPTY;
      if (parsed.status < 200) {
        if (parsed.status === 101) throw new HttpError(502, 'the upstream tried to switch protocols');
        // Early hints go on to the client; 100 Continue was the proxy's own business.
        if (parsed.status !== 100) {
          hinted = true;
          socket.write(responseHead(parsed, false));
        }
        if (rest.length) onHead(rest);
        return;
      }
      // The provider's fallback key, once, before a byte of this answer has reached the agent.
      const fallback = upstream.fallback;
      if (fallback && !current.fallbackFrom && !hinted && (parsed.status === 429 || parsed.status >= 500)) {
        done();
        pool.discard(connection);
        if (counting) this.context.onUsage?.(usageRecord(current, parsed.status, null, null));
        current.fallbackFrom = upstream.label;
        current.entry.note = `${upstream.label} got ${parsed.status}; retried once with the fallback key ${fallback}`;
        void this.retryWith(current, fallback);
        return;
      }
      response = parsed;
      this.arm(limits.idleTimeoutMs, quiet);
      if (responseHasNoBody(current.head.method, parsed.status)) left = 0;
      else if (parsed.chunked) decoder = new ChunkedDecoder(502);
      else if (parsed.length !== null) left = parsed.length;
      else untilClose = true;
      // Read as it passes, unless compressed after all (an upstream that ignored accept-encoding).
      if (counting && !compressed(parsed.headers)) scanning = true;
      closeClient ||= untilClose;
      relay(rest, responseHead(parsed, closeClient));
    };

    connection.attach({
      data: (chunk) => {
        try {
          if (response) relay(chunk, null);
          else onHead(chunk);
        } catch (error) {
          if (!(error instanceof HttpError)) throw error;
          if (response) return broken(error.message);
          done();
          pool.discard(connection);
          this.refuse(502, 'api_error', error.message);
        }
      },
      closed: (error) => {
        if (response && untilClose && !error) return complete();
        if (response) return broken('the upstream broke off the response');
        // A kept-alive connection the upstream closed just as it was reused, before a byte of answer:
        // the request never reached it. Once, on a new connection, as every keep-alive client must.
        if (connection.reused && headBytes.length === 0 && this.phase === 'busy') {
          done();
          const fresh = pool.fresh(target.url);
          current.upstream = fresh;
          fresh.socket.write(request);
          this.exchange(current, fresh, target, upstream, request, counting);
          return;
        }
        done();
        const reason = error?.code ?? 'ECONNRESET';
        this.refuse(502, 'api_error', `the upstream ${target.host} is unreachable (${reason})`);
      },
    });
  }

  /** Sends the request again with the provider's fallback key, after its key got a 429 or 5xx. */
  private async retryWith(current: Current, label: string): Promise<void> {
    let upstream: Upstream;
    try {
      upstream = await this.context.upstreams.get(current.provider, label);
    } catch {
      this.refuse(502, 'api_error', `the upstream failed, and the fallback key ${label} could not be read`);
      return;
    }
    if (this.phase !== 'busy' || this.current !== current) return; // the client went away meanwhile
    this.send(current, upstream, upstream.headers, requestBody(current));
  }

  /** After a complete exchange: the next request, or the end of the connection. */
  private next(close: boolean): void {
    this.current = null;
    if (close) {
      this.linger();
      return;
    }
    this.phase = 'head';
    if (this.socket.isPaused()) this.socket.resume();
    this.arm(KEEP_ALIVE_S * 1000, () => this.socket.end());
    this.advance();
  }

  private finish(status: number, error?: string): void {
    const current = this.current;
    if (current?.entry.status !== 0) return;
    current.entry.status = status;
    current.entry.time = new Date(current.startedAt).toISOString();
    current.entry.latencyMs = Math.round((performance.now() - current.started) * 10) / 10;
    if (error) current.entry.error = error;
    this.context.onLog?.(current.entry);
  }

  /** Proves this is KeyTray's proxy: an HMAC of the caller's challenge under the install's token. */
  private answerIdentity(target: string): false {
    const challenge = /[?&]c=([0-9a-f]{32,128})(?:&|$)/.exec(target)?.[1];
    if (!challenge) return this.refuse(400, 'invalid_request_error', 'an identity check needs a challenge: ?c=<hex>');
    // Not logged: every helper run asks, and the log is for requests.
    const body = JSON.stringify({ proof: this.context.tokens.proof(challenge) });
    this.socket.write(
      `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    this.linger();
    return false;
  }

  /** Answers a connection check (200, no body), logged as one rather than as a refusal. */
  private answerProbe(): false {
    if (this.current) this.current.entry.note = 'connection check, answered by KeyTray';
    this.finish(200);
    this.socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    this.linger();
    return false;
  }

  /** Answers a request itself (an error in the Anthropic format) and closes the connection. */
  private refuse(status: number, type: string, message: string): false {
    if (this.phase === 'closing') return false;
    this.finish(status, message);
    this.reply(status, errorBody(message, type));
    return false;
  }

  /** Answers a head that could not be read; there is no request to log. */
  private refuseHead(status: number, message: string): void {
    if (this.phase === 'closing') return;
    this.reply(status, errorBody(message));
  }

  private reply(status: number, body: string): void {
    if (this.current?.upstream) this.context.pool.discard(this.current.upstream);
    this.socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    this.linger();
  }

  /** Closes after what was written, reading and dropping what the client still sends for a moment. */
  private linger(): void {
    this.phase = 'closing';
    this.pending = EMPTY;
    this.socket.resume();
    this.socket.end();
    this.arm(LINGER_MS, () => this.socket.destroy());
  }

  /** The client closed its side or the connection dropped. */
  private gone(): void {
    if (this.current?.upstream) {
      this.context.pool.discard(this.current.upstream);
      this.finish(499, 'the client went away');
      // The tokens of an answer cut short were still spent.
      this.current.recordUsage?.();
    }
    this.current = null;
    this.phase = 'closing';
    this.disarm();
    this.socket.destroy();
  }
}

/** The response head passed to the client: the upstream's, without its connection-level headers. */
function responseHead(response: ResponseHead, close: boolean): string {
  let text = `HTTP/1.1 ${response.status} ${response.reason || STATUS_CODES[response.status] || ''}\r\n`;
  for (const [name, value] of response.headers) if (!response.hopByHop.has(name)) text += `${name}: ${value}\r\n`;
  text += close ? 'connection: close\r\n\r\n' : `keep-alive: timeout=${KEEP_ALIVE_S}\r\n\r\n`;
  return text;
}

function passesOn(head: RequestHead, name: string): boolean {
  return !STRIPPED.has(name) && !head.hopByHop.has(name);
}

function requestBody(current: Current): Buffer {
  return current.chunks.length === 1 ? (current.chunks[0] as Buffer) : Buffer.concat(current.chunks);
}

/** A head (latin1 text) and a body in one buffer, for one write. */
function withHead(head: string, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(head.length + body.length);
  out.write(head, 0, 'latin1');
  out.set(body, head.length);
  return out;
}

/** Where a client path goes on the upstream, worked out once per distinct path (Claude Code sends the same few). */
function targetOf(upstream: Upstream, rest: string, clientPath: string): Target {
  let target = upstream.targets.get(rest);
  if (!target) {
    if (upstream.targets.size >= 256) upstream.targets.clear();
    const url = new URL(upstream.base + rest);
    target = {
      url,
      origin: url.origin,
      host: url.host,
      path: `${url.pathname}${url.search}`,
      allowed: under(upstream, url),
      model: isModelRequest('POST', clientPath),
    };
    upstream.targets.set(rest, target);
  }
  return target;
}

/** Whether a target URL is the upstream's base URL or below it, on the same origin. */
function under(upstream: Upstream, target: URL): boolean {
  if (target.origin !== upstream.url.origin) return false;
  const base = upstream.url.pathname.replace(/\/$/, '');
  return target.pathname === base || target.pathname.startsWith(`${base}/`);
}

/** The usage of one exchange, for the usage file; `time` is the request's arrival. */
function usageRecord(current: Current, status: number, model: string | null, tokens: TokenCounts | null): UsageRecord {
  const { entry } = current;
  return {
    time: new Date(current.startedAt).toISOString(),
    provider: entry.provider as ProviderId,
    label: entry.label ?? '',
    agent: agentOf(field(current.head.headers, 'user-agent')),
    // Gemini's path names the model asked for; elsewhere the answer's first `model` does.
    model: modelInPath(entry.path) ?? model,
    status,
    tokens,
    ...(current.fallbackFrom && current.fallbackFrom !== entry.label ? { fallbackFrom: current.fallbackFrom } : {}),
  };
}

/** Gemini names the model in the path (`/v1beta/models/<model>:generateContent`). */
function modelInPath(path: string): string | null {
  const match = /\/models\/([^/:]+):/.exec(path);
  return match ? decodeURIComponent(match[1] as string) : null;
}

/** Whether an answer's body is compressed (content-encoding other than identity). */
function compressed(headers: readonly HeaderField[]): boolean {
  for (const [name, value] of headers) if (name === 'content-encoding' && value !== 'identity') return true;
  return false;
}

/** The value of a header, the first if it repeats. */
function field(headers: readonly HeaderField[], name: string): string | undefined {
  for (const [n, v] of headers) if (n === name) return v;
  return undefined;
}

/**
 * Upstreams (with their keys) read from the vault at most once a second per
 * provider and key while the metadata file changes, so a request costs no
 * file or keychain access, and a key switched in the app or CLI is used
 * within a second. While the file stays as it was, the proxy's beat (one
 * stat) keeps them fresh. The active keys are read at start, so the first
 * request waits for the metadata file alone, not for the keychain.
 */
class UpstreamCache {
  private static readonly FRESH_MS = 1000;
  private readonly cache = new Map<string, Upstream>();
  private readonly checked = new Map<string, { at: number; upstream: Upstream }>();
  /** The metadata file as the beat last saw it (Vault.metadataStamp). */
  private stamp: string | null = null;
  /** Counts the changes the beat saw: a read begun before one is not kept as checked. */
  private generation = 0;
  private refreshing: Promise<void> | null = null;
  constructor(private readonly vault: Vault) {}

  /** The upstream for a provider's named key (else its active key), if it was checked within the last second. */
  fresh(provider: ProviderId, label?: string): Upstream | undefined {
    const recent = this.checked.get(`${provider}/${label ?? ''}`);
    return recent && performance.now() - recent.at < UpstreamCache.FRESH_MS ? recent.upstream : undefined;
  }

  async get(provider: ProviderId, label?: string): Promise<Upstream> {
    const recent = this.fresh(provider, label);
    if (recent) return recent;
    const generation = this.generation;
    const upstream = await this.resolve(provider, label);
    if (generation === this.generation) this.checked.set(`${provider}/${label ?? ''}`, { at: performance.now(), upstream });
    return upstream;
  }

  /** At start: every provider's active key read into the cache (not yet checked: a request reads the file). */
  async warm(): Promise<Upstream[]> {
    const meta = await this.vault.readMetadata();
    const read = await Promise.all(
      providerIds()
        .filter((id) => meta.providers[id]?.active)
        .map((id) => this.resolve(id, undefined).catch(() => null)),
    );
    return read.filter((upstream) => upstream !== null);
  }

  /**
   * On the proxy's beat: one stat. The file unchanged since the last beat, what was checked stays
   * fresh for another second; changed, nothing is renewed, and requests read the file again.
   */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const at = performance.now();
        const stamp = await this.vault.metadataStamp();
        if (stamp === this.stamp) for (const entry of this.checked.values()) entry.at = Math.max(entry.at, at);
        else {
          this.checked.clear();
          this.generation++;
          this.stamp = stamp;
        }
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private async resolve(provider: ProviderId, label: string | undefined): Promise<Upstream> {
    const meta = await this.vault.readMetadata();
    const state = meta.providers[provider];
    const wanted = label ?? state?.active;
    const record = state?.keys.find((k) => k.label === wanted);
    if (!state || !record)
      throw new KeyTrayError(
        'not-found',
        label
          ? `KeyTray has no ${providerInfo(provider).label} key named ${label}.`
          : `KeyTray has no ${providerInfo(provider).label} key to send.`,
      );
    const base = effectiveBaseUrl(provider, state.settings);
    if (!base) throw new KeyTrayError('usage', `${providerInfo(provider).label} needs a region before the proxy can reach it.`);
    // Only for the active key: a request bound to a named key keeps to it.
    const fallback = label === undefined && state.fallback ? nextKey(state.keys, record.label) : undefined;
    const cacheKey = `${provider}/${record.label}/${record.fingerprint}/${record.profile ?? ''}/${base}/${state.settings.workspaceId ?? ''}/${fallback ?? ''}`;
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    const info = providerInfo(provider);
    const headers: Record<string, string> = {};
    if (info.usesWorkspace && state.settings.workspaceId) headers['anthropic-workspace-id'] = state.settings.workspaceId;
    const url = new URL(base);
    const upstream: Upstream = {
      provider,
      label: record.label,
      url,
      base: url.href.replace(/\/$/, ''),
      targets: new Map(),
      headers,
      secrets: [],
      ...(fallback ? { fallback } : {}),
    };
    if (record.auth === 'sigv4-keys' || record.auth === 'sigv4-profile') {
      const region = state.settings.region;
      if (!region) throw new KeyTrayError('usage', `${info.label} needs a region to sign requests.`);
      const credentials = await keyCredentials(this.vault, provider, record);
      upstream.sign = (input) => signAws(info.sigv4Service ?? '', region, credentials, input);
    } else {
      const { secret } = await this.vault.secret(provider, record.label);
      Object.assign(headers, keyHeaders(provider, secret));
      upstream.secrets.push(...scrubbed([secret]));
    }
    for (const key of this.cache.keys()) if (key.startsWith(`${provider}/${record.label}/`)) this.cache.delete(key);
    this.cache.set(cacheKey, upstream);
    return upstream;
  }
}

/** The key after `label` in the provider's list (wrapping), that sends a key rather than a signature. */
function nextKey(keys: readonly KeyRecord[], label: string): string | undefined {
  const at = keys.findIndex((k) => k.label === label);
  for (let step = 1; step < keys.length; step++) {
    const candidate = keys[(at + step) % keys.length] as KeyRecord;
    if (candidate.auth !== 'sigv4-keys' && candidate.auth !== 'sigv4-profile') return candidate.label;
  }
  return undefined;
}

/** The tokens a request presents: in x-api-key (Anthropic's scheme), x-goog-api-key (Gemini's) or as a Bearer token. */
function tokenCandidates(headers: readonly HeaderField[]): string[] {
  const candidates: string[] = [];
  for (const [name, value] of headers) {
    if (name === 'x-api-key' || name === 'x-goog-api-key') candidates.push(value);
    else if (name === 'authorization' && /^Bearer /i.test(value)) candidates.push(value.slice(7).trim());
  }
  return candidates;
}

/** The Host values a request to this proxy may carry, and the only Origins it answers (the agent's own pages are none). */
function loopbackNames(port: number): Context['loopback'] {
  return {
    hosts: [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`],
    origins: [`http://127.0.0.1:${port}`, `http://localhost:${port}`],
  };
}

function errorBody(message: string, type = 'invalid_request_error'): string {
  return JSON.stringify({ type: 'error', error: { type, message: `KeyTray proxy: ${message}` } });
}
