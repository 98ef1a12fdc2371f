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
import { isProviderIdShape, type ProviderId } from '../../shared/providers';
import { proxyIdentity } from '../core/proxy/identity';
import { heldToken } from '../core/proxy/proxy-token';
import { Vault } from '../core/vault/vault';

export async function runKeyHelper(args: string[]): Promise<number> {
  const proxyToken = args[0] === PROXY_TOKEN_ARG;
  const [provider, label, ...extra] = proxyToken ? args.slice(1) : args;
  const bad = (value: string | undefined) => value?.startsWith('-') ?? false;
  const usable = proxyToken
    ? (provider === undefined || (isProviderIdShape(provider) && label !== undefined)) && !bad(label) && extra.length === 0
    : provider !== undefined && !bad(provider) && !bad(label) && extra.length === 0;
  if (!usable) {
    process.stderr.write(
      `keytray key: usage: keytray key <provider> [<label>], or keytray key ${PROXY_TOKEN_ARG} [<provider> <label>]\n`,
    );
    return exitCodeFor('usage');
  }
  try {
    const vault = new Vault();
    let secret: string;
    if (proxyToken) {
      // Proxy mode: the agent gets a proxy token, never a key; and only once the listener on the
      // proxy's port has proved it is KeyTray's own (a squatter would otherwise receive the token).
      const install = await vault.proxyToken();
      await checkProxy(await vault.proxyPort(), install);
      secret = heldToken(install, provider && label ? { provider: provider as ProviderId, label } : undefined);
    } else {
      secret = (await vault.secret(provider as string, label)).secret;
    }
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

/** Refuses to hand out a proxy token unless KeyTray's own proxy answers on its port. */
async function checkProxy(port: number, install: string): Promise<void> {
  const identity = await proxyIdentity(port, install);
  if (identity === 'none') {
    throw new KeyTrayError('not-found', `KeyTray's proxy is not running on 127.0.0.1:${port}.`, {
      fix: 'Start the KeyTray app, or run `keytray proxy`.',
    });
  }
  if (identity === 'other') {
    throw new KeyTrayError(
      'inconsistent',
      `Something that is not KeyTray's proxy is listening on 127.0.0.1:${port}; KeyTray did not hand it the proxy token.`,
      {
        fix: `Stop that program (\`ss -ltnp 'sport = :${port}'\` names it), or move KeyTray's proxy with \`keytray proxy port <n>\`.`,
      },
    );
  }
}
