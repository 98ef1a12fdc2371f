/**
 * The README's command-line section is held to the CLI itself: the usage
 * block is `keytray help` byte for byte, the exit-status table is the error
 * codes, and every row of the JSON shapes table is run and its top-level
 * fields compared.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../shared/errors';
import { runCli } from '../support/cli';
import { fakeAnthropicKey, fakeOpenAIKey, makeTestEnv, usersOwnKey } from '../support/test-env';

const README = readFileSync('README.md', 'utf8');
const section = README.slice(README.indexOf('## The `keytray` command'), README.indexOf('## The auth picture'));

/** The rows of the markdown table that follows `heading` in the CLI section. */
function tableAfter(heading: string): string[][] {
  const from = section.indexOf(heading);
  expect(from, `${heading} in the README`).toBeGreaterThan(-1);
  const lines = section.slice(from).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

/** `{ a, b?, c }` → the fields, each with whether it is always there. */
function fields(shape: string): { name: string; optional: boolean }[] {
  return shape
    .replace(/^`\{\s*|\s*\}`$/g, '')
    .split(',')
    .map((f) => f.trim())
    .map((f) => ({ name: f.replace(/\?$/, ''), optional: f.endsWith('?') }));
}

describe('the README', () => {
  it('shows `keytray help` byte for byte', async () => {
    const help = await runCli(['help'], { env: makeTestEnv().env });
    const block = /### Usage\n[\s\S]*?```text\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(help.stdout);
  });

  it('lists every exit status with its code', () => {
    const rows = tableAfter('### Exit status').filter(([status]) => status !== '0');
    const listed = Object.fromEntries(rows.map(([status, code]) => [code?.replace(/`/g, ''), Number(status)]));
    expect(listed).toEqual({ internal: 1, ...ERROR_CODES });
  });

  it('gives the top-level fields of every --json result', async () => {
    const t = makeTestEnv();
    const env = t.env;
    const json = async (args: string[], input?: string) => {
      const result = await runCli([...args, '--json'], { env, ...(input !== undefined ? { input } : {}) });
      return JSON.parse(result.stdout || result.stderr) as Record<string, unknown>;
    };
    // A stand-in upstream that refuses every key, for `keys test`.
    const upstream = createServer((_req, res) => res.writeHead(401).end('{"error":{"message":"no"}}'));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const { port } = upstream.address() as { port: number };
    const project = join(t.root, 'project');
    mkdirSync(project);
    mkdirSync(join(t.root, '.codex'));
    try {
      const run: Record<string, () => Promise<Record<string, unknown>>> = {
        'keys add': () => json(['keys', 'add', 'anthropic', '--label', 'work'], fakeAnthropicKey()),
        'keys list': () => json(['keys', 'list']),
        'keys use': () => json(['keys', 'use', 'anthropic', 'work']),
        'keys rename': () => json(['keys', 'rename', 'anthropic', 'work', 'main']),
        'keys show': () => json(['keys', 'show', 'anthropic']),
        'provider set': () => json(['provider', 'set', 'anthropic', '--base-url', `http://127.0.0.1:${port}`]),
        'keys test': () => json(['keys', 'test', 'anthropic']),
        'provider unset': () => json(['provider', 'unset', 'anthropic', 'base-url']),
        'provider list': () => json(['provider', 'list']),
        'provider presets': () => json(['provider', 'presets']),
        'provider add': () => json(['provider', 'add', '--preset', 'zai']),
        'provider edit': () => json(['provider', 'edit', 'zai', '--label', 'GLM']),
        'provider remove': () => json(['provider', 'remove', 'zai']),
        'configure <agent>': () => json(['configure', 'claude-code']),
        'configure <agent> --undo': () => json(['configure', 'claude-code', '--undo']),
        'configure <agent> --import-key': async () => {
          writeFileSync(join(t.root, '.codex', 'auth.json'), `{ "OPENAI_API_KEY": "${fakeOpenAIKey()}" }\n`);
          return json(['configure', 'codex', '--import-key']);
        },
        'configure <agent> --delete-logs': () => json(['configure', 'claude-code-router', '--delete-logs', '--yes']),
        status: () => json(['status']),
        'status --agent <id>': () => json(['status', '--agent', 'claude-code']),
        bindings: async () => {
          await runCli(['configure', 'claude-code', '--scope', 'local', '--cwd', project], { env });
          return json(['bindings']);
        },
        'bindings forget': async () => {
          rmSync(project, { recursive: true });
          return json(['bindings', 'forget', 'claude-code', join(project, '.claude', 'settings.local.json')]);
        },
        'proxy port': () => json(['proxy', 'port']),
        'proxy port <n>': () => json(['proxy', 'port', '9915']),
        'proxy rotate-token': () => json(['proxy', 'rotate-token']),
        'proxy log': () => json(['proxy', 'log']),
        store: () => json(['store']),
        'store use': () => json(['store', 'use', 'keychain']),
        doctor: () => json(['doctor']),
        backups: () => json(['backups']),
        'backups delete': () => json(['backups', 'delete', '--sealed']),
        import: async () => {
          // The user's own key (no canary): --undo below puts it back in plaintext.
          writeFileSync(join(t.root, '.bashrc'), `export ANTHROPIC_API_KEY=${usersOwnKey('sk-ant-api03-')}\n`);
          return json(['import']);
        },
        'import --apply': () => json(['import', '--apply']),
        'import --undo': () => json(['import', '--undo']),
        'keys remove': async () => {
          await runCli(['keys', 'add', 'anthropic', '--label', 'spare'], { env, input: fakeAnthropicKey() });
          return json(['keys', 'remove', 'anthropic', 'spare']);
        },
        'an error': () => json(['keys', 'use', 'anthropic', 'nope']),
      };
      const rows = tableAfter('### JSON shapes');
      expect(rows.map(([command]) => command?.replace(/`/g, ''))).toEqual(Object.keys(run).sort(byReadmeOrder(rows)));
      for (const [command, shape] of rows) {
        const name = (command as string).replace(/`/g, '');
        const result = await (run[name] as () => Promise<Record<string, unknown>>)();
        const documented = fields(shape as string);
        for (const f of documented.filter((d) => !d.optional)) expect(result, `${name}: ${f.name}`).toHaveProperty(f.name);
        expect(
          Object.keys(result).filter((k) => !documented.some((d) => d.name === k)),
          name,
        ).toEqual([]);
      }
    } finally {
      upstream.close();
    }
  });
});

/** The README's order of the commands, for comparing the two lists as sets with a readable diff. */
function byReadmeOrder(rows: string[][]) {
  const order = rows.map(([command]) => command?.replace(/`/g, ''));
  return (a: string, b: string) => order.indexOf(a) - order.indexOf(b);
}
