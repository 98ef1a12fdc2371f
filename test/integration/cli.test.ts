/**
 * The built `keytray` command, run as a child process against the private
 * Secret Service, checked from outside with secret-tool.
 */

import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Handlers, invoke } from '../../electron/core/ipc-handlers';
import { BIN, runCli } from '../support/cli';
import { freePort } from '../support/ports';
import { fakeAnthropicKey, makeTestEnv, secretToolClear, secretToolLookup, statOrNull } from '../support/test-env';

describe('keytray keys', () => {
  it('adds from a pipe, lists masked, and the helper prints the active key alone', async () => {
    const t = makeTestEnv();
    const work = fakeAnthropicKey();
    const personal = fakeAnthropicKey();

    const added = await runCli(['keys', 'add', 'anthropic', '--label', 'work'], { env: t.env, input: `${work}\n` });
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toBe(`Stored anthropic/work (sk-ant-…${work.slice(-4)}), active.\n`);
    expect(await secretToolLookup(t.service, 'anthropic/work')).toBe(work);

    const second = await runCli(['keys', 'add', 'anthropic', '--label', 'personal', '--json'], { env: t.env, input: personal });
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ key: { label: 'personal', active: false }, warnings: [] });

    const helper = await runCli(['key', 'anthropic'], { env: t.env });
    expect(helper).toEqual({ code: 0, stdout: work, stderr: '' });

    expect((await runCli(['keys', 'use', 'anthropic', 'personal'], { env: t.env })).code).toBe(0);
    expect((await runCli(['key', 'anthropic'], { env: t.env })).stdout).toBe(personal);
    expect((await runCli(['key', 'anthropic', 'work'], { env: t.env })).stdout).toBe(work);

    const list = await runCli(['keys', 'list'], { env: t.env });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`    work      sk-ant-…${work.slice(-4)}`);
    expect(list.stdout).toContain(`  * personal  sk-ant-…${personal.slice(-4)}`);
    for (const output of [list.stdout, second.stdout, added.stdout]) {
      expect(output).not.toContain(work.slice(13, -4));
      expect(output).not.toContain(personal.slice(13, -4));
    }

    const json = JSON.parse((await runCli(['keys', 'list', '--json'], { env: t.env })).stdout);
    expect(json.store).toEqual({ kind: 'keychain', description: `Secret Service keyring (service "${t.service}")` });
    expect(json.providers).toMatchObject([
      {
        id: 'anthropic',
        active: 'personal',
        keys: [
          { label: 'work', active: false, state: 'ok' },
          { label: 'personal', active: true, state: 'ok' },
        ],
      },
    ]);
    expect(JSON.stringify(json)).not.toContain(work.slice(13, -4));

    const metadata = readFileSync(t.metadataPath, 'utf8');
    expect(metadata).not.toContain(work.slice(13, -4));
    expect(statSync(t.metadataPath).mode & 0o777).toBe(0o600);
  });

  it('shows one key masked, and reveals it only when asked', async () => {
    const t = makeTestEnv();
    const work = fakeAnthropicKey();
    await runCli(['keys', 'add', 'anthropic', '--label', 'work'], { env: t.env, input: work });
    const shown = await runCli(['keys', 'show', 'anthropic'], { env: t.env });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('anthropic/work (active)');
    expect(shown.stdout).not.toContain(work);
    const revealed = await runCli(['keys', 'show', 'anthropic', 'work', '--reveal', '--json'], { env: t.env });
    expect(JSON.parse(revealed.stdout)).toMatchObject({ key: { label: 'work' }, secret: work });
  });

  it('removes and renames', async () => {
    const t = makeTestEnv();
    await runCli(['keys', 'add', 'openai', '--label', 'a'], { env: t.env, input: 'sk-proj-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' });
    await runCli(['keys', 'add', 'openai', '--label', 'b'], { env: t.env, input: 'sk-proj-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' });
    const renamed = await runCli(['keys', 'rename', 'openai', 'b', 'c'], { env: t.env });
    expect(renamed).toMatchObject({ code: 0, stdout: 'Renamed openai/b to openai/c.\n' });
    const removed = await runCli(['keys', 'remove', 'openai', 'a', '--json'], { env: t.env });
    expect(JSON.parse(removed.stdout)).toEqual({ removed: 'a', active: 'c', secretWasMissing: false });
    expect(await secretToolLookup(t.service, 'openai/a')).toBeNull();
    expect(await secretToolLookup(t.service, 'openai/c')).toBe('sk-proj-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');
    expect((await runCli(['key', 'openai'], { env: t.env })).stdout).toBe('sk-proj-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');
  });

  it('warns, and still stores, a key that does not look right', async () => {
    const t = makeTestEnv();
    const result = await runCli(['keys', 'add', 'anthropic', '--label', 'odd'], {
      env: t.env,
      input: 'sk-proj-looks-like-openai-0000',
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^warning: This does not look like an API key for Anthropic/);
    expect(result.stderr).not.toContain('looks-like-openai');
    expect(await secretToolLookup(t.service, 'anthropic/odd')).toBe('sk-proj-looks-like-openai-0000');
  });
});

