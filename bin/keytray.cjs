#!/usr/bin/env node
'use strict';
// Dispatches to the built CLI. `keytray key` (the hot path Claude Code runs at
// every start) has a bundle of its own that loads nothing it does not need.
//
// `keytray proxy` (the long-running proxy, not `proxy log|port|rotate-token`)
// runs in a worker thread of this process, with V8's young generation capped:
// a proxy's garbage is short-lived, and under hundreds of concurrent streams an
// uncapped young generation grew to take a third of its memory (peak RSS 125
// MiB against 105 MiB capped, bench/proxy/README.md). V8 sizes it when a heap
// is made, so only a new heap can have it: a worker's, not this thread's, and
// not a second process. This thread loads nothing else; it passes Ctrl-C and
// SIGTERM on, and exits with the worker's code.
const path = require('node:path');

const YOUNG_GENERATION_MB = 3;

const entry = process.argv[2] === 'key' ? 'key.cjs' : 'keytray.cjs';
const file = path.join(__dirname, '..', 'out', 'cli', entry);
try {
  require.resolve(file);
} catch {
  process.stderr.write(`keytray: ${file} is missing; build KeyTray first with \`npm run build\`.\n`);
  process.exit(1);
}
const sub = process.argv[3];
const servesProxy = process.argv[2] === 'proxy' && (sub === undefined || sub.startsWith('-'));
// worker_threads is loaded for the proxy only: `keytray key` runs at every agent start.
const threads = servesProxy ? require('node:worker_threads') : null;
if (!threads?.isMainThread) require(file);
else {
  // With a young generation this small, what the start left there was still being copied out when the
  // first request came (2 ms more for it in the bench): the proxy collects it before it says it listens,
  // with the gc() this flag gives the worker's context.
  require('node:v8').setFlagsFromString('--expose-gc');
  // The same launcher in the worker, so its process.argv reads as it would here.
  const worker = new threads.Worker(__filename, {
    argv: process.argv.slice(2),
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  // The first asks the proxy to stop cleanly (its log and usage written); a second does not wait.
  let asked = false;
  const onSignal = () => {
    if (asked) process.exit(130);
    asked = true;
    worker.postMessage('stop');
  };
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, onSignal);
  worker.on('error', (error) => {
    // A runtime that cannot start this worker (its script in an archive it cannot read): the proxy runs
    // here instead, as it did before it had a worker, uncapped.
    if (
      ['ERR_WORKER_PATH', 'ERR_WORKER_INIT_FAILED', 'ERR_WORKER_UNSUPPORTED_OPERATION', 'MODULE_NOT_FOUND'].includes(error?.code)
    ) {
      for (const signal of ['SIGINT', 'SIGTERM']) process.off(signal, onSignal);
      worker.removeAllListeners('exit');
      require(file);
      return;
    }
    process.stderr.write(`keytray: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
  worker.on('exit', (code) => {
    process.exitCode ??= code;
  });
}
