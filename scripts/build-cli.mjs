// Bundles the CLI and the key helper into out/cli/ as self-contained CommonJS
// files (CommonJS starts faster than ES modules, and the helper is on the hot
// path of every Claude Code start). Only the native keyring stays external.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['@napi-rs/keyring'],
  // ES module builds first: some packages' UMD builds cannot be bundled (jsonc-parser).
  mainFields: ['module', 'main'],
  define: { KEYTRAY_VERSION: JSON.stringify(version) },
  legalComments: 'none',
  logLevel: 'warning',
};

await Promise.all([
  build({ ...common, entryPoints: ['electron/cli/cli-entry.ts'], outfile: 'out/cli/keytray.cjs' }),
  build({ ...common, entryPoints: ['electron/cli/key-entry.ts'], outfile: 'out/cli/key.cjs', minify: true }),
]);
