/**
 * The `keytray` command line: the whole product, headless, on top of core.
 */
import { KeyTrayError } from '../../shared/errors';
import { Vault } from '../core/vault/vault';
import { CONFIGURE_USAGE, configureCommand, STATUS_USAGE, statusCommand } from './agent-commands';
import { BACKUPS_USAGE, backupsCommand } from './backups-command';
import { BINDINGS_USAGE, bindingsCommand } from './bindings-command';
import { closest } from './did-you-mean';
import { EXEC_USAGE, execCommand } from './exec-command';
import { IMPORT_USAGE, importCommand } from './import-command';
import { runKeyHelper } from './key-helper';
import { KEYS_USAGE, keysCommand } from './keys-command';
import { reportError } from './output';
import { PROVIDER_USAGE, providerCommand } from './provider-command';
import { PROXY_USAGE, proxyCommand } from './proxy-command';
import { DOCTOR_USAGE, doctorCommand, STORE_USAGE, storeCommand } from './store-command';
import { USAGE_USAGE, usageCommand } from './usage-command';

declare const KEYTRAY_VERSION: string;

const HELP = `KeyTray keeps AI API keys in the OS keychain and hands them to coding agents.

Usage:
       ${KEYS_USAGE}
       keytray key <provider> [<label>]        print the key alone (for apiKeyHelper)
       ${CONFIGURE_USAGE}
       ${STATUS_USAGE}
       ${BINDINGS_USAGE}
       ${EXEC_USAGE}
       ${PROXY_USAGE}
       ${USAGE_USAGE}
       ${PROVIDER_USAGE}
       ${STORE_USAGE}
       ${DOCTOR_USAGE}
       ${BACKUPS_USAGE}
       ${IMPORT_USAGE}

Providers: anthropic, anthropic-aws, bedrock, openai, openrouter, gemini, and any you add (keytray provider add).
Exit status: 0 ok, 1 internal error, 2 usage, 3 not found, 4 keychain unavailable,
5 metadata and keychain disagree, 6 label already taken, 7 undo refused (the file changed since), 8 key test failed.`;

/** Each command's usage, for `keytray <command> --help`. */
const USAGES: Record<string, string> = {
  keys: KEYS_USAGE,
  key: 'keytray key <provider> [<label>]',
  provider: PROVIDER_USAGE,
  store: STORE_USAGE,
  doctor: DOCTOR_USAGE,
  backups: BACKUPS_USAGE,
  import: IMPORT_USAGE,
  configure: CONFIGURE_USAGE,
  status: STATUS_USAGE,
  bindings: BINDINGS_USAGE,
  exec: EXEC_USAGE,
  proxy: PROXY_USAGE,
  usage: USAGE_USAGE,
};

export async function run(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const json = args.includes('--json');
  // `keytray <command> … --help`, anywhere before a `--` (what follows belongs to exec's command).
  const own = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
  if (command !== undefined && Object.hasOwn(USAGES, command) && (own.includes('--help') || own.includes('-h'))) {
    process.stdout.write(`Usage: ${USAGES[command]}\n`);
    return 0;
  }
  try {
    const vault = new Vault();
    switch (command) {
      case 'keys':
        return await keysCommand(vault, args);
      case 'key':
        return await runKeyHelper(args);
      case 'provider':
        return await providerCommand(vault, args);
      case 'store':
        return await storeCommand(vault, args);
      case 'doctor':
        return await doctorCommand(vault, args);
      case 'backups':
        return await backupsCommand(vault, args);
      case 'import':
        return await importCommand(vault, args);
      case 'configure':
        return await configureCommand(vault, args);
      case 'status':
        return await statusCommand(vault, args);
      case 'bindings':
        return await bindingsCommand(vault, args);
      case 'exec':
        return await execCommand(vault, args);
      case 'proxy':
        return await proxyCommand(vault, args);
      case 'usage':
        return await usageCommand(args);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${HELP}\n`);
        return command === undefined ? 2 : 0;
      case 'version':
      case '--version':
      case '-V':
      case '-v':
        process.stdout.write(`${KEYTRAY_VERSION}\n`);
        return 0;
      default:
        throw new KeyTrayError('usage', `Unknown command "${command}".`, {
          fix: `${closest(command, [...Object.keys(USAGES), 'help', 'version']) ? `Did you mean \`keytray ${closest(command, [...Object.keys(USAGES), 'help', 'version'])}\`? ` : ''}Run \`keytray help\` for the commands.`,
        });
    }
  } catch (error) {
    return reportError(error, json);
  }
}
