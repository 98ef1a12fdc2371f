/**
 * Keep-alive connections from the proxy to the providers' upstreams, plain or
 * TLS, pooled per origin and reused last-in first-out, with TLS sessions
 * resumed on new connections. A pooled connection belongs to one exchange at
 * a time: the exchange installs its handlers, and gives the connection back
 * only once its response has ended cleanly.
 */
import net, { type Socket } from 'node:net';
import tls from 'node:tls';

export interface ExchangeHandlers {
  data(chunk: Buffer): void;
  /** The upstream closed or failed; `error` is set when it failed. */
  closed(error: NodeJS.ErrnoException | null): void;
}

export interface UpstreamConnection {
  readonly socket: Socket;
  /** Taken from the pool rather than opened for this exchange: the upstream may have closed it meanwhile. */
  readonly reused: boolean;
  attach(handlers: ExchangeHandlers): void;
}

interface Pooled extends UpstreamConnection {
  reused: boolean;
  origin: string;
  handlers: ExchangeHandlers | null;
  failure: NodeJS.ErrnoException | null;
  /** When it was last given back (performance.now()). */
  idleSince: number;
}

export class UpstreamPool {
  private readonly idle = new Map<string, Pooled[]>();
  private readonly sessions = new Map<string, Buffer>();
  private readonly open = new Set<Pooled>();
  private sweep: NodeJS.Timeout | null = null;
  /**
   * One TLS context for every connection: without it each tls.connect builds
   * its own, CA store and all, about a millisecond of CPU per new connection
   * (bench/proxy/README.md).
   */
  private secureContext: tls.SecureContext | null = null;

  constructor(
    /** How long an unused connection is kept. */
    private readonly idleMs = 60_000,
    private readonly maxIdlePerOrigin = 64,
  ) {}

  /**
   * A connection to `url`'s origin: an idle one if there is one, else a new one (writes queue until it is up).
   * `origin` is url.origin, passed by a caller that has it already (the getter builds a new string each time).
   */
  acquire(url: URL, origin = url.origin): UpstreamConnection {
    const idle = this.idle.get(origin);
    for (let pooled = idle?.pop(); pooled; pooled = idle?.pop()) {
      // One the upstream has already closed, its close not yet handled, is no use.
      if (pooled.socket.destroyed || !pooled.socket.writable || pooled.socket.readableEnded) {
        pooled.socket.destroy();
        continue;
      }
      pooled.reused = true;
      return pooled;
    }
    return this.connect(url);
  }

  /**
   * Opens a connection to `url`'s origin ahead of any request, unless one is
   * idle already: the first request then finds TCP and TLS done. If the
   * upstream closes it meanwhile, it leaves the pool as any idle one does.
   */
  preconnect(url: URL): void {
    if (this.idle.get(url.origin)?.length) return;
    this.release(this.connect(url));
  }

  /** A new connection, never a pooled one (a retry after a reused one failed). */
  fresh(url: URL): UpstreamConnection {
    return this.connect(url);
  }

  /** Gives a connection back after a cleanly ended response. */
  release(connection: UpstreamConnection): void {
    const pooled = connection as Pooled;
    pooled.handlers = null;
    if (pooled.socket.destroyed || pooled.failure) return;
    const idle = this.idle.get(pooled.origin) ?? [];
    if (idle.length >= this.maxIdlePerOrigin) return void pooled.socket.destroy();
    idle.push(pooled);
    this.idle.set(pooled.origin, idle);
    pooled.idleSince = performance.now();
    if (!this.sweep) {
      // One beat for the whole pool, not a timer per exchange.
      this.sweep = setInterval(() => this.closeStale(), Math.max(1000, this.idleMs / 4));
      this.sweep.unref();
    }
  }

  private closeStale(): void {
    const limit = performance.now() - this.idleMs;
    for (const idle of this.idle.values()) for (const pooled of idle.filter((p) => p.idleSince < limit)) pooled.socket.destroy();
  }

  /** Drops a connection whose exchange did not end cleanly. */
  discard(connection: UpstreamConnection): void {
    (connection as Pooled).handlers = null;
    connection.socket.destroy();
  }

  destroy(): void {
    if (this.sweep) clearInterval(this.sweep);
    for (const connection of this.open) connection.socket.destroy();
    this.idle.clear();
  }

  /** One TLS context for every upstream connection: building one per connection cost about a millisecond of CPU. */
  private sharedSecureContext(): tls.SecureContext {
    if (!this.secureContext) this.secureContext = tls.createSecureContext();
    return this.secureContext;
  }

  private connect(url: URL): Pooled {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const secure = url.protocol === 'https:';
    const port = Number(url.port) || (secure ? 443 : 80);
    const socket = secure
      ? tls.connect({
          secureContext: this.sharedSecureContext(),
          host,
          port,
          servername: net.isIP(host) ? undefined : host,
          ALPNProtocols: ['http/1.1'],
          session: this.sessions.get(url.origin),
        })
      : net.connect({ host, port });
    socket.setNoDelay(true);
    const pooled: Pooled = {
      socket,
      origin: url.origin,
      reused: false,
      handlers: null,
      failure: null,
      idleSince: 0,
      attach(handlers) {
        this.handlers = handlers;
      },
    };
    this.open.add(pooled);
    if (secure) socket.on('session', (session: Buffer) => this.sessions.set(url.origin, session));
    socket.on('data', (chunk: Buffer) => {
      if (pooled.handlers) pooled.handlers.data(chunk);
      // Bytes nobody asked for: the connection can no longer be trusted to frame the next answer.
      else socket.destroy();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      pooled.failure = error;
    });
    socket.on('close', () => {
      this.open.delete(pooled);
      const idle = this.idle.get(pooled.origin);
      const at = idle?.indexOf(pooled) ?? -1;
      if (idle && at >= 0) idle.splice(at, 1);
      const handlers = pooled.handlers;
      pooled.handlers = null;
      handlers?.closed(pooled.failure);
    });
    return pooled;
  }
}