describe('bad input gets a clear error, an exit status, and changes nothing', () => {
  it.each([
    [['keys', 'add', 'anthropc', '--label', 'w'], 'k', 2, /Unknown provider "anthropc"/],
    [['keys', 'add', 'anthropic', '--label', 'a/b'], 'k', 2, /The label "a\/b" is not allowed/],
    [['keys', 'add', 'anthropic', '--label', 'w'], '\n', 2, /The key is empty: nothing was stored/],
    [['keys', 'add', 'anthropic', '--label', 'w'], 'two words', 2, /spaces, line breaks or control characters/],
    [['keys', 'add', 'anthropic', '--lable', 'w'], 'k', 2, /^keytray: Unknown option "--lable". Did you mean --label\?\n/],
    [['configure', 'codex', '--label'], '', 2, /^keytray: The option "--label" needs a value\.\n/],
    [['keys', 'use', 'anthropic', 'nope'], '', 3, /No Anthropic key is stored/],
    [['keys', 'frobnicate'], '', 2, /Unknown command "keys frobnicate"/],
    [['nonsense'], '', 2, /Unknown command "nonsense"/],
    [['stauts'], '', 2, /Did you mean `keytray status`\?/],
    [['provider', 'set', 'openai', '--region', 'us-east-1'], '', 2, /OpenAI has no region setting/],
    [['provider', 'set', 'anthropic', '--base-url', 'ftp://x'], '', 2, /must start with https:\/\/ or http:\/\//],
  ])('keytray %j', async (args, input, code, message) => {
    const t = makeTestEnv();
    const result = await runCli(args, { env: t.env, input });
    expect(result.code).toBe(code);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(statOrNull(t.metadataPath)).toBeNull();
  });

  it('refuses to overwrite a label without --replace', async () => {
    const t = makeTestEnv();
    const first = fakeAnthropicKey();
    await runCli(['keys', 'add', 'anthropic', '--label', 'w'], { env: t.env, input: first });
    const again = await runCli(['keys', 'add', 'anthropic', '--label', 'w', '--json'], { env: t.env, input: fakeAnthropicKey() });
    expect(again.code).toBe(6);
    expect(JSON.parse(again.stderr)).toMatchObject({ error: { code: 'exists', fix: expect.stringContaining('--replace') } });
    expect(await secretToolLookup(t.service, 'anthropic/w')).toBe(first);
  });
});

describe('keytray key (the helper)', () => {
  it('prints nothing on stdout and one line on stderr when it cannot answer', async () => {
    const t = makeTestEnv();
    const none = await runCli(['key', 'anthropic'], { env: t.env });
    expect(none).toMatchObject({ code: 3, stdout: '' });
    expect(none.stderr).toBe(
      'keytray key: No Anthropic key is stored. Add one with `keytray keys add anthropic --label <name>`.\n',
    );

    const unknown = await runCli(['key', 'nope'], { env: t.env });
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);

    await runCli(['keys', 'add', 'anthropic', '--label', 'w'], { env: t.env, input: fakeAnthropicKey() });
    await secretToolClear(t.service, 'anthropic/w');
    const missing = await runCli(['key', 'anthropic'], { env: t.env });
    expect(missing).toMatchObject({ code: 5, stdout: '' });
    expect(missing.stderr).toMatch(
      /^keytray key: The Secret Service keyring .* has no secret for anthropic\/w, though KeyTray lists it\./,
    );
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);

    const usage = await runCli(['key'], { env: t.env });
    expect(usage).toMatchObject({ code: 2, stdout: '' });
  });
});

