/**
 * `keytray keys …`: add, list, use, remove, rename and show keys.
 */
import { exitCodeFor, KeyTrayError } from '../../shared/errors';
import { providerInfo } from '../../shared/providers';
import type { KeyListing, KeyView } from '../../shared/vault-types';
import { renameKey } from '../core/agents/rebind';
import { testKey } from '../core/vault/key-test';
import type { Vault } from '../core/vault/vault';
import { cliServices } from './agent-commands';
import { JSON_OPTION, parse } from './args';
import { printJson, printLines, rewrittenLines, rewrittenStatus, warn } from './output';
import { readSecret } from './secret-input';

export const KEYS_USAGE = `keytray keys add <provider> [--label <name>] [--replace] [--activate] [--json]
       keytray keys add anthropic-aws|bedrock [--label <name>] [--region <r>] [--workspace <id>] [--auth api-key|sigv4] [--profile <name>]
       keytray keys list [--json]
       keytray keys use <provider> <label> [--json]
       keytray keys remove <provider> <label> [--force] [--json]
       keytray keys rename <provider> <label> <new-label> [--json]
       keytray keys show <provider> [<label>] [--reveal] [--json]
       keytray keys test <provider> [<label>] [--json]
       keytray keys budget <provider> <label> <usd>|--clear [--json]`;

export async function keysCommand(vault: Vault, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'add':
      return add(vault, rest);
    case 'list':
    case 'ls':
      return list(vault, rest);
    case 'use':
      return use(vault, rest);
    case 'remove':
    case 'rm':
      return remove(vault, rest);
    case 'rename':
      return rename(vault, rest);
    case 'show':
      return show(vault, rest);
    case 'test':
      return test(vault, rest);
    case 'budget':
      return budget(vault, rest);
    default:
      throw new KeyTrayError('usage', sub ? `Unknown command "keys ${sub}".` : 'Missing a keys command.', {
        fix: `Usage: ${KEYS_USAGE}`,
      });
  }
}

async function add(vault: Vault, args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      label: { type: 'string', default: 'default' },
      replace: { type: 'boolean' },
      activate: { type: 'boolean' },
      region: { type: 'string' },
      workspace: { type: 'string' },
      auth: { type: 'string' },
      profile: { type: 'string' },
      ...JSON_OPTION,
    },
    'keytray keys add <provider> [--label <name>] [--region <r>] [--workspace <id>] [--auth api-key|sigv4] [--profile <name>] [--replace] [--activate] [--json]',
    { min: 1, max: 1 },
  );
  const provider = await vault.checkAdd(positionals[0] as string, values.label, values.replace);
  if (values.auth !== undefined && values.auth !== 'api-key' && values.auth !== 'sigv4') {
    throw new KeyTrayError('usage', `Unknown --auth "${values.auth}": use api-key or sigv4.`);
  }
  const auth = values.auth === 'sigv4' ? (values.profile ? 'sigv4-profile' : 'sigv4-keys') : values.auth;
  // Region and workspace belong to the provider; set them first so a bad one stops the add.
  const settings = {
    ...(values.region ? { region: values.region } : {}),
    ...(values.workspace ? { workspaceId: values.workspace } : {}),
  };
  if (Object.keys(settings).length > 0) await vault.configureProvider(provider, settings);
  const prompt =
    auth === 'sigv4-keys'
      ? 'AWS access keys as ACCESS_KEY_ID:SECRET_ACCESS_KEY[:SESSION_TOKEN]'
      : `${providerInfo(provider).label} key`;
  const raw =
    auth === 'sigv4-profile' || (auth === undefined && values.profile)
      ? ''
      : await readSecret(`${prompt} for "${values.label}" (input hidden): `);
  const { key, warnings } = await vault.add(provider, values.label, raw, {
    replace: values.replace,
    activate: values.activate,
    ...(auth ? { auth } : {}),
    ...(values.profile ? { profile: values.profile } : {}),
  });
  for (const w of warnings) warn(w);
  if (values.json) printJson({ key, warnings });
  else printLines([`Stored ${key.provider}/${key.label} (${key.masked})${key.active ? ', active' : ''}.`]);
  return 0;
}

async function list(vault: Vault, args: string[]): Promise<number> {
  const { values } = parse(args, JSON_OPTION, 'keytray keys list [--json]', { min: 0, max: 0 });
  const listing = await vault.list();
  if (values.json) printJson(listing);
  else printLines(listingLines(listing));
  return listing.storeError ? exitCodeFor(listing.storeError.code) : 0;
}

export function listingLines(listing: KeyListing): string[] {
  const lines = [`Store: ${listing.store.description}`];
  if (listing.storeError) {
    lines.push(`  unavailable: ${listing.storeError.message}`);
    if (listing.storeError.fix) lines.push(`  ${listing.storeError.fix}`);
  }
  const withKeys = listing.providers.filter((p) => p.keys.length > 0);
  if (withKeys.length === 0) lines.push('', 'No keys yet. Add one with `keytray keys add <provider> --label <name>`.');
  for (const provider of withKeys) {
    lines.push('', `${provider.id} (${provider.label})`);
    const width = Math.max(...provider.keys.map((k) => k.label.length));
    for (const key of provider.keys) lines.push(`  ${keyLine(key, width)}`);
  }
  for (const d of listing.discrepancies) lines.push('', `! ${d.message}`, `  ${d.fix}`);
  return lines;
}

