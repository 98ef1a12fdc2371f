// Measures the key helper (`keytray key anthropic`, what Claude Code's
// apiKeyHelper runs at every start) beside the runtime's bare start
// (`node -e 0`), interleaved in one run so both see the same machine.
// Run it with `npm run bench:helper` (inside a private keyring session).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const RUNS = Number(process.env.BENCH_RUNS ?? 60);
const WARMUP = 5;
const bin = resolve('bin/keytray.cjs');
const home = mkdtempSync(join(process.env.HOME || tmpdir(), 'kt-bench-'));
const env = {
  ...process.env,
  HOME: home,
  XDG_CONFIG_HOME: join(home, '.config'),
  KEYTRAY_KEYCHAIN_SERVICE: `keytray-bench-${randomBytes(4).toString('hex')}`,
};
const key = `sk-ant-api03-${randomBytes(70).toString('base64url').slice(0, 93)}AA`;
execFileSync(process.execPath, [bin, 'keys', 'add', 'anthropic', '--label', 'bench'], { env, input: key });

const subjects = [
  { name: 'node -e 0', argv: [process.execPath, '-e', '0'] },
  { name: 'keytray key anthropic', argv: [process.execPath, bin, 'key', 'anthropic'], expect: key },
  {
    name: 'secret-tool lookup',
    argv: ['secret-tool', 'lookup', 'service', env.KEYTRAY_KEYCHAIN_SERVICE, 'username', 'anthropic/bench'],
    expect: key,
  },
];

const times = new Map(subjects.map((s) => [s.name, []]));
for (let i = 0; i < WARMUP + RUNS; i++) {
  for (const s of subjects) {
    const start = process.hrtime.bigint();
    const r = spawnSync(s.argv[0], s.argv.slice(1), { env, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0 || (s.expect !== undefined && r.stdout !== s.expect)) {
      throw new Error(`${s.name} failed (exit ${r.status}): ${r.stderr.trim()}`);
    }
    if (i >= WARMUP) times.get(s.name).push(ms);
  }
}

const quantile = (xs, q) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const base = quantile(times.get('node -e 0'), 0.5);
console.log(`key helper start-up, ${RUNS} interleaved runs each (after ${WARMUP} warm-up), node ${process.version}`);
console.log(`${'command'.padEnd(26)}${'p50 ms'.padStart(9)}${'p90 ms'.padStart(9)}${'p50 ratio'.padStart(11)}`);
for (const s of subjects) {
  const xs = times.get(s.name);
  const p50 = quantile(xs, 0.5);
  console.log(
    `${s.name.padEnd(26)}${p50.toFixed(1).padStart(9)}${quantile(xs, 0.9).toFixed(1).padStart(9)}${`${(p50 / base).toFixed(2)}x`.padStart(11)}`,
  );
}
const ratio = quantile(times.get('keytray key anthropic'), 0.5) / base;
console.log(`goal: keytray key ≤ 1.30x node -e 0 → ${ratio.toFixed(2)}x ${ratio <= 1.3 ? 'met' : 'NOT met'}`);