describe('keytray doctor and store', () => {
  it('reports disagreement with exit 5, and fixes what it safely can', async () => {
    const t = makeTestEnv();
    await runCli(['keys', 'add', 'anthropic', '--label', 'w'], { env: t.env, input: fakeAnthropicKey() });
    expect(await runCli(['doctor'], { env: t.env })).toMatchObject({ code: 0, stdout: 'Metadata and store agree.\n' });
    await secretToolClear(t.service, 'anthropic/w');
    const report = await runCli(['doctor', '--json'], { env: t.env });
    expect(report.code).toBe(5);
    expect(JSON.parse(report.stdout).remaining).toMatchObject([{ kind: 'missing-secret', label: 'w' }]);
  });

  it('restores a damaged metadata file from its last good copy, keeping the damaged one aside', async () => {
    const t = makeTestEnv();
    const work = fakeAnthropicKey();
    await runCli(['keys', 'add', 'anthropic', '--label', 'work'], { env: t.env, input: work });
    await runCli(['keys', 'add', 'anthropic', '--label', 'personal', '--activate'], { env: t.env, input: fakeAnthropicKey() });
    await runCli(['provider', 'set', 'anthropic', '--base-url', 'http://127.0.0.1:4010'], { env: t.env });
    await runCli(['proxy', 'port', '9911'], { env: t.env });
    const good = readFileSync(t.metadataPath, 'utf8');
    const damaged = `${good.slice(0, good.length / 2)}\n<<<<<<< a merge gone wrong\n`;
    writeFileSync(t.metadataPath, damaged);

    const report = await runCli(['doctor'], { env: t.env });
    expect(report.code).toBe(5);
    expect(report.stdout).toContain(`! KeyTray's metadata file ${t.metadataPath} is not valid JSON`);
    expect(report.stdout).toContain('run `keytray doctor --fix`');

    const fixed = await runCli(['doctor', '--fix', '--json'], { env: t.env });
    expect(fixed.code).toBe(0);
    const [restored] = JSON.parse(fixed.stdout).fixed;
    expect(restored).toMatchObject({ kind: 'damaged-metadata' });
    const keptAt = /kept at (\S+);/.exec(restored.message)?.[1] as string;
    expect(readFileSync(keptAt, 'utf8')).toBe(damaged);
    expect(statSync(keptAt).mode & 0o777).toBe(0o600);
    // Nothing changed: the active key, the base URL and the port are what they were.
    expect(readFileSync(t.metadataPath, 'utf8')).toBe(good);
    expect(JSON.parse(good).providers.anthropic).toMatchObject({
      active: 'personal',
      settings: { baseUrl: 'http://127.0.0.1:4010' },
    });
    expect((await runCli(['key', 'anthropic'], { env: t.env })).stdout).not.toBe(work);
    expect((await runCli(['proxy', 'port'], { env: t.env })).stdout).toBe('9911\n');
  });

  it('switches to the plaintext file store only when told, and says so', async () => {
    const t = makeTestEnv();
    const secret = fakeAnthropicKey();
    await runCli(['keys', 'add', 'anthropic', '--label', 'w'], { env: t.env, input: secret });
    const moved = await runCli(['store', 'use', 'file'], { env: t.env });
    expect(moved.code).toBe(0);
    expect(moved.stderr).toMatch(/plaintext file/);
    const list = await runCli(['keys', 'list'], { env: t.env });
    expect(list.stdout).toMatch(/^Store: plaintext file .*secrets\.json \(mode 0600\), not the keychain/);
    expect((await runCli(['key', 'anthropic'], { env: t.env })).stdout).toBe(secret);
    expect(await secretToolLookup(t.service, 'anthropic/w')).toBeNull();
  });
});

describe('keytray provider', () => {
  it('sets, shows and unsets per-provider settings', async () => {
    const t = makeTestEnv();
    const set = await runCli(['provider', 'set', 'anthropic-aws', '--region', 'us-west-2', '--workspace', 'wrkspc_1', '--json'], {
      env: t.env,
    });
    expect(JSON.parse(set.stdout).provider).toMatchObject({
      baseUrl: 'https://aws-external-anthropic.us-west-2.api.aws',
      settings: { region: 'us-west-2', workspaceId: 'wrkspc_1' },
    });
    await runCli(['provider', 'set', 'anthropic', '--base-url', 'http://127.0.0.1:4010'], { env: t.env });
    const list = JSON.parse((await runCli(['provider', 'list', '--json'], { env: t.env })).stdout);
    expect(list.providers.find((p: { id: string }) => p.id === 'anthropic').baseUrl).toBe('http://127.0.0.1:4010');
    await runCli(['provider', 'unset', 'anthropic', 'base-url'], { env: t.env });
    const after = JSON.parse((await runCli(['provider', 'list', '--json'], { env: t.env })).stdout);
    expect(after.providers.find((p: { id: string }) => p.id === 'anthropic').baseUrl).toBe('https://api.anthropic.com');
  });
});

