// Scans the built app (out/) with @doyensec/electronegativity and fails on any
// high or medium finding that build/electronegativity.json does not explain.
// The release-list check is skipped: it needs the network, and the Electron
// version is pinned in package.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

const electron = JSON.parse(readFileSync('package.json', 'utf8')).devDependencies.electron;
const { explained } = JSON.parse(readFileSync('build/electronegativity.json', 'utf8'));
mkdirSync('test-results', { recursive: true });
const report = 'test-results/electronegativity.csv';
// Installed apart (tools/electronegativity): it needs TypeScript 4's JavaScript API.
execFileSync('npm', ['ci', '--prefix', 'tools/electronegativity', '--no-audit', '--no-fund', '--loglevel=error'], {
  stdio: 'ignore',
});
execFileSync(
  'tools/electronegativity/node_modules/.bin/electronegativity',
  ['-i', 'out', '-e', electron, '-r', '-x', 'AvailableSecurityFixesGlobalCheck', '-o', report],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
const rows = readFileSync(report, 'utf8').trim().split('\n').slice(1);
const findings = rows.map((row) => {
  const [id, severity] = row.split(',');
  return { id, severity: severity.replaceAll('"', '') };
});
const serious = findings.filter((f) => f.severity === 'HIGH' || f.severity === 'MEDIUM');
const unexplained = serious.filter((f) => !explained[f.id]);
console.log(
  `electronegativity: ${findings.length} findings (${serious.length} high or medium, ${serious.length - unexplained.length} explained, ${unexplained.length} unexplained)`,
);
for (const f of unexplained) console.log(`  unexplained ${f.severity}: ${f.id}`);
process.exit(unexplained.length === 0 ? 0 : 1);
