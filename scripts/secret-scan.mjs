// Scans what the test run left behind — its logs, its reports, screenshots'
// neighbours — for the canary the test keys carry (see fakeAnthropicKey in
// test/support/test-env.ts). A test key in any of them is a leak.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

export const CANARY = /KTCANARY[A-Za-z0-9_-]{8,}/g;
const BINARY = new Set(['.png', '.jpg', '.webm', '.zip']);

const roots = process.argv.slice(2);
let files = 0;
let bytes = 0;
const leaks = [];
function scan(path) {
  const stat = statSync(path);
  if (stat.isDirectory()) {
    for (const entry of readdirSync(path)) scan(join(path, entry));
    return;
  }
  if (BINARY.has(extname(path))) return;
  const text = readFileSync(path, 'utf8');
  files += 1;
  bytes += text.length;
  for (const match of text.matchAll(CANARY)) leaks.push(`${path}: ${match[0].slice(0, 14)}…`);
}
for (const root of roots) scan(root);
console.log(`secret scan: ${files} files, ${bytes} bytes of logs and reports, ${leaks.length} test keys found`);
for (const leak of leaks.slice(0, 20)) console.log(`  leak: ${leak}`);
process.exit(leaks.length === 0 ? 0 : 1);