function keyLine(key: KeyView, width: number): string {
  const marker = key.active ? '*' : ' ';
  const note = key.state === 'ok' ? '' : `  [${STATE_NOTES[key.state]}]`;
  return `${marker} ${key.label.padEnd(width)}  ${key.masked}  added ${key.createdAt.slice(0, 10)}${note}`;
}

const STATE_NOTES = {
  missing: 'secret missing from the store',
  changed: 'changed outside KeyTray',
  unknown: 'store unavailable',
} as const;

async function use(vault: Vault, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, JSON_OPTION, 'keytray keys use <provider> <label> [--json]', { min: 2, max: 2 });
  const key = await vault.use(positionals[0] as string, positionals[1] as string);
  if (values.json) printJson({ key });
  else printLines([`${key.provider}/${key.label} (${key.masked}) is now active.`]);
  return 0;
}

/** A key's daily budget: past it, the tray turns amber (see `keytray usage`). */
async function budget(vault: Vault, args: string[]): Promise<number> {
  const usage = 'keytray keys budget <provider> <label> <usd>|--clear [--json]';
  const { values, positionals } = parse(args, { clear: { type: 'boolean' }, ...JSON_OPTION }, usage, { min: 2, max: 3 });
  const [provider, label, amount] = positionals as [string, string, string | undefined];
  if ((amount === undefined) === !values.clear)
    throw new KeyTrayError('usage', values.clear ? 'Give a budget or --clear, not both.' : 'Missing the budget.', {
      fix: `Usage: ${usage}`,
    });
  const usd = amount === undefined ? null : Number(amount.replace(/^\$/, ''));
  if (usd !== null && (!/^\$?\d+(\.\d+)?$/.test(amount ?? '') || Number.isNaN(usd)))
    throw new KeyTrayError(
      'usage',
      `"${(amount ?? '').slice(0, 20)}" is not an amount: give US dollars a day, such as 5 or 12.50.`,
    );
  const key = await vault.setBudget(provider, label, usd);
  if (values.json) printJson({ key });
  else
    printLines([
      key.budgetUsd
        ? `${key.provider}/${key.label} has a daily budget of $${key.budgetUsd.toFixed(2)}: past it, the tray turns amber. Only requests through KeyTray's proxy count.`
        : `${key.provider}/${key.label} has no daily budget.`,
    ]);
  return 0;
}

async function remove(vault: Vault, args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    { force: { type: 'boolean' }, ...JSON_OPTION },
    'keytray keys remove <provider> <label> [--force] [--json]',
    { min: 2, max: 2 },
  );
  const [provider, label] = positionals as [string, string];
  const result = await vault.remove(provider, label, { force: values.force ?? false });
  if (values.json) printJson(result);
  else {
    const lines = [
      `Removed ${provider}/${label}${result.secretWasMissing ? ' (its secret was already gone from the store)' : ''}.`,
    ];
    if (result.active !== null) lines.push(`Active ${provider} key: ${result.active}.`);
    printLines(lines);
  }
  return 0;
}

async function rename(vault: Vault, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, JSON_OPTION, 'keytray keys rename <provider> <label> <new-label> [--json]', {
    min: 3,
    max: 3,
  });
  const [provider, from, to] = positionals as [string, string, string];
  const { key, files } = await renameKey(cliServices(vault).agents, vault, provider, from, to);
  if (values.json) printJson({ key, files });
  else {
    printLines([
      `Renamed ${provider}/${from} to ${provider}/${key.label}.`,
      ...rewrittenLines(files, `names ${provider}/${from}`),
    ]);
  }
  return rewrittenStatus(files);
}

async function show(vault: Vault, args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    { reveal: { type: 'boolean' }, ...JSON_OPTION },
    'keytray keys show <provider> [<label>] [--reveal] [--json]',
    { min: 1, max: 2 },
  );
  const [provider, label] = positionals as [string, string | undefined];
  const key = await vault.show(provider, label);
  const secret = values.reveal ? (await vault.secret(provider, key.label)).secret : undefined;
  if (values.json) {
    printJson(secret === undefined ? { key } : { key, secret });
    return 0;
  }
  const lines = [
    `${key.provider}/${key.label}${key.active ? ' (active)' : ''}`,
    `  masked:  ${key.masked}`,
    `  added:   ${key.createdAt}`,
    `  updated: ${key.updatedAt}`,
  ];
  if (key.state !== 'ok') lines.push(`  state:   ${STATE_NOTES[key.state]}`);
  if (secret !== undefined) lines.push(`  secret:  ${secret}`);
  printLines(lines);
  return 0;
}

async function test(vault: Vault, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, JSON_OPTION, 'keytray keys test <provider> [<label>] [--json]', { min: 1, max: 2 });
  const key = await vault.show(positionals[0] as string, positionals[1]);
  const result = await testKey(vault, key.provider, key.label);
  if (values.json) printJson({ key: { provider: key.provider, label: key.label }, ...result });
  else
    printLines([
      `${key.provider}/${key.label}: ${result.ok ? 'ok' : 'failed'}${result.status ? ` (HTTP ${result.status})` : ''}, ${result.latencyMs} ms — ${result.message}`,
    ]);
  // A refused or unreachable key is an answer, not a bug: its own status.
  return result.ok ? 0 : exitCodeFor('key-failed');
}
