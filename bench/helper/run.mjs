// Measures the key helper, what every agent's key command runs (Claude Code
// at every start and every five minutes, Codex at every `codex exec`), side
// by side in one interleaved run: the runtime's bare start (`node -e 0`),
// the Node path (`keytray key`), the helper script KeyTray writes (its fast
// path reads the keychain with secret-tool), and `secret-tool lookup` alone;
// for a key and for the proxy token. Run it with `npm run bench:helper`
// (inside a private keyring session).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const RUNS = Number(process.env.BENCH_RUNS ?? 60);
const WARMUP = 5;
const bin = resolve('bin/keytray.cjs');
const home = mkdtempSync(join(process.env.HOME || tmpdir(), 'kt-bench-'));
const service = `keytray-bench-${randomBytes(4).toString('hex')}`;
const env = {
  ...process.env,
  HOME: home,
  XDG_CONFIG_HOME: join(home, '.config'),
  XDG_DATA_HOME: join(home, '.local', 'share'),
  KEYTRAY_KEYCHAIN_SERVICE: service,
};
const cli = (args, input) => execFileSync(process.execPath, [bin, ...args], { env, input, encoding: 'utf8' });
const key = `sk-ant-api03-${randomBytes(70).toString('base64url').slice(0, 93)}AA`;
cli(['keys', 'add', 'anthropic', '--label', 'bench'], key);

// The proxy, on a free port: the proxy token goes only to a running proxy.
const port = await new Promise((done) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address();
    probe.close(() => done(free));
  });
});
cli(['proxy', 'port', String(port)]);
cli(['configure', 'claude-code', '--yes']);
const proxy = spawn(process.execPath, [bin, 'proxy', '--quiet'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
process.on('exit', () => proxy.kill('SIGTERM'));
await new Promise((done) => proxy.stdout.on('data', (d) => d.toString().includes('listening') && done()));
const token = cli(['key', '--proxy-token']);

const scriptDir = join(env.XDG_DATA_HOME, 'keytray', 'bin');
const script = join(scriptDir, readdirSync(scriptDir)[0]);
const lookup = (account) => ['secret-tool', 'lookup', 'service', service, 'username', account];

const subjects = [
  { name: 'node -e 0', argv: [process.execPath, '-e', '0'] },
  { name: 'keytray key (Node path)', argv: [process.execPath, bin, 'key', 'anthropic'], expect: key },
  { name: 'helper script (fast path)', argv: [script, 'anthropic'], expect: key },
  { name: 'secret-tool lookup', argv: lookup('anthropic/bench'), expect: key },
  { name: 'proxy token, Node path', argv: [process.execPath, bin, 'key', '--proxy-token'], expect: token },
  { name: 'proxy token, fast path', argv: [script, '--proxy-token'], expect: token },
  { name: 'proxy token, secret-tool', argv: lookup('keytray/proxy-token'), expect: token },
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
const p50 = (name) => quantile(times.get(name), 0.5);
const base = p50('node -e 0');
console.log(
  `key helper start-up, ${RUNS} interleaved runs each (after ${WARMUP} warm-up), node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString().slice(0, 10)}`,
);
console.log(`${'command'.padEnd(28)}${'p50 ms'.padStart(9)}${'p90 ms'.padStart(9)}${'× node -e 0'.padStart(13)}`);
for (const s of subjects) {
  const xs = times.get(s.name);
  console.log(
    `${s.name.padEnd(28)}${p50(s.name).toFixed(1).padStart(9)}${quantile(xs, 0.9).toFixed(1).padStart(9)}${`${(p50(s.name) / base).toFixed(2)}x`.padStart(13)}`,
  );
}
const goal = (label, value, limit) =>
  console.log(`goal: ${label} ≤ ${limit.toFixed(2)}x → ${value.toFixed(2)}x ${value <= limit ? 'met' : 'NOT met'}`);
goal('Node path / node -e 0', p50('keytray key (Node path)') / base, 1.3);
goal('fast path / secret-tool lookup', p50('helper script (fast path)') / p50('secret-tool lookup'), 2);
goal('fast path / node -e 0', p50('helper script (fast path)') / base, 0.6);
goal('proxy token fast path / secret-tool lookup', p50('proxy token, fast path') / p50('proxy token, secret-tool'), 2);
goal('proxy token fast path / node -e 0', p50('proxy token, fast path') / base, 0.6);
process.exit(0);
