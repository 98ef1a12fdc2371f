/**
 * The credential-isolating proxy. It listens on 127.0.0.1 only, accepts a
 * request only with the per-install proxy token and a loopback Host, strips
 * every client credential, injects the real key for the provider named by
 * the path prefix (`/anthropic/v1/messages` → the anthropic upstream), and
 * streams the answer back as it arrives.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { KeyTrayError } from '../../shared/errors';
import { effectiveBaseUrl } from '../../shared/provider-settings';
import { isProviderId, keyHeaders, PROVIDERS, type ProviderId } from '../../shared/providers';
import type { ProxyLogEntry } from '../../shared/proxy-types';
import { keyCredentials, type SignInput, signAws } from './aws-signer';
import type { Vault } from './vault';

export interface ProxyLimits {
  /** Largest request body forwarded. */
  maxBodyBytes: number;
  /** Largest request head (request line and headers) accepted. */
  maxHeaderBytes: number;
  /** Time a client has to send its whole request head (slowloris). */
  headersTimeoutMs: number;
  /** Time the upstream has to answer with its response head. */
  upstreamTimeoutMs: number;
  /** Time without a byte either way, once a response is streaming. */
  idleTimeoutMs: number;
  maxConnections: number;
}

export const DEFAULT_LIMITS: ProxyLimits = {
  maxBodyBytes: 32 * 1024 * 1024,
  maxHeaderBytes: 32 * 1024,
  headersTimeoutMs: 10_000,
  upstreamTimeoutMs: 120_000,
  idleTimeoutMs: 300_000,
  maxConnections: 512,
};

export interface ProxyOptions {
  vault: Vault;
  /** 0 picks a free port (tests). */
  port: number;
  limits?: Partial<ProxyLimits>;
  onLog?: (entry: ProxyLogEntry) => void;
}

export interface RunningProxy {
  port: number;
  close(): Promise<void>;
}

/** Request headers that carry a client credential or only concern one hop. */
const STRIPPED = new Set([
  'x-api-key',
  'authorization',
  'proxy-authorization',
  'cookie',
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
]);
const HOP_BY_HOP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'trailer', 'upgrade', 'proxy-connection']);

interface Upstream {
  provider: ProviderId;
  label: string;
  url: URL;
  /** Injected into every request (the key, the workspace). */
  headers: Record<string, string>;
  /** SigV4: signs a buffered request, returning the headers to add. */
  sign?: (input: SignInput) => Promise<Record<string, string>>;
}

