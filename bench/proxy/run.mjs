// Proxy overhead, measured side by side in one run on loopback: a client
// talking to an HTTPS upstream directly, through the KeyTray proxy (counting
// each answer's token usage, as it does by default), through it again with
// usage counting off (`--no-usage`), and through nginx (Debian's, as a
// reference proxy). Three columns: the first
// request after a start (each proxy started afresh, many times), steady state
// after a short warm-up (20 rounds) and after a long one (1000 more). Each
// gives the added latency per request (p50, p99) and the added time to the
// first byte of a dripping stream. Then the proxies' memory under ten rounds of
// a few hundred concurrent streams. What it found is in bench/proxy/README.md.
// Run with `npm run bench:proxy` (inside a private keyring session).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1500);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 300);
const TTFB_RUNS = Number(process.env.BENCH_TTFB_RUNS ?? 60);
/** Starts per proxy for the first-request column (twice this: one for a plain request, one for a stream). */
const STARTS = Number(process.env.BENCH_STARTS ?? 15);
const SHORT_WARMUP = Number(process.env.BENCH_SHORT_WARMUP ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
/** The goals (the issue): added p50 within 1.5x nginx's; a stream's first byte within 1.5x nginx's + 0.3 ms; peak RSS within 1.5x idle. */
const P50_RATIO_GOAL = 1.5;
const TTFB_RATIO_GOAL = 1.5;
const TTFB_SLACK_MS = 0.3;
const PEAK_RATIO_GOAL = 1.5;
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find(existsSync);
if (!NGINX) throw new Error('nginx is missing: apt-get install nginx');

const work = mkdtempSync(join(process.env.HOME || tmpdir(), 'kt-bench-proxy-'));
const children = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGTERM');
});

