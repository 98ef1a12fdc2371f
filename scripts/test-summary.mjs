// Prints the suite's figures (the lines the reliability and fuzz tests log:
// cases tried, faults injected, streams held) and one closing line from the
// Vitest and Playwright JSON reports: "tests: N passed, N failed, N skipped".
import { readFileSync } from 'node:fs';

const [vitestPath, playwrightPath, logPath] = process.argv.slice(2);
const FIGURES = /^(cli fuzz|ipc fuzz|http1 fuzz|chunked fuzz|settings writer|keychain faults|proxy load|proxy backpressure): .*/;
if (logPath) {
  const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
  const lines = readFileSync(logPath, 'utf8')
    .split('\n')
    .map((l) => l.replace(ansi, '').trim())
    .filter((l) => FIGURES.test(l));
  for (const line of new Set(lines)) console.log(line);
}
let passed = 0;
let failed = 0;
let skipped = 0;

try {
  const v = JSON.parse(readFileSync(vitestPath, 'utf8'));
  passed += v.numPassedTests;
  failed += v.numFailedTests;
  skipped += v.numPendingTests + v.numTodoTests;
} catch {
  console.error(`test-summary: no Vitest report at ${vitestPath}`);
  failed += 1;
}

try {
  const p = JSON.parse(readFileSync(playwrightPath, 'utf8'));
  passed += p.stats.expected + p.stats.flaky;
  failed += p.stats.unexpected;
  skipped += p.stats.skipped;
} catch {
  console.error(`test-summary: no Playwright report at ${playwrightPath}`);
  failed += 1;
}

console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