/** The headers a SigV4 signature covers besides host: stable ones a client sets on purpose. */
const SIGNED_HEADERS = ['content-type', 'anthropic-version', 'anthropic-beta', 'anthropic-workspace-id', 'accept'];

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const token = await options.vault.proxyToken();
  const tokenDigest = digest(token);
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  const upstreams = new UpstreamCache(options.vault);
  let port = 0;

  const server = http.createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      // Node checks header deadlines on this beat; its default (30 s) would let a slowloris linger.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 3))),
      // Uploads have no overall deadline (a long prompt on a slow link); idle sockets time out below.
      requestTimeout: 0,
    },
    (req, res) => {
      void handle(req, res);
    },
  );
  server.headersTimeout = limits.headersTimeoutMs;
  server.maxConnections = limits.maxConnections;
  server.on('connection', (socket: Socket) => socket.setNoDelay(true));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = errorBody(
      status === 431 ? 'request headers are too large' : status === 408 ? 'request headers took too long' : 'malformed request',
    );
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const entry: ProxyLogEntry = {
      time: new Date().toISOString(),
      method: req.method ?? '',
      path,
      status: 0,
      latencyMs: 0,
      provider: null,
      label: null,
    };
    const finish = (status: number, error?: string) => {
      if (entry.status !== 0) return;
      entry.status = status;
      entry.latencyMs = Math.round((performance.now() - started) * 10) / 10;
      if (error) entry.error = error;
      options.onLog?.(entry);
    };
    const refuse = (status: number, type: string, message: string) => {
      if (!res.headersSent) {
        res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
        res.end(errorBody(message, type));
      } else res.destroy();
      req.resume();
      finish(status, message);
    };

    if (!isLoopbackHost(req.headers.host, port))
      return refuse(403, 'permission_error', 'the proxy only answers requests addressed to 127.0.0.1 or localhost on its port');
    const origin = req.headers.origin;
    if (origin !== undefined && !isLoopbackOrigin(origin, port))
      return refuse(403, 'permission_error', 'the proxy does not answer web pages');
    if (!presentsToken(req, tokenDigest)) return refuse(401, 'authentication_error', 'missing or wrong KeyTray proxy token');

    const [, prefix = '', ...rest] = path.split('/');
    if (!isProviderId(prefix))
      return refuse(
        404,
        'not_found_error',
        `no route: the path must start with a provider (/${Object.keys(PROVIDERS).join(', /')})`,
      );
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limits.maxBodyBytes) return refuse(413, 'request_too_large', `request body over ${limits.maxBodyBytes} bytes`);

    let upstream: Upstream;
    try {
      upstream = await upstreams.get(prefix);
    } catch (error) {
      return refuse(502, 'api_error', error instanceof KeyTrayError ? error.message : 'KeyTray could not read the key');
    }
    entry.provider = upstream.provider;
    entry.label = upstream.label;

    const query = req.url?.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    const target = new URL(upstream.url.href.replace(/\/$/, '') + (rest.length ? `/${rest.join('/')}` : '') + query);
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers))
      if (!STRIPPED.has(name) && value !== undefined) headers[name] = value;
    Object.assign(headers, upstream.headers);
    headers.host = target.host;

    // The request is read whole (within the body limit) and sent in one write: a model request is
    // complete before any answer can start, a signature covers the body, and one write is faster.
    const body = await readBody(req, limits.maxBodyBytes);
    if (body === null) return refuse(413, 'request_too_large', `request body over ${limits.maxBodyBytes} bytes`);
    delete headers['transfer-encoding'];
    headers['content-length'] = String(body.length);
    if (upstream.sign) {
      const toSign: Record<string, string> = {};
      for (const name of SIGNED_HEADERS) {
        const value = headers[name];
        if (typeof value === 'string') toSign[name] = value;
      }
      try {
        Object.assign(headers, await upstream.sign({ method: req.method ?? 'GET', url: target, headers: toSign, body }));
      } catch {
        return refuse(
          502,
          'api_error',
          `KeyTray could not sign the request for ${upstream.provider}/${upstream.label} (are the AWS credentials valid?)`,
        );
      }
    }

    const client = target.protocol === 'https:' ? https : http;
    const outgoing = client.request(target, {
      method: req.method,
      headers,
      agent: target.protocol === 'https:' ? agents.https : agents.http,
    });
    // Small writes (a header, one event) go out at once, in both directions.
    outgoing.on('socket', (socket: Socket) => socket.setNoDelay(true));
    let answered = false;
    const headTimer = setTimeout(() => {
      if (answered) return;
      outgoing.destroy();
      refuse(504, 'timeout_error', `the upstream did not answer within ${limits.upstreamTimeoutMs / 1000} s`);
    }, limits.upstreamTimeoutMs);

    outgoing.on('response', (incoming) => {
      answered = true;
      clearTimeout(headTimer);
      const responseHeaders: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (!HOP_BY_HOP_RESPONSE.has(name) && value !== undefined) responseHeaders[name] = value;
      }
      res.writeHead(incoming.statusCode ?? 502, responseHeaders);
      // A stream's headers go out now; a plain answer's go with its body, in one write.
      if (String(incoming.headers['content-type'] ?? '').startsWith('text/event-stream')) res.flushHeaders();
      incoming.on('data', (chunk: Buffer) => {
        // Backpressure: stop reading the upstream while the client is slow.
        if (!res.write(chunk)) incoming.pause();
      });
      res.on('drain', () => incoming.resume());
      incoming.on('end', () => {
        res.end();
        finish(incoming.statusCode ?? 502);
      });
      incoming.on('error', () => {
        // The upstream broke off mid-stream: the client must see a broken response, not a complete one.
        res.destroy();
        finish(incoming.statusCode ?? 502, 'the upstream broke off the response');
      });
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(headTimer);
      if (answered || res.writableEnded) return;
      answered = true;
      refuse(502, 'api_error', `the upstream ${target.host} is unreachable (${error.code ?? 'error'})`);
    });
    outgoing.setTimeout(limits.idleTimeoutMs, () => outgoing.destroy(Object.assign(new Error('idle'), { code: 'ETIMEDOUT' })));

    // The client went away: stop the upstream work too.
    res.on('close', () => {
      if (res.writableFinished) return;
      outgoing.destroy();
      finish(499, 'the client went away');
    });

    outgoing.end(body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new KeyTrayError('usage', `Port ${options.port} on 127.0.0.1 is already in use.`, {
              fix: 'Stop what uses it, or choose another port with `keytray proxy --port <n>`.',
            })
          : error,
      ),
    );
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        agents.http.destroy();
        agents.https.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Upstreams (with their keys) read from the vault at most once a second per
 * provider, so a request costs no file or keychain access, and a key
 * switched in the app or CLI is used within a second.
 */
