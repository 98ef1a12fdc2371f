#!/usr/bin/env node
'use strict';
// Dispatches to the built CLI. `keytray key` (the hot path Claude Code runs at
// every start) has a bundle of its own that loads nothing it does not need.
const path = require('node:path');

const entry = process.argv[2] === 'key' ? 'key.cjs' : 'keytray.cjs';
const file = path.join(__dirname, '..', 'out', 'cli', entry);
try {
  require.resolve(file);
} catch {
  process.stderr.write(`keytray: ${file} is missing; build KeyTray first with \`npm run build\`.\n`);
  process.exit(1);
}
require(file);