describe('keytray proxy', () => {
  it('says the port is taken, and what to do, when another program holds it', async () => {
    const t = makeTestEnv();
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const port = (holder.address() as AddressInfo).port;
    try {
      const result = await runCli(['proxy', '--port', String(port)], { env: t.env });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use.`);
      expect(result.stderr).toContain("move KeyTray's proxy to another port with `keytray proxy port <n>`");
      expect(result.stdout).toBe('');
    } finally {
      holder.close();
    }
  });
});

describe('the window and the CLI say the same about bad input', () => {
  const untouchable = new Proxy({} as Handlers, {
    get: () => () => {
      throw new Error('a handler ran on invalid input');
    },
  });
  it.each([
    [['keys', 'add', 'anthropic', '--label', 'a/b'], 'keys:add', { provider: 'anthropic', label: 'a/b', secret: 'x' }],
    [['keys', 'add', 'anthropc', '--label', 'w'], 'keys:add', { provider: 'anthropc', label: 'w', secret: 'x' }],
    [['configure', 'vim'], 'agent:plan', { agent: 'vim' }],
    [['configure', 'codex', '--scope', 'local'], 'agent:plan', { agent: 'codex', scope: 'local' }],
    [['configure', 'gemini-cli', '--mode', 'helper'], 'agent:plan', { agent: 'gemini-cli', mode: 'helper' }],
  ] as const)('keytray %j and %s', async (argv, channel, input) => {
    const t = makeTestEnv();
    const cli = await runCli([...argv], { env: t.env, input: fakeAnthropicKey() });
    expect(cli.code).toBe(2);
    const window = await invoke(untouchable, channel, input);
    expect(window.ok).toBe(false);
    const message = (window as { error: { message: string } }).error.message;
    expect(cli.stderr.split('\n')[0]).toBe(`keytray: ${message}`);
  });
});

describe('the proxy port', () => {
  it('moves for good with `proxy port`, taking proxy-mode configurations along; `proxy --port` is for one run', async () => {
    const t = makeTestEnv();
    const settings = join(t.root, '.claude', 'settings.json');
    await runCli(['keys', 'add', 'anthropic', '--label', 'w'], { env: t.env, input: fakeAnthropicKey() });
    expect((await runCli(['proxy', 'port', '9911'], { env: t.env })).code).toBe(0);
    const configured = await runCli(['configure', 'claude-code', '--mode', 'proxy'], { env: t.env });
    expect(configured.code, configured.stderr).toBe(0);
    expect(JSON.parse(readFileSync(settings, 'utf8')).env.ANTHROPIC_BASE_URL).toBe('http://127.0.0.1:9911/anthropic');

    const moved = await runCli(['proxy', 'port', '9912', '--json'], { env: t.env });
    expect(moved.code, moved.stderr).toBe(0);
    expect(JSON.parse(moved.stdout)).toMatchObject({ from: 9911, to: 9912, files: [{ agent: 'claude-code', path: settings }] });
    expect(JSON.parse(readFileSync(settings, 'utf8')).env.ANTHROPIC_BASE_URL).toBe('http://127.0.0.1:9912/anthropic');
    expect((await runCli(['proxy', 'port'], { env: t.env })).stdout).toBe('9912\n');

    const once = await freePort();
    const proxy = spawn(process.execPath, [BIN, 'proxy', '--port', String(once)], {
      env: t.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proxy.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise((resolve) => proxy.on('exit', resolve));
    await new Promise<void>((resolve) => proxy.stdout.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()));
    proxy.kill('SIGTERM');
    await exited;
    expect(stderr).toContain(`this run listens on ${once}, but Claude Code (${settings}) points at the stored port 9912.`);
    expect((await runCli(['proxy', 'port'], { env: t.env })).stdout).toBe('9912\n');
    expect(JSON.parse(readFileSync(settings, 'utf8')).env.ANTHROPIC_BASE_URL).toBe('http://127.0.0.1:9912/anthropic');
    expect((await runCli(['proxy', 'port', '70000'], { env: t.env })).code).toBe(2);
  });
});

describe('help and version from every command', () => {
  it.each([
    ['keys', 'keytray keys add'],
    ['configure', 'keytray configure <claude-code|codex|gemini-cli|opencode|openclaw|claude-code-router>'],
    ['status', 'keytray status'],
    ['bindings', 'keytray bindings'],
    ['exec', 'keytray exec'],
    ['proxy', 'keytray proxy'],
  ])('keytray %s --help prints its usage and exits 0', async (command, usage) => {
    const t = makeTestEnv();
    for (const flag of ['--help', '-h']) {
      const result = await runCli([command, flag], { env: t.env });
      expect(result.code).toBe(0);
      expect(result.stdout.startsWith(`Usage: ${usage}`)).toBe(true);
    }
  });

  it('keytray exec keeps --help after -- for the command it runs, and -v prints the version', async () => {
    const t = makeTestEnv();
    const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
    expect((await runCli(['-v'], { env: t.env })).stdout).toBe(`${version}\n`);
    const passed = await runCli(['exec', '--provider', 'openai', '--', '/bin/sh', '-c', 'echo "$1"', 'sh', '--help'], {
      env: t.env,
    });
    expect(passed.stderr).toContain('No OpenAI key is stored');
  });
});