class UpstreamCache {
  private static readonly FRESH_MS = 1000;
  private readonly cache = new Map<string, Upstream>();
  private readonly checked = new Map<ProviderId, { at: number; upstream: Upstream }>();
  constructor(private readonly vault: Vault) {}

  async get(provider: ProviderId): Promise<Upstream> {
    const recent = this.checked.get(provider);
    if (recent && performance.now() - recent.at < UpstreamCache.FRESH_MS) return recent.upstream;
    const upstream = await this.resolve(provider);
    this.checked.set(provider, { at: performance.now(), upstream });
    return upstream;
  }

  private async resolve(provider: ProviderId): Promise<Upstream> {
    const meta = await this.vault.readMetadata();
    const state = meta.providers[provider];
    const record = state?.keys.find((k) => k.label === state.active);
    if (!state || !record) throw new KeyTrayError('not-found', `KeyTray has no ${PROVIDERS[provider].label} key to send.`);
    const base = effectiveBaseUrl(provider, state.settings);
    if (!base) throw new KeyTrayError('usage', `${PROVIDERS[provider].label} needs a region before the proxy can reach it.`);
    const cacheKey = `${provider}/${record.label}/${record.fingerprint}/${record.profile ?? ''}/${base}/${state.settings.workspaceId ?? ''}`;
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    const info = PROVIDERS[provider];
    const headers: Record<string, string> = {};
    if (info.usesWorkspace && state.settings.workspaceId) headers['anthropic-workspace-id'] = state.settings.workspaceId;
    const upstream: Upstream = { provider, label: record.label, url: new URL(base), headers };
    if (record.auth === 'sigv4-keys' || record.auth === 'sigv4-profile') {
      const region = state.settings.region;
      if (!region) throw new KeyTrayError('usage', `${info.label} needs a region to sign requests.`);
      const credentials = await keyCredentials(this.vault, provider, record);
      upstream.sign = (input) => signAws(info.sigv4Service ?? '', region, credentials, input);
    } else {
      const { secret } = await this.vault.secret(provider, record.label);
      Object.assign(headers, keyHeaders(provider, secret));
    }
    for (const key of this.cache.keys()) if (key.startsWith(`${provider}/`)) this.cache.delete(key);
    this.cache.set(cacheKey, upstream);
    return upstream;
  }
}

/** The whole body, or null past the limit. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function presentsToken(req: IncomingMessage, expected: Buffer): boolean {
  const candidates: string[] = [];
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string') candidates.push(apiKey);
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^Bearer /i.test(auth)) candidates.push(auth.slice(7).trim());
  // Digests have equal length, so the comparison takes the same time whatever was sent.
  return candidates.some((c) => timingSafeEqual(digest(c), expected));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function isLoopbackHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;
}

function isLoopbackOrigin(origin: string, port: number): boolean {
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}

function errorBody(message: string, type = 'invalid_request_error'): string {
  return JSON.stringify({ type: 'error', error: { type, message: `KeyTray proxy: ${message}` } });
}