// A throw-away CA and a server certificate for 127.0.0.1, trusted by the proxies only.
const certs = join(work, 'certs');
mkdirSync(certs);
const ssl = (...args) => execFileSync('openssl', args, { cwd: certs, stdio: 'ignore' });
ssl(
  'req',
  '-x509',
  '-newkey',
  'rsa:2048',
  '-nodes',
  '-keyout',
  'ca.key',
  '-out',
  'ca.crt',
  '-days',
  '2',
  '-subj',
  '/CN=KeyTray bench CA',
);
ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
writeFileSync(join(certs, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
ssl(
  'x509',
  '-req',
  '-in',
  'server.csr',
  '-CA',
  'ca.crt',
  '-CAkey',
  'ca.key',
  '-CAcreateserial',
  '-out',
  'server.crt',
  '-days',
  '2',
  '-extfile',
  'san.ext',
);
const ca = readFileSync(join(certs, 'ca.crt'));

function startChild(command, args, env) {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return child;
}
/** Waits for a line of the child's output, then keeps draining it without holding on to it. */
const firstLine = (child, match) =>
  new Promise((done) => {
    let text = '';
    const onData = (d) => {
      text += d;
      const line = text.split('\n').find((l) => match.test(l));
      if (!line) return;
      child.stdout.off('data', onData);
      child.stdout.resume();
      done(line);
    };
    child.stdout.on('data', onData);
  });

const upstreamProcess = startChild(process.execPath, [resolve('bench/proxy/upstream.mjs'), certs], process.env);
const upstreamPort = Number(await firstLine(upstreamProcess, /^\d+$/));
const upstream = `https://127.0.0.1:${upstreamPort}`;

// KeyTray: a key in the (private) keychain, the upstream as its base URL, the CLI's proxy.
const home = join(work, 'home');
const env = {
  ...process.env,
  HOME: home,
  XDG_CONFIG_HOME: join(home, '.config'),
  XDG_DATA_HOME: join(home, '.local/share'),
  KEYTRAY_KEYCHAIN_SERVICE: `keytray-bench-${randomBytes(4).toString('hex')}`,
  NODE_EXTRA_CA_CERTS: join(certs, 'ca.crt'),
};
const bin = resolve('bin/keytray.cjs');
const key = `sk-ant-api03-${randomBytes(66).toString('base64url')}`;
execFileSync(process.execPath, [bin, 'keys', 'add', 'anthropic', '--label', 'bench'], { env, input: key });
execFileSync(process.execPath, [bin, 'provider', 'set', 'anthropic', '--base-url', upstream], { env });
// Below Linux's ephemeral range (32768 and up): thousands of client connections take ports there, and a
// proxy restarted on one of theirs would find it in use.
const keytrayPort = 20000 + Math.floor(Math.random() * 12000);
// Stored, not only passed: `keytray key --proxy-token` asks the proxy on the stored port.
execFileSync(process.execPath, [bin, 'proxy', 'port', String(keytrayPort)], { env });

// nginx: the same job — TLS to the upstream, verified, keep-alive, no buffering, the key injected.
const nginxPort = keytrayPort + 1;
// KeyTray again with usage counting off (`--no-usage`): the cost of reading each answer's usage.
const noUsagePort = keytrayPort + 2;
const nginxDir = join(work, 'nginx');
mkdirSync(join(nginxDir, 'logs'), { recursive: true });
writeFileSync(
  join(nginxDir, 'nginx.conf'),
  `daemon off; master_process off; worker_processes 1; error_log ${nginxDir}/logs/error.log warn; pid ${nginxDir}/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${nginxDir}/body; proxy_temp_path ${nginxDir}/proxy;
  fastcgi_temp_path ${nginxDir}/fcgi; uwsgi_temp_path ${nginxDir}/uwsgi; scgi_temp_path ${nginxDir}/scgi;
  upstream api { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${nginxPort};
    location /anthropic/ {
      proxy_pass https://api/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host 127.0.0.1;
      proxy_set_header x-api-key "${key}";
      proxy_ssl_server_name on; proxy_ssl_name 127.0.0.1;
      proxy_ssl_verify on; proxy_ssl_trusted_certificate ${certs}/ca.crt;
      proxy_ssl_session_reuse on;
      proxy_buffering off;
    }
  }
}
`,
);

/** Resolves once something accepts connections on the port. */
async function accepting(port) {
  for (;;) {
    const up = await new Promise((done) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => done(socket.destroy() && true));
      socket.once('error', () => done(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

const stopped = (child) =>
  new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });

// Each start is a new process and a new client connection pool: the first request pays whatever is lazy.
const starters = {
  direct: async () => null,
  // Quiet, like nginx with access_log off: the log file is still written. Ready when it says it listens.
  keytray: async () => {
    const child = startChild(process.execPath, [bin, 'proxy', '--port', String(keytrayPort), '--quiet'], env);
    await firstLine(child, /listening/);
    return child;
  },
  'keytray-no-usage': async () => {
    const child = startChild(process.execPath, [bin, 'proxy', '--port', String(noUsagePort), '--quiet', '--no-usage'], env);
    await firstLine(child, /listening/);
    return child;
  },
  nginx: async () => {
    const child = startChild(NGINX, ['-c', join(nginxDir, 'nginx.conf'), '-p', nginxDir], process.env);
    await accepting(nginxPort);
    return child;
  },
};

const targets = {
  direct: { url: `${upstream}/v1/messages`, headers: { 'x-api-key': key }, agent: null, child: null },
  keytray: { url: `http://127.0.0.1:${keytrayPort}/anthropic/v1/messages`, headers: {}, agent: null, child: null },
  'keytray-no-usage': { url: `http://127.0.0.1:${noUsagePort}/anthropic/v1/messages`, headers: {}, agent: null, child: null },
  nginx: { url: `http://127.0.0.1:${nginxPort}/anthropic/v1/messages`, headers: {}, agent: null, child: null },
};

/** Starts a target afresh: a new process (the proxies), a new client-side connection pool (all). */
async function restart(name) {
  const t = targets[name];
  t.agent?.destroy();
  if (t.child) await stopped(t.child);
  t.child = await starters[name]();
  t.agent =
    name === 'direct'
      ? new https.Agent({ keepAlive: true, ca, maxSockets: 512 })
      : new http.Agent({ keepAlive: true, maxSockets: 512 });
}

/** One request; resolves with ms to the end of the body and ms to its first byte. */
function once(target, query = '') {
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const url = new URL(target.url + query);
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(
      url,
      { method: 'POST', agent: target.agent, headers: { 'content-type': 'application/json', ...target.headers } },
      (res) => {
        let first = null;
        res.on('data', () => {
          first ??= process.hrtime.bigint();
        });
        res.on('end', () => {
          if (res.statusCode !== 200) return fail(new Error(`${target.url}: HTTP ${res.statusCode}`));
          const end = process.hrtime.bigint();
          done({ total: Number(end - started) / 1e6, ttfb: Number((first ?? end) - started) / 1e6 });
        });
      },
    );
    req.on('error', fail);
    req.end('{"model":"claude","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}');
  });
}

const STREAM = '?drip=30&events=3';
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const names = Object.keys(targets);
const column = () => ({
  latency: Object.fromEntries(names.map((n) => [n, []])),
  ttfb: Object.fromEntries(names.map((n) => [n, []])),
});

// The token the agent would hold, as `keytray key --proxy-token` hands it out (it asks the running proxy).
await restart('keytray');
targets.keytray.headers['x-api-key'] = execFileSync(process.execPath, [bin, 'key', '--proxy-token'], { env }).toString();
targets['keytray-no-usage'].headers['x-api-key'] = targets.keytray.headers['x-api-key'];

// Everything is interleaved target by target, so every target sees the same machine.
// 1. The first request after a start: a plain one after one start, a stream after another.
const first = column();
for (let i = 0; i < STARTS; i++)
  for (const kind of ['latency', 'ttfb'])
    for (const name of names) {
      await restart(name);
      const result = await once(targets[name], kind === 'ttfb' ? STREAM : '');
      first[kind][name].push(kind === 'ttfb' ? result.ttfb : result.total);
    }

/** Warm-up rounds, then REQUESTS measured rounds and TTFB_RUNS streams. */
async function steady(warmup) {
  const measured = column();
  for (let i = 0; i < warmup; i++) for (const name of names) await once(targets[name]);
  for (let i = 0; i < REQUESTS; i++) for (const name of names) measured.latency[name].push((await once(targets[name])).total);
  for (let i = 0; i < TTFB_RUNS; i++)
    for (const name of names) measured.ttfb[name].push((await once(targets[name], STREAM)).ttfb);
  return measured;
}
// 2. Steady state after a short warm-up, from a fresh start; 3. the same processes after a long one.
for (const name of names) await restart(name);
const idleAtStart = {
  keytray: rssMiB(targets.keytray.child.pid),
  'keytray-no-usage': rssMiB(targets['keytray-no-usage'].child.pid),
  nginx: rssMiB(targets.nginx.child.pid),
};
const short = await steady(SHORT_WARMUP);
const long = await steady(WARMUP);

// 4. Memory: ten rounds of a few hundred concurrent dripping streams, each followed by idle.
// Flat means it levels off: over the last half of the rounds the size stays within 5%, so nothing
// accumulates per stream (a V8 heap and malloc arenas take a few rounds to reach their working size).
const memory = {};
for (const name of ['keytray', 'keytray-no-usage', 'nginx']) {
  const pid = targets[name].child.pid;
  const idle = rssMiB(pid);
  let peak = idle;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(pid));
  }, 20);
  const after = [];
  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all(Array.from({ length: STREAMS }, () => once(targets[name], '?drip=200&events=40')));
    await new Promise((r) => setTimeout(r, 2000));
    after.push(rssMiB(pid));
  }
  clearInterval(sampler);
  memory[name] = { start: idleAtStart[name], idle, peak, after };
}

