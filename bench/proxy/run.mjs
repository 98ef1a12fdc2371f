// Proxy overhead, measured side by side in one run on loopback: a client
// talking to an HTTPS upstream directly, through the KeyTray proxy, and
// through nginx (Debian's, as a reference proxy). Prints added latency per
// request (p50, p99), time to first byte of a dripping stream, and the
// proxies' memory under a few hundred concurrent streams.
// Run with `npm run bench:proxy` (inside a private keyring session).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1500);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 300);
const TTFB_RUNS = Number(process.env.BENCH_TTFB_RUNS ?? 60);
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
const keytrayPort = 20000 + Math.floor(Math.random() * 20000);
// Quiet, like nginx with access_log off: the log file is still written.
const keytray = startChild(process.execPath, [bin, 'proxy', '--port', String(keytrayPort), '--quiet'], env);
await firstLine(keytray, /listening/);
const token = execFileSync(process.execPath, [bin, 'key', '--proxy-token'], { env }).toString();

// nginx: the same job — TLS to the upstream, verified, keep-alive, no buffering, the key injected.
const nginxPort = keytrayPort + 1;
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
const nginx = startChild(NGINX, ['-c', join(nginxDir, 'nginx.conf'), '-p', nginxDir], process.env);
await new Promise((r) => setTimeout(r, 500));

const targets = {
  direct: {
    url: `${upstream}/v1/messages`,
    agent: new https.Agent({ keepAlive: true, ca, maxSockets: 512 }),
    headers: { 'x-api-key': key },
    pid: null,
  },
  keytray: {
    url: `http://127.0.0.1:${keytrayPort}/anthropic/v1/messages`,
    agent: new http.Agent({ keepAlive: true, maxSockets: 512 }),
    headers: { 'x-api-key': token },
    pid: keytray.pid,
  },
  nginx: {
    url: `http://127.0.0.1:${nginxPort}/anthropic/v1/messages`,
    agent: new http.Agent({ keepAlive: true, maxSockets: 512 }),
    headers: {},
    pid: nginx.pid,
  },
};

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

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

// 1. Latency, interleaved round by round so every target sees the same machine.
const latency = { direct: [], keytray: [], nginx: [] };
// Warm-up, so every proxy is measured in its steady state (V8 optimises the proxy's code as it runs).
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);
for (let i = 0; i < WARMUP; i++) for (const t of Object.values(targets)) await once(t);
for (let i = 0; i < REQUESTS; i++) for (const [name, t] of Object.entries(targets)) latency[name].push((await once(t)).total);

// 2. Time to first byte of a stream whose upstream drips its first event after 30 ms.
const ttfb = { direct: [], keytray: [], nginx: [] };
for (let i = 0; i < TTFB_RUNS; i++)
  for (const [name, t] of Object.entries(targets)) ttfb[name].push((await once(t, '?drip=30&events=3')).ttfb);

// 3. Memory: ten rounds of a few hundred concurrent dripping streams, each followed by idle.
// Flat means it levels off: over the last half of the rounds the size stays within 5%, so nothing
// accumulates per stream (a V8 heap and malloc arenas take a few rounds to reach their working size).
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const memory = {};
for (const name of ['keytray', 'nginx']) {
  const pid = targets[name].pid;
  const before = rssMiB(pid);
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(pid));
  }, 50);
  const after = [];
  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all(Array.from({ length: STREAMS }, () => once(targets[name], '?drip=200&events=40')));
    await new Promise((r) => setTimeout(r, 2000));
    after.push(rssMiB(pid));
  }
  clearInterval(sampler);
  memory[name] = { before, peak, after };
}

const p = (xs, q) => quantile(xs, q).toFixed(3);
console.log(
  `proxy overhead on loopback, ${REQUESTS} interleaved requests per target after ${WARMUP} warm-up rounds, TLS upstream, node ${process.version}`,
);
console.log('\nlatency per request (ms)       p50      p99   added p50   added p99');
for (const name of Object.keys(targets)) {
  const added = (q) => (name === 'direct' ? '' : (quantile(latency[name], q) - quantile(latency.direct, q)).toFixed(3));
  console.log(
    `  ${name.padEnd(26)}${p(latency[name], 0.5).padStart(8)}${p(latency[name], 0.99).padStart(9)}${added(0.5).padStart(12)}${added(0.99).padStart(12)}`,
  );
}
const addedK = quantile(latency.keytray, 0.5) - quantile(latency.direct, 0.5);
const addedN = quantile(latency.nginx, 0.5) - quantile(latency.direct, 0.5);
console.log(
  `  keytray added p50 / nginx added p50 = ${(addedK / addedN).toFixed(2)}x (goal ≤ 2.00x: ${addedK / addedN <= 2 ? 'met' : 'NOT met'})`,
);

console.log(`\nstream time to first byte (ms, first event after 30 ms, ${TTFB_RUNS} runs)   p50     p99   vs direct p50`);
for (const name of Object.keys(targets)) {
  const delta = name === 'direct' ? '' : `${(quantile(ttfb[name], 0.5) - quantile(ttfb.direct, 0.5)).toFixed(3)}`;
  console.log(`  ${name.padEnd(60)}${p(ttfb[name], 0.5).padStart(8)}${p(ttfb[name], 0.99).padStart(8)}${delta.padStart(14)}`);
}
const ttfbDelta = quantile(ttfb.keytray, 0.5) - quantile(ttfb.direct, 0.5);
console.log(`  keytray first byte within 1 ms of direct: ${ttfbDelta <= 1 ? 'met' : 'NOT met'} (${ttfbDelta.toFixed(3)} ms)`);

console.log(`\nmemory, ${ROUNDS} rounds of ${STREAMS} concurrent streams (RSS MiB)   before    peak   after each round`);
for (const [name, m] of Object.entries(memory)) {
  console.log(
    `  ${name.padEnd(58)}${m.before.toFixed(1).padStart(7)}${m.peak.toFixed(1).padStart(8)}   ${m.after.map((x) => x.toFixed(1)).join(', ')}`,
  );
}
const lastHalf = memory.keytray.after.slice(Math.floor(ROUNDS / 2));
const spread = Math.max(...lastHalf) - Math.min(...lastHalf);
console.log(
  `  keytray flat after load (last ${lastHalf.length} rounds within 5%): ${spread <= 0.05 * Math.max(...lastHalf) ? 'met' : 'NOT met'} (spread ${spread.toFixed(1)} MiB)`,
);
process.exit(0);
