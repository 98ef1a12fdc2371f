/**
 * The layering is the linter's, not a comment's: each rule broken once, on
 * purpose, in a tree laid out like ours and checked with our biome.json, must
 * fail the lint with its message; the same files without the break pass.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIOME = resolve('node_modules/.bin/biome');

function lint(files: Record<string, string>): Promise<{ code: number; output: string }> {
  const root = mkdtempSync(join(tmpdir(), 'layering-'));
  copyFileSync('biome.json', join(root, 'biome.json'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return new Promise((done) => {
    execFile(BIOME, ['lint', '--vcs-enabled=false', '--max-diagnostics=50', '.'], { cwd: root }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

describe('layering, enforced by npm run lint', () => {
  it.each([
    [
      'core imports Electron',
      'electron/core/vault/probe.ts',
      "import { app } from 'electron';\nexport const x = app;\n",
      'no Electron here',
    ],
    [
      'core imports the main process',
      'electron/core/probe.ts',
      "import { createTray } from '../main/tray';\nexport const x = createTray;\n",
      'Core does not import the Electron main process',
    ],
    [
      'shared imports Electron',
      'shared/probe.ts',
      "import { app } from 'electron';\nexport const x = app;\n",
      'no Electron here',
    ],
    [
      'shared imports a Node built-in',
      'shared/probe.ts',
      "import { join } from 'node:path';\nexport const x = join;\n",
      'no Node built-ins',
    ],
    [
      'shared imports a bare Node built-in',
      'shared/probe.ts',
      "import { readFile } from 'fs';\nexport const x = readFile;\n",
      'no Node built-ins',
    ],
    [
      'shared imports core',
      'shared/agents/probe.ts',
      "import { Vault } from '../../electron/core/vault/vault';\nexport const x = Vault;\n",
      'shared/ imports nothing from electron/',
    ],
    [
      'the renderer imports core',
      'renderer/src/probe.ts',
      "import { Vault } from '../../electron/core/vault/vault';\nexport const x = Vault;\n",
      'only through window.keytray',
    ],
    [
      'the renderer imports main',
      'renderer/src/components/probe.tsx',
      "import { trayMenu } from '../../../electron/main/tray-menu';\nexport const x = trayMenu;\n",
      'only through window.keytray',
    ],
    [
      'the renderer imports a Node built-in',
      'renderer/src/probe.ts',
      "import { homedir } from 'node:os';\nexport const x = homedir;\n",
      'no Node built-ins',
    ],
  ])('fails when %s', async (_name, path, text, message) => {
    const result = await lint({ [path]: text });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('noRestrictedImports');
    expect(result.output).toContain(message);
  });

  it('passes the same layout when every import goes the allowed way', async () => {
    const result = await lint({
      'electron/core/probe.ts':
        "import { join } from 'node:path';\nimport { maskSecret } from '../../shared/mask';\nexport const x = [join, maskSecret];\n",
      'electron/main/probe.ts':
        "import { app } from 'electron';\nimport { Vault } from '../core/vault/vault';\nexport const x = [app, Vault];\n",
      'shared/probe.ts': "import { z } from 'zod';\nimport { PROVIDERS } from './providers';\nexport const x = [z, PROVIDERS];\n",
      'renderer/src/probe.ts': "import { PROVIDERS } from '../../shared/providers';\nexport const x = PROVIDERS;\n",
    });
    expect(result.output).not.toContain('noRestrictedImports');
    expect(result.code).toBe(0);
  });
});
