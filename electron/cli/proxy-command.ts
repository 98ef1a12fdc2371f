/**
 * `keytray proxy`: runs the credential-isolating proxy in the foreground,
 * and `keytray proxy log` shows what went through it.
 */
import { parentPort } from 'node:worker_threads';
import { AGENTS } from '../../shared/agents/catalog';
import { KeyTrayError } from '../../shared/errors';
import { providerIds } from '../../shared/providers';
import { type ProxyLogEntry, proxyBaseUrl } from '../../shared/proxy-types';
import { boundFiles, inProxyMode, moveProxyPort, rotateProxyToken } from '../core/agents/rebind';
import { configDir, dataDir } from '../core/paths';
import { ProxyController } from '../core/proxy/proxy-controller';
import { proxyLogPath, readProxyLog } from '../core/proxy/proxy-log';
import { usageLogPath } from '../core/usage/usage-log';
import type { Vault } from '../core/vault/vault';
import { cliServices } from './agent-commands';
import { JSON_OPTION, parse } from './args';
import { printJson, printLines, rewrittenLines, rewrittenStatus, warn } from './output';

export const PROXY_USAGE = `keytray proxy [--port <n>] [--quiet] [--no-usage]
       keytray proxy port [<n>] [--json]
       keytray proxy rotate-token [--json]
       keytray proxy log [--last <n>] [--json]`;

export async function proxyCommand(vault: Vault, args: string[]): Promise<number> {
  if (args[0] === 'log') return showLog(args.slice(1));
  if (args[0] === 'port') return portCommand(vault, args.slice(1));
  if (args[0] === 'rotate-token') return rotateCommand(vault, args.slice(1));
  const { values } = parse(
    args,
    { port: { type: 'string' }, quiet: { type: 'boolean' }, 'no-usage': { type: 'boolean' } },
    'keytray proxy [--port <n>] [--quiet] [--no-usage]',
    {
      min: 0,
      max: 0,
    },
  );
  // --port is for this run only: the stored port is what configured agents point at.
  const once = values.port === undefined ? undefined : portNumber(values.port);
  // --quiet: the log file only (`keytray proxy log`), no line per request on the terminal.
  const proxy = new ProxyController(
    vault,
    proxyLogPath(dataDir()),
    values.quiet ? undefined : (entry) => process.stdout.write(`${logLine(entry)}\n`),
    once,
    // --no-usage: answers pass unread, and nothing goes to the usage file.
    values['no-usage'] ? null : usageLogPath(configDir()),
  );
  await proxy.ensure(true);
  const failure = proxy.lastFailure();
  if (failure) throw failure;
  // In the launcher's worker (small young generation, gc exposed): the start's garbage goes now,
  // not while the first request waits.
  (globalThis as { gc?: () => void }).gc?.();
  const { port } = proxy.status();
  const meta = await vault.readMetadata();
  const routes = providerIds()
    .filter((id) => meta.providers[id]?.active)
    .map((id) => `  ${proxyBaseUrl(port, id)} → ${id}/${meta.providers[id]?.active}`);
  const stored = await vault.proxyPort();
  const elsewhere = port === stored ? [] : boundFiles(meta, inProxyMode);
  if (elsewhere.length > 0) {
    warn(
      `this run listens on ${port}, but ${elsewhere.map((b) => `${AGENTS[b.agent].label} (${b.path})`).join(', ')} point${elsewhere.length === 1 ? 's' : ''} at the stored port ${stored}. To move them for good: \`keytray proxy port ${port}\`.`,
    );
  }
  printLines([`KeyTray proxy listening on http://127.0.0.1:${port} (Ctrl-C stops it)`, ...routes]);
  await stopAsked();
  await proxy.stop();
  return 0;
}

/**
 * Ctrl-C or SIGTERM; in the worker thread the launcher runs the proxy in
 * (bin/keytray.cjs), which gets no signals, the launcher's word for them.
 */
function stopAsked(): Promise<void> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
    parentPort?.once('message', (message) => message === 'stop' && resolve());
  });
}

function portNumber(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new KeyTrayError('usage', `"${text}" is not a port number: use 1 to 65535.`);
  }
  return port;
}

/** Shows the stored port, or moves it and every proxy-mode configuration with it. */
async function portCommand(vault: Vault, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, JSON_OPTION, 'keytray proxy port [<n>] [--json]', { min: 0, max: 1 });
  if (positionals[0] === undefined) {
    const port = await vault.proxyPort();
    if (values.json) printJson({ port });
    else printLines([String(port)]);
    return 0;
  }
  const move = await moveProxyPort(cliServices(vault).agents, vault, portNumber(positionals[0]));
  if (values.json) printJson(move);
  else
    printLines([
      `The proxy's port is now ${move.to} (was ${move.from}).`,
      ...rewrittenLines(move.files, `points at ${move.from}`),
      'A proxy running now keeps its old port until it restarts.',
    ]);
  return rewrittenStatus(move.files);
}

/** Replaces the install's proxy token; every derived token changes with it. */
async function rotateCommand(vault: Vault, args: string[]): Promise<number> {
  const { values } = parse(args, JSON_OPTION, 'keytray proxy rotate-token [--json]', { min: 0, max: 0 });
  const { files, proxy } = await rotateProxyToken(cliServices(vault).agents, vault);
  if (values.json) printJson({ rotated: true, files, proxy });
  else {
    const lines = [
      'The proxy token is replaced: every token made from the old one is refused from now on.',
      ...rewrittenLines(files, 'holds a token made from the old one'),
    ];
    lines.push(
      proxy === 'keytray'
        ? 'The running proxy took the new token.'
        : proxy === 'none'
          ? 'No proxy is running; it takes the new token when it starts.'
          : "Something that is not KeyTray's proxy answers on its port: see `keytray status`.",
    );
    printLines(lines);
  }
  return rewrittenStatus(files);
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
  return `${e.time}  ${e.method.padEnd(6)} ${String(e.status).padEnd(3)} ${`${e.latencyMs}ms`.padStart(9)}  ${key}  ${e.path}${e.error ? `  (${e.error})` : e.note ? `  (${e.note})` : ''}`;
}
