/**
 * electron-builder's real packaging run (`--linux dir`), with a stand-in for
 * the Electron binary this machine cannot download: the app it lays out, the
 * keyring's native module unpacked beside the archive, and the shipped
 * keytray command storing and reading a key in the private keyring through
 * the packaged CLI. The stand-in insists on ELECTRON_RUN_AS_NODE and then
 * behaves as Node; Node cannot read inside an asar archive as Electron does,
 * so the archive is extracted in place (a directory named app.asar), exactly
 * as @electron/asar reads it.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { extractAll, listPackage } from '@electron/asar';
import { beforeAll, describe, expect, it } from 'vitest';
import { fakeAnthropicKey, makeTestEnv, secretToolLookup } from '../support/test-env';

const exec = promisify(execFile);
const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
const electronVersion = JSON.parse(readFileSync('node_modules/electron/package.json', 'utf8')).version;

let app: string;
beforeAll(async () => {
  if (!existsSync('out/cli/keytray.cjs') || !existsSync('out/main')) throw new Error('Build first: `npm run build`.');
  const work = mkdtempSync(join(tmpdir(), 'kt-package-'));
  const electronDist = join(work, 'electron');
  await exec('mkdir', ['-p', electronDist]);
  writeFileSync(
    join(electronDist, 'electron'),
    `#!/bin/sh\n[ "$ELECTRON_RUN_AS_NODE" = 1 ] || { echo "not run as node" >&2; exit 9; }\nexec '${process.execPath}' "$@"\n`,
  );
  chmodSync(join(electronDist, 'electron'), 0o755);
  writeFileSync(join(electronDist, 'version'), `v${electronVersion}`);
  await exec(
    resolve('node_modules/.bin/electron-builder'),
    [
      '--config',
      'build/electron-builder.yml',
      '--linux',
      'dir',
      `-c.electronDist=${electronDist}`,
      `-c.electronVersion=${electronVersion}`,
      `-c.directories.output=${join(work, 'dist')}`,
    ],
    { timeout: 120_000 },
  );
  app = join(work, 'dist', 'linux-unpacked');
}, 150_000);

describe('the packaged app (electron-builder, Linux dir target)', () => {
  it('lays out the executable, the archive, the unpacked keyring and the keytray command', () => {
    expect(existsSync(join(app, 'keytray'))).toBe(true);
    const files = listPackage(join(app, 'resources', 'app.asar'), { isPack: false });
    for (const file of ['/package.json', '/bin/keytray.cjs', '/out/cli/keytray.cjs', '/out/cli/key.cjs', '/out/main/index.js'])
      expect(files).toContain(file);
    expect(files.some((f) => f.endsWith('.map'))).toBe(false);
    // Native code cannot load from inside the archive: it must sit unpacked beside it.
    const native = join(app, 'resources', 'app.asar.unpacked', 'node_modules', '@napi-rs', 'keyring-linux-x64-gnu');
    expect(existsSync(join(native, 'keyring.linux-x64-gnu.node'))).toBe(true);
    expect(existsSync(join(app, 'resources', 'bin', 'keytray'))).toBe(true);
    expect(existsSync(join(app, 'resources', 'bin', 'keytray.cmd'))).toBe(true);
  });

  it('runs the keytray command from its resources: a key stored in and read from the keychain', async () => {
    const resources = join(app, 'resources');
    renameSync(join(resources, 'app.asar'), join(resources, 'archive.asar'));
    renameSync(join(resources, 'app.asar.unpacked'), join(resources, 'archive.asar.unpacked'));
    extractAll(join(resources, 'archive.asar'), join(resources, 'app.asar'));
    const command = join(resources, 'bin', 'keytray');
    const t = makeTestEnv();
    const key = fakeAnthropicKey();
    expect((await exec(command, ['--version'], { env: t.env })).stdout).toBe(`${version}\n`);
    const add = exec(command, ['keys', 'add', 'anthropic', '--label', 'packaged'], { env: t.env });
    add.child.stdin?.end(key);
    await add;
    expect(await secretToolLookup(t.service, 'anthropic/packaged')).toBe(key);
    // The helper Claude Code runs, through the same command: the key, and nothing else.
    expect((await exec(command, ['key', 'anthropic'], { env: t.env })).stdout).toBe(key);
    const list = JSON.parse((await exec(command, ['keys', 'list', '--json'], { env: t.env })).stdout);
    expect(JSON.stringify(list)).not.toContain(key);
    expect(JSON.stringify(list)).toContain('packaged');
  });
});