const ms = (x) => x.toFixed(3);
const verdict = (ok) => (ok ? 'met' : 'NOT met');
const goals = [];
console.log(
  `proxy overhead on loopback, TLS upstream, node ${process.version}; ${REQUESTS} interleaved requests and ${TTFB_RUNS} streams per target in each steady column`,
);
const columns = [
  [`first request after a start (${STARTS} starts each)`, first],
  [`after a short warm-up (${SHORT_WARMUP} rounds)`, short],
  [`after a long warm-up (${WARMUP} more rounds)`, long],
];
for (const [title, { latency, ttfb }] of columns) {
  console.log(`\n${title}`);
  console.log('  latency per request (ms)          p50      p99   added p50   added p99');
  for (const name of names) {
    const added = (q) => (name === 'direct' ? '' : ms(quantile(latency[name], q) - quantile(latency.direct, q)));
    console.log(
      `    ${name.padEnd(28)}${ms(quantile(latency[name], 0.5)).padStart(9)}${ms(quantile(latency[name], 0.99)).padStart(9)}${added(0.5).padStart(12)}${added(0.99).padStart(12)}`,
    );
  }
  console.log('  stream first byte (ms, first event after 30 ms)   p50      p99   added p50');
  for (const name of names) {
    const added = name === 'direct' ? '' : ms(quantile(ttfb[name], 0.5) - quantile(ttfb.direct, 0.5));
    console.log(
      `    ${name.padEnd(44)}${ms(quantile(ttfb[name], 0.5)).padStart(9)}${ms(quantile(ttfb[name], 0.99)).padStart(9)}${added.padStart(12)}`,
    );
  }
  const addedP50 = (name) => quantile(latency[name], 0.5) - quantile(latency.direct, 0.5);
  const addedTtfb = (name) => quantile(ttfb[name], 0.5) - quantile(ttfb.direct, 0.5);
  const [k, n] = [addedP50('keytray'), addedP50('nginx')];
  // 1.5x nginx's added time, read as nginx's plus half of it. The same thing while nginx adds time; when
  // it adds less than nothing (a first request can beat direct's), 1.5x a negative figure would ask
  // KeyTray to beat nginx by half again, so the half is of its size.
  const within = (ratio, x) => x + (ratio - 1) * Math.abs(x);
  const p50Limit = within(P50_RATIO_GOAL, n);
  const latencyMet = k <= p50Limit;
  // A ratio says little once nginx adds nothing or less than nothing (a first request can beat direct's).
  const ratio = n > 0 ? `${(k / n).toFixed(2)}x, ` : '';
  console.log(
    `  keytray added p50 ${ms(k)} ms, nginx ${ms(n)} ms (${ratio}goal ≤ ${P50_RATIO_GOAL}x nginx = ${ms(p50Limit)} ms): ${verdict(latencyMet)}`,
  );
  const [kt, nt] = [addedTtfb('keytray'), addedTtfb('nginx')];
  const limit = within(TTFB_RATIO_GOAL, nt) + TTFB_SLACK_MS;
  console.log(
    `  keytray added first byte ${ms(kt)} ms, nginx ${ms(nt)} ms (goal ≤ ${TTFB_RATIO_GOAL}x nginx + ${TTFB_SLACK_MS} ms = ${ms(limit)} ms): ${verdict(kt <= limit)}`,
  );
  goals.push(latencyMet, kt <= limit);
  // Usage counting on (keytray, the default, held to the goals above) against off, side by side.
  const [off, offTtfb] = [addedP50('keytray-no-usage'), addedTtfb('keytray-no-usage')];
  console.log(
    `  usage counting: added p50 on ${ms(k)} ms, off ${ms(off)} ms (${k - off >= 0 ? '+' : ''}${ms(k - off)} ms); added first byte on ${ms(kt)} ms, off ${ms(offTtfb)} ms (${kt - offTtfb >= 0 ? '+' : ''}${ms(kt - offTtfb)} ms)`,
  );
}

