/**
 * `keytray key <provider> [<label>]`: prints the key and nothing else
 * (`keytray key --proxy-token [<provider> <label>]`: the proxy token, or a
 * named key's own proxy token, in proxy mode). Claude
 * Code's apiKeyHelper runs it at every start, so this entry is bundled alone
 * and loads only the vault. Any failure: one line on stderr, nothing on
 * stdout, a non-zero exit.
 */
import { exitCodeFor, KeyTrayError } from '../../shared/errors';
import { PROXY_TOKEN_ARG } from '../../shared/helper-command';
import { isProviderId, type ProviderId } from '../../shared/providers';
import { heldToken } from '../core/proxy/proxy-token';
import { Vault } from '../core/vault/vault';

export async function runKeyHelper(args: string[]): Promise<number> {
  const proxyToken = args[0] === PROXY_TOKEN_ARG;
  const [provider, label, ...extra] = proxyToken ? args.slice(1) : args;
  const bad = (value: string | undefined) => value?.startsWith('-') ?? false;
  const usable = proxyToken
    ? (provider === undefined || (isProviderId(provider) && label !== undefined)) && !bad(label) && extra.length === 0
    : provider !== undefined && !bad(provider) && !bad(label) && extra.length === 0;
  if (!usable) {
    process.stderr.write(
      `keytray key: usage: keytray key <provider> [<label>], or keytray key ${PROXY_TOKEN_ARG} [<provider> <label>]\n`,
    );
    return exitCodeFor('usage');
  }
  try {
    const vault = new Vault();
    // Proxy mode: Claude Code gets a proxy token, never a key.
    const secret = proxyToken
      ? heldToken(await vault.proxyToken(), provider && label ? { provider: provider as ProviderId, label } : undefined)
      : (await vault.secret(provider as string, label)).secret;
    // The key alone; a newline only for a person reading a terminal.
    process.stdout.write(process.stdout.isTTY ? `${secret}\n` : secret);
    return 0;
  } catch (error) {
    const known = error instanceof KeyTrayError ? error : null;
    const reason = known ? [known.message, known.fix].filter(Boolean).join(' ') : 'unexpected internal error.';
    process.stderr.write(`keytray key: ${reason}\n`);
    return exitCodeFor(known?.code ?? 'internal');
  }
}
