/**
 * "Install command-line tool": the wrapper runs the CLI with the app's
 * runtime, and never replaces a file KeyTray did not write.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { installCliWrapper } from '../../electron/core/agents/helper-script';
import { providerIds } from '../../shared/providers';
import { makeTestEnv } from '../support/test-env';

const exec = promisify(execFile);

describe('the keytray command wrapper', () => {
  it('runs the CLI with the given runtime, passing arguments through', async () => {
    const t = makeTestEnv();
    const bin = join(t.root, 'bin with space');
    const path = await installCliWrapper(bin, { runtime: process.execPath, cli: resolve('bin/keytray.cjs') }, 'linux');
    expect(statSync(path).mode & 0o777).toBe(0o755);
    const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
    expect((await exec(path, ['--version'])).stdout).toBe(`${version}\n`);
    const listed = await exec(path, ['provider', 'list', '--json'], { env: t.env });
    expect(JSON.parse(listed.stdout).providers).toHaveLength(providerIds().length);
    // Installing again replaces its own file.
    await installCliWrapper(bin, { runtime: process.execPath, cli: resolve('bin/keytray.cjs') }, 'linux');
  });

  it("refuses to replace someone else's keytray", async () => {
    const t = makeTestEnv();
    const bin = join(t.root, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'keytray'), '#!/bin/sh\necho mine\n');
    await expect(installCliWrapper(bin, { runtime: process.execPath, cli: 'x' }, 'linux')).rejects.toMatchObject({
      code: 'exists',
    });
    expect(readFileSync(join(bin, 'keytray'), 'utf8')).toBe('#!/bin/sh\necho mine\n');
  });
});
