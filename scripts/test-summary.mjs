// Prints one closing line for the whole suite from the Vitest and Playwright
// JSON reports: "tests: N passed, N failed, N skipped".
import { readFileSync } from 'node:fs';

const [vitestPath, playwrightPath] = process.argv.slice(2);
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
