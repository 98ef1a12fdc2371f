/**
 * What the local proxy reports: one log entry per request. Never a secret,
 * never a body.
 */
import { isProviderIdShape, type ProviderId } from './providers';

export interface ProxyLogEntry {
  time: string;
  method: string;
  /** The path as the client asked for it, without the query string. */
  path: string;
  status: number;
  latencyMs: number;
  provider: ProviderId | null;
  label: string | null;
  /** Why KeyTray answered itself instead of the upstream (401, 403, 413, 502, 504…). */
  error?: string;
  /** A request KeyTray answered itself on purpose (Claude Code's `HEAD /api/hello` connection check). */
  note?: string;
}

/** The user's word on the proxy: started or stopped until they say `auto`, which follows the configurations. */
export type ProxyHold = 'auto' | 'started' | 'stopped';

export interface ProxyStatus {
  running: boolean;
  port: number;
  /** Whether a configuration KeyTray wrote sends requests through it. */
  needed: boolean;
  held: ProxyHold;
  /** Why the last start failed. */
  error?: string;
}

/** The path prefix that routes to each provider: `http://127.0.0.1:<port>/<provider>/…`. */
export function proxyBaseUrl(port: number, provider: ProviderId): string {
  return `http://127.0.0.1:${port}/${provider}`;
}

/**
 * The route a base URL names on a KeyTray proxy (the form proxyBaseUrl writes, or with localhost, and
 * with the API's own path after it, as in Codex's `…/openai/v1`), else null.
 */
export function proxyRouteOf(baseUrl: string): { port: number; provider: ProviderId } | null {
  const match = /^http:\/\/(?:127\.0\.0\.1|localhost):(\d+)\/([a-z-]+)(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9._~-]+)*\/?$/.exec(baseUrl);
  const provider = match?.[2] ?? '';
  return match && isProviderIdShape(provider) ? { port: Number(match[1]), provider } : null;
}
