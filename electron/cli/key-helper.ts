/**
 * `keytray key <provider> [<label>]`: prints the key and nothing else. Claude
 * Code's apiKeyHelper runs it at every start, so this entry is bundled alone
 * and loads only the vault. Any failure: one line on stderr, nothing on
 * stdout, a non-zero exit.
 */
import { exitCodeFor, KeyTrayError } from '../../shared/errors';
import { Vault } from '../core/vault';

export async function runKeyHelper(args: string[]): Promise<number> {
  const [provider, label, ...extra] = args;
  if (!provider || provider.startsWith('-') || label?.startsWith('-') || extra.length > 0) {
    process.stderr.write('keytray key: usage: keytray key <provider> [<label>]\n');
    return exitCodeFor('usage');
  }
  try {
    const { secret } = await new Vault().secret(provider, label);
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
