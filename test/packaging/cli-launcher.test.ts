/**
 * The keytray command shipped in the app's resources (build/bin/keytray),
 * run in the macOS and Linux install layouts, with a stand-in for the app's
 * executable that insists on ELECTRON_RUN_AS_NODE and then behaves as Node.
 */
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const version = JSON.parse(readFileSync('package.json', 'utf8')).version;

function standInApp(path: string): void {
  writeFileSync(
    path,
    `#!/bin/sh\n[ "$ELECTRON_RUN_AS_NODE" = 1 ] || { echo "not run as node" >&2; exit 9; }\nexec '${process.execPath}' "$@"\n`,
  );
  chmodSync(path, 0o755);
}

function install(resources: string): string {
  mkdirSync(join(resources, 'bin'), { recursive: true });
  copyFileSync('build/bin/keytray', join(resources, 'bin', 'keytray'));
  chmodSync(join(resources, 'bin', 'keytray'), 0o755);
  // app.asar holds the project's files; a directory stands in for the archive, which Electron reads the same way.
  symlinkSync(resolve('.'), join(resources, 'app.asar'));
  return join(resources, 'bin', 'keytray');
}

describe('the keytray command in an installed app', () => {
  it('runs in the Linux layout', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kt-linux-'));
    standInApp(join(root, 'keytray'));
    const command = install(join(root, 'resources'));
    expect((await exec(command, ['--version'])).stdout).toBe(`${version}\n`);
  });

  it('runs in the macOS layout', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kt-mac-'));
    const contents = join(root, 'KeyTray.app', 'Contents');
    mkdirSync(join(contents, 'MacOS'), { recursive: true });
    standInApp(join(contents, 'MacOS', 'KeyTray'));
    const command = install(join(contents, 'Resources'));
    expect((await exec(command, ['--version'])).stdout).toBe(`${version}\n`);
  });

  it('the Windows launcher runs the app as Node from its resources', () => {
    const cmd = readFileSync('build/bin/keytray.cmd', 'utf8');
    expect(cmd).toContain('set "ELECTRON_RUN_AS_NODE=1"');
    expect(cmd).toContain('"%~dp0..\\..\\KeyTray.exe" "%~dp0..\\app.asar\\bin\\keytray.cjs" %*');
    expect(cmd.split('\r\n').length).toBeGreaterThan(3);
  });
});