console.log(`\nmemory, ${ROUNDS} rounds of ${STREAMS} concurrent streams (RSS MiB)   start    idle    peak   after each round`);
for (const [name, m] of Object.entries(memory)) {
  console.log(
    `  ${name.padEnd(58)}${m.start.toFixed(1).padStart(7)}${m.idle.toFixed(1).padStart(8)}${m.peak.toFixed(1).padStart(8)}   ${m.after.map((x) => x.toFixed(1)).join(', ')}`,
  );
}
const k = memory.keytray;
const lastHalf = k.after.slice(Math.floor(ROUNDS / 2));
const spread = Math.max(...lastHalf) - Math.min(...lastHalf);
const flat = spread <= 0.05 * Math.max(...lastHalf);
console.log(
  `  keytray flat after load (last ${lastHalf.length} rounds within 5%): ${verdict(flat)} (spread ${spread.toFixed(1)} MiB)`,
);
const peakRatio = k.peak / k.idle;
console.log(
  `  keytray peak / idle RSS (idle: after the latency columns, before the load) = ${peakRatio.toFixed(2)}x (goal ≤ ${PEAK_RATIO_GOAL}x): ${verdict(peakRatio <= PEAK_RATIO_GOAL)}`,
);
goals.push(flat, peakRatio <= PEAK_RATIO_GOAL);
console.log(`\nall goals: ${goals.every(Boolean) ? 'met' : 'NOT met'} (${goals.filter(Boolean).length} of ${goals.length})`);
process.exit(0);
