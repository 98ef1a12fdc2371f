/**
 * Proxy tokens: what Claude Code holds instead of a key. The install's token
 * (256 random bits, in the keychain) makes the proxy send each provider's
 * active key. A token derived from it for a named key (HMAC-SHA256 over the
 * provider and label) makes the proxy send that key, so a project bound to a
 * key keeps its own key in proxy mode. A derived token reveals nothing of the
 * install's token or of any key; it is recomputed when needed, never stored.
 */
import type { HelperBinding } from '../../../shared/helper-command';
import { type ProviderId, providerIds } from '../../../shared/providers';
import type { Vault } from '../vault/vault';

export function bindingToken(installToken: string, binding: Required<HelperBinding>): string {
  // Loaded here, not at the top: the key helper Claude Code runs at every start only loads what it uses.
  const { createHmac } = process.getBuiltinModule('node:crypto');
  const mac = createHmac('sha256', installToken).update(`keytray binding ${binding.provider}/${binding.label}`);
  return `ktp_${mac.digest('base64url')}`;
}

/**
 * A route token (Gemini CLI's .env): good for one provider's route only, for
 * its active key or a named one, and only while the binding that carries its
 * id exists. Written to a file by design, so it must be worth nothing alone:
 * it opens no other route, and removing the binding revokes it.
 */
export function routeToken(installToken: string, route: RouteBinding): string {
  const { createHmac } = process.getBuiltinModule('node:crypto');
  const mac = createHmac('sha256', installToken).update(`keytray route ${route.provider}/${route.label ?? '*'}/${route.tokenId}`);
  return `ktp_${mac.digest('base64url')}`;
}

/** Where the proxy proves who it is: `GET /.keytray/identity?c=<challenge>`. */
export const IDENTITY_PATH = '/.keytray/identity';

/**
 * The proxy's answer to a challenge: an HMAC of it under the install's token.
 * Only a listener that holds the token can give it, so a program squatting
 * the port while KeyTray's proxy is down cannot pass for it; and the answer
 * reveals nothing of the token.
 */
export function identityProof(installToken: string, challenge: string): string {
  const { createHmac } = process.getBuiltinModule('node:crypto');
  return createHmac('sha256', installToken).update(`keytray proxy identity ${challenge}`).digest('hex');
}

export interface RouteBinding {
  provider: ProviderId;
  label?: string;
  tokenId: string;
}

/** The proxy token a helper prints: a binding's own, or the install's (the active keys). */
export function heldToken(installToken: string, binding?: Required<HelperBinding>): string {
  return binding ? bindingToken(installToken, binding) : installToken;
}

/**
 * Who presented a token: the install (active keys), or a binding (one provider's route; a named key, or
 * its active one). `route`: a route token, valid only while the binding that carries its id exists.
 */
export type TokenHolder = { kind: 'install' } | ({ kind: 'binding'; route?: true } & HelperBinding);

/**
 * Recognises the tokens the proxy accepts, in constant time: the install's
 * token byte for byte (every token has the same length, so the length tells
 * nothing), a binding's by the digest of what was presented.
 */
const INSTALL: TokenHolder = Object.freeze({ kind: 'install' });

export class ProxyTokens {
  private bindings = new Map<string, HelperBinding & { route?: true }>();
  /** The metadata file the bindings were worked out from (Vault.metadataStamp). */
  private stamp: string | null = null;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly vault: Vault,
    private installToken: string,
  ) {}

  /** This proxy's answer to an identity challenge. */
  proof(challenge: string): string {
    return identityProof(this.installToken, challenge);
  }

  /** Who holds one of `candidates`, by what is known now; null for none. */
  match(candidates: readonly string[]): TokenHolder | null {
    // The install's token first: it is every request's in plain proxy mode, and needs no hashing.
    for (const candidate of candidates) if (sameToken(candidate, this.installToken)) return INSTALL;
    for (const candidate of candidates) {
      const binding = this.bindings.get(digest(candidate).toString('hex'));
      if (binding) return { kind: 'binding', ...binding };
    }
    return null;
  }

  /** Works out the token of every named key again if keys were added, renamed or removed since (one stat otherwise). */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const stamp = await this.vault.metadataStamp();
        if (stamp === this.stamp) return;
        const meta = await this.vault.readMetadata();
        // A rotated install token (`keytray proxy rotate-token`): the old one, and all derived from it, stop here.
        const install = await this.vault.existingProxyToken();
        const rotated = install !== null && install !== this.installToken;
        if (install && rotated) {
          this.installToken = install;
        }
        // A removed key's token is still recognised, so its request gets a sentence saying the key is gone
        // rather than a bare 401; a route token goes with its binding, and every token with a rotated install.
        const next = new Map<string, HelperBinding & { route?: true }>();
        if (!rotated) for (const [digest, holder] of this.bindings) if (!holder.route) next.set(digest, holder);
        for (const provider of providerIds())
          for (const { label } of meta.providers[provider]?.keys ?? [])
            next.set(digest(bindingToken(this.installToken, { provider, label })).toString('hex'), { provider, label });
        for (const files of Object.values(meta.bindings ?? {}))
          for (const { provider, label, tokenId } of Object.values(files))
            if (tokenId)
              next.set(
                digest(routeToken(this.installToken, { provider, ...(label ? { label } : {}), tokenId })).toString('hex'),
                { provider, ...(label ? { label } : {}), route: true },
              );
        this.bindings = next;
        this.stamp = stamp;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }
}

/**
 * Whether a presented token is the install's, in time that depends on the
 * length alone (every token has the same length). In place over the two
 * strings: no buffer per request, no call out of JavaScript.
 */
function sameToken(presented: string, token: string): boolean {
  if (presented.length !== token.length) return false;
  let difference = 0;
  for (let i = 0; i < token.length; i++) difference |= presented.charCodeAt(i) ^ token.charCodeAt(i);
  return difference === 0;
}

function crypto(): typeof import('node:crypto') {
  return process.getBuiltinModule('node:crypto');
}

function digest(value: string): Buffer {
  return crypto().hash('sha256', value, 'buffer');
}
