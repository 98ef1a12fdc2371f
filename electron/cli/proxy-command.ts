/**
 * `keytray proxy`: runs the credential-isolating proxy in the foreground,
 * and `keytray proxy log` shows what went through it.
 */
import { KeyTrayError } from '../../shared/errors';
import { PROVIDER_IDS } from '../../shared/providers';
import { type ProxyLogEntry, proxyBaseUrl } from '../../shared/proxy-types';
import { dataDir } from '../core/paths';
import { ProxyController } from '../core/proxy/proxy-controller';
import { proxyLogPath, readProxyLog } from '../core/proxy/proxy-log';
import type { Vault } from '../core/vault/vault';
import { JSON_OPTION, parse } from './args';
import { printJson, printLines } from './output';

export const PROXY_USAGE = `keytray proxy [--port <n>] [--quiet]
       keytray proxy log [--last <n>] [--json]`;

export async function proxyCommand(vault: Vault, args: string[]): Promise<number> {
  if (args[0] === 'log') return showLog(args.slice(1));
  const { values } = parse(
    args,
    { port: { type: 'string' }, quiet: { type: 'boolean' } },
    'keytray proxy [--port <n>] [--quiet]',
    {
      min: 0,
      max: 0,
    },
  );
  if (values.port !== undefined) await vault.setProxyPort(Number(values.port));
  // --quiet: the log file only (`keytray proxy log`), no line per request on the terminal.
  const proxy = new ProxyController(
    vault,
    proxyLogPath(dataDir()),
    values.quiet ? undefined : (entry) => process.stdout.write(`${logLine(entry)}\n`),
  );
  await proxy.ensure(true);
  const failure = proxy.lastFailure();
  if (failure) throw failure;
  const { port } = proxy.status();
  const meta = await vault.readMetadata();
  const routes = PROVIDER_IDS.filter((id) => meta.providers[id]?.active).map(
    (id) => `  ${proxyBaseUrl(port, id)} → ${id}/${meta.providers[id]?.active}`,
  );
  printLines([`KeyTray proxy listening on http://127.0.0.1:${port} (Ctrl-C stops it)`, ...routes]);
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  await proxy.stop();
  return 0;
}

async function showLog(args: string[]): Promise<number> {
  const { values } = parse(
    args,
    { last: { type: 'string', default: '50' }, ...JSON_OPTION },
    'keytray proxy log [--last <n>] [--json]',
    {
      min: 0,
      max: 0,
    },
  );
  const last = Number(values.last);
  if (!Number.isInteger(last) || last < 1) throw new KeyTrayError('usage', '--last takes a positive number.');
  const entries = await readProxyLog(proxyLogPath(dataDir()), last);
  if (values.json) printJson({ entries });
  else printLines(entries.length ? entries.map(logLine) : ['No requests yet.']);
  return 0;
}

function logLine(e: ProxyLogEntry): string {
  const key = e.provider ? `${e.provider}/${e.label}` : '-';
  return `${e.time}  ${e.method.padEnd(6)} ${String(e.status).padEnd(3)} ${`${e.latencyMs}ms`.padStart(9)}  ${key}  ${e.path}${e.error ? `  (${e.error})` : ''}`;
}
