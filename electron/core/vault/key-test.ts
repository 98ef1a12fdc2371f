/**
 * "Test key": one cheap authenticated request to the provider's upstream
 * (listing models, or inference profiles on Bedrock), to tell a working key
 * from a revoked or mistyped one before Claude Code finds out.
 */
import { KeyTrayError } from '../../../shared/errors';
import { maskSecret } from '../../../shared/mask';
import { effectiveBaseUrl } from '../../../shared/provider-settings';
import { keyHeaders, type ProviderId, providerInfo } from '../../../shared/providers';
import { keyCredentials, signAws } from '../proxy/aws-signer';
import type { Vault } from './vault';

export interface KeyTestResult {
  ok: boolean;
  status: number | null;
  /** The upstream's own words on failure (its error message), or the network error. Never the key. */
  message: string;
  latencyMs: number;
}

const PATHS: Record<ProviderId, string> = {
  anthropic: '/v1/models?limit=1',
  'anthropic-aws': '/v1/models?limit=1',
  bedrock: '/inference-profiles?maxResults=1',
  openai: '/v1/models',
  openrouter: '/v1/key',
  gemini: '/v1beta/models?pageSize=1',
};

export async function testKey(vault: Vault, provider: ProviderId, label: string, timeoutMs = 10_000): Promise<KeyTestResult> {
  const meta = await vault.readMetadata();
  const state = meta.providers[provider];
  const record = state?.keys.find((k) => k.label === label);
  if (!state || !record) throw new KeyTrayError('not-found', `${provider} has no key labelled "${label}".`);
  const base = effectiveBaseUrl(provider, state.settings);
  if (!base) throw new KeyTrayError('usage', `${providerInfo(provider).label} needs a region before a key can be tested.`);
  const url = new URL(base.replace(/\/$/, '') + PATHS[provider]);
  const info = providerInfo(provider);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (provider === 'anthropic' || provider === 'anthropic-aws') headers['anthropic-version'] = '2023-06-01';
  if (info.usesWorkspace && state.settings.workspaceId) headers['anthropic-workspace-id'] = state.settings.workspaceId;

  // Some upstreams quote the key they refused; it must not come back out.
  let scrub = (message: string) => message;
  if (record.auth === 'sigv4-keys' || record.auth === 'sigv4-profile') {
    const credentials = await keyCredentials(vault, provider, record);
    Object.assign(
      headers,
      await signAws(info.sigv4Service ?? '', state.settings.region ?? '', credentials, {
        method: 'GET',
        url,
        headers: { ...headers },
        body: Buffer.alloc(0),
      }),
    );
  } else {
    const { secret } = await vault.secret(provider, label);
    scrub = (message) => message.replaceAll(secret, maskSecret(secret));
    Object.assign(headers, keyHeaders(provider, secret));
  }

  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  try {
    // A redirect is reported, never followed: following it would send the key to wherever it points.
    const response = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    if (response.status >= 300 && response.status < 400) {
      const to = response.headers.get('location');
      const where = to ? ` to ${new URL(to, url).origin}` : '';
      return {
        ok: false,
        status: response.status,
        message: `${url.host} answered with a redirect${where}; KeyTray does not follow a redirect with a key attached. Check the provider's base URL (\`keytray provider list\`).`,
        latencyMs: latency(),
      };
    }
    if (response.ok)
      return { ok: true, status: response.status, message: `${info.label} accepted the key.`, latencyMs: latency() };
    const message = upstreamMessage(text) ?? `${info.label} answered HTTP ${response.status}.`;
    return { ok: false, status: response.status, message: scrub(message), latencyMs: latency() };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).name;
    return { ok: false, status: null, message: `${url.host} could not be reached (${why}).`, latencyMs: latency() };
  }
}

/** The message in an Anthropic, OpenAI or AWS error body. */
function upstreamMessage(text: string): string | null {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown; Message?: unknown };
    const candidate = typeof body.error === 'object' ? body.error?.message : (body.error ?? body.message ?? body.Message);
    return typeof candidate === 'string' ? candidate.slice(0, 300) : null;
  } catch {
    return null;
  }
}
