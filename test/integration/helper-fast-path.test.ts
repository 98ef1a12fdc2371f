/**
 * The key helper's fast path (Linux): the script KeyTray writes reads the
 * key with secret-tool, without starting Node, whenever its helper index is
 * current; anything else goes to the Node path. Each case runs the real
 * script beside a twin whose Node path cannot run (its runtime is
 * /bin/false), so what the twin prints, the fast path printed; and the
 * real script, fast or not, must print exactly what `keytray key` prints.
 */
import { execFile, spawn } from 'node:child_process';
import { utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureHelperScript, helperScriptText } from '../../electron/core/agents/helper-script';
import { createAgents } from '../../electron/core/agents/registry';
import { SettingsWriter } from '../../electron/core/files/settings-writer';
import { createHandlers, type HandlerDeps, invoke } from '../../electron/core/ipc-handlers';
import { BIN, type CliResult, runCli } from '../support/cli';
import { startCliProxy } from '../support/cli-proxy';
import { freePort } from '../support/ports';
import { fakeAnthropicKey, makeTestEnv, type TestEnv } from '../support/test-env';

type Run = CliResult;

function run(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(script, args, { env }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

interface World {
  t: TestEnv;
  /** The helper script as `keytray configure` writes it. */
  real(args: string[]): Promise<Run>;
  /** The same script with a Node path that cannot run: only the fast path can print anything. */
  fastOnly(args: string[]): Promise<Run>;
  /** What `keytray key …` itself prints. */
  node(args: string[]): Promise<Run>;
}

async function world(): Promise<World> {
  const t = makeTestEnv();
  const pins = { configDir: dirname(t.metadataPath), keychainService: t.service };
  const data = join(t.root, '.local', 'share', 'keytray');
  const script = await ensureHelperScript(data, { runtime: process.execPath, cli: BIN }, pins);
  const twin = join(t.root, 'fast-only');
  writeFileSync(
    twin,
    helperScriptText({ runtime: '/bin/false', cli: '/nowhere' }, pins, 'linux', {
      secretTool: '/usr/bin/secret-tool',
      awk: '/usr/bin/awk',
    }),
    {
      mode: 0o700,
    },
  );
  return {
    t,
    real: (args) => run(script, args, t.env),
    fastOnly: (args) => run(twin, args, t.env),
    node: (args) => runCli(['key', ...args], { env: t.env }),
  };
}

const printed = (secret: string) => ({ code: 0, stdout: secret, stderr: '' });
const nothing = { code: 1, stdout: '', stderr: '' };

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

describe('the key helper fast path', () => {
  it('prints the active key and a named one without Node; a switch from the CLI or the window shows on the next run', async () => {
    const w = await world();
    const [work, other] = [fakeAnthropicKey(), fakeAnthropicKey()];
    const vault = w.t.vault();
    await vault.add('anthropic', 'work', work);
    await vault.add('anthropic', 'other', other);
    expect(await w.fastOnly(['anthropic'])).toEqual(printed(work));
    expect(await w.fastOnly(['anthropic', 'other'])).toEqual(printed(other));
    expect(await w.real(['anthropic'])).toEqual(printed(work));

    expect((await runCli(['keys', 'use', 'anthropic', 'other'], { env: w.t.env })).code).toBe(0);
    expect(await w.fastOnly(['anthropic'])).toEqual(printed(other));
    expect(await w.real(['anthropic'])).toEqual(await w.node(['anthropic']));

    const data = join(w.t.root, '.local', 'share', 'keytray');
    const handlers = createHandlers({
      vault,
      agents: createAgents({
        vault,
        writer: new SettingsWriter(data, vault),
        dataDir: data,
        metadataPath: w.t.metadataPath,
        launcher: { runtime: process.execPath, cli: BIN },
        pins: { configDir: dirname(w.t.metadataPath), keychainService: w.t.service },
      }),
      metadataPath: w.t.metadataPath,
    } as unknown as HandlerDeps);
    expect(await invoke(handlers, 'keys:use', { provider: 'anthropic', label: 'work' })).toMatchObject({ ok: true });
    expect(await w.fastOnly(['anthropic'])).toEqual(printed(work));
    expect(await w.real(['anthropic'])).toEqual(printed(work));
  });

  it('a renamed, removed or vanished key, a stale index and bad arguments fall to the Node path, which says why', async () => {
    const w = await world();
    const [main, spare] = [fakeAnthropicKey(), fakeAnthropicKey()];
    await w.t.vault().add('anthropic', 'work', main);
    await w.t.vault().add('anthropic', 'spare', spare);
    expect((await runCli(['keys', 'rename', 'anthropic', 'work', 'main'], { env: w.t.env })).code).toBe(0);
    expect(await w.fastOnly(['anthropic', 'main'])).toEqual(printed(main));
    expect(await w.fastOnly(['anthropic', 'work'])).toEqual(nothing);
    const renamed = await w.real(['anthropic', 'work']);
    expect(renamed).toEqual(await w.node(['anthropic', 'work']));
    expect(renamed.stdout).toBe('');
    expect(renamed.stderr.trim().split('\n')).toHaveLength(1);

    await w.t.vault().remove('anthropic', 'spare');
    expect(await w.fastOnly(['anthropic', 'spare'])).toEqual(nothing);

    // The entry deleted behind KeyTray's back: the Node path names what is missing.
    await new Promise<void>((resolve) => {
      const clear = spawn('secret-tool', ['clear', 'service', w.t.service, 'username', 'anthropic/main'], { env: w.t.env });
      clear.on('exit', () => resolve());
    });
    expect(await w.fastOnly(['anthropic'])).toEqual(nothing);
    const vanished = await w.real(['anthropic']);
    expect(vanished.stdout).toBe('');
    expect(vanished.stderr).toContain('anthropic/main');

    // Metadata newer than the index (written by something that does not write the index): not trusted.
    await w.t.vault().add('anthropic', 'fresh', main);
    expect(await w.fastOnly(['anthropic', 'fresh'])).toEqual(printed(main));
    const later = new Date(Date.now() + 60_000);
    utimesSync(w.t.metadataPath, later, later);
    expect(await w.fastOnly(['anthropic', 'fresh'])).toEqual(nothing);
    expect(await w.real(['anthropic', 'fresh'])).toEqual(printed(main));

    for (const args of [[], ['--help'], ['anthropic', 'fresh', 'extra'], ['anthropic', '-x']]) {
      expect(await w.fastOnly(args), args.join(' ')).toEqual(nothing);
    }
  });

  it('prints the proxy token only while a listener of this user holds the proxy port, as the Node path does', async () => {
    const w = await world();
    await w.t.vault().add('anthropic', 'work', fakeAnthropicKey());
    const port = await freePort();
    expect((await runCli(['proxy', 'port', String(port)], { env: w.t.env })).code).toBe(0);
    await w.t.vault().proxyToken();
    expect(await w.fastOnly(['--proxy-token'])).toEqual(nothing);
    expect((await w.real(['--proxy-token'])).stderr).toContain(`KeyTray's proxy is not running on 127.0.0.1:${port}`);

    const proxy = await startCliProxy(w.t.env);
    stops.push(proxy.stop);
    const token = await w.node(['--proxy-token']);
    expect(token.code).toBe(0);
    expect(await w.fastOnly(['--proxy-token'])).toEqual(printed(token.stdout));
    expect(await w.real(['--proxy-token'])).toEqual(token);
    // A bound token is derived from the install's: the Node path's.
    expect(await w.fastOnly(['--proxy-token', 'anthropic', 'work'])).toEqual(nothing);
  });

  it.runIf(process.getuid?.() === 0)("refuses the proxy token to another user's listener on the proxy port", async () => {
    const w = await world();
    await w.t.vault().add('anthropic', 'work', fakeAnthropicKey());
    const port = await freePort();
    expect((await runCli(['proxy', 'port', String(port)], { env: w.t.env })).code).toBe(0);
    await w.t.vault().proxyToken();
    const squatter = spawn(
      'setpriv',
      [
        '--reuid=nobody',
        '--regid=nogroup',
        '--clear-groups',
        process.execPath,
        '-e',
        `require('net').createServer().listen(${port}, '127.0.0.1', () => console.log('up'))`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    stops.push(() => squatter.kill('SIGTERM'));
    await new Promise<void>((resolve) => squatter.stdout.once('data', () => resolve()));
    expect(await w.fastOnly(['--proxy-token'])).toEqual(nothing);
    const refused = await w.real(['--proxy-token']);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('not KeyTray');
  });
});
