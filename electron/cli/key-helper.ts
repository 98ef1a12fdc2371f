/**
 * `keytray key <provider> [<label>]`: prints the key and nothing else
 * (`keytray key --proxy-token`: the proxy token, in proxy mode). Claude
 * Code's apiKeyHelper runs it at every start, so this entry is bundled alone
 * and loads only the vault. Any failure: one line on stderr, nothing on
 * stdout, a non-zero exit.
 */
import { exitCodeFor, KeyTrayError } from '../../shared/errors';
import { PROXY_TOKEN_ARG } from '../../shared/helper-command';
import { Vault } from '../core/vault';

export async function runKeyHelper(args: string[]): Promise<number> {
  const [provider, label, ...extra] = args;
  const proxyToken = provider === PROXY_TOKEN_ARG && label === undefined;
  if (!provider || (provider.startsWith('-') && !proxyToken) || label?.startsWith('-') || extra.length > 0) {
    process.stderr.write(`keytray key: usage: keytray key <provider> [<label>], or keytray key ${PROXY_TOKEN_ARG}\n`);
    return exitCodeFor('usage');
  }
  try {
    const vault = new Vault();
    // Proxy mode: Claude Code gets the proxy token, never a key.
    const secret = proxyToken ? await vault.proxyToken() : (await vault.secret(provider, label)).secret;
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
