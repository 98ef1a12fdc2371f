/**
 * The real claude-code-router (the pinned @musistudio/claude-code-router
 * 2.0.0) as tests run it: `ccr start` in the foreground as a child the test
 * owns, and `ccr code -p hi` with the real Claude Code as its client.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Where ccr runs: its environment, the test's HOME, ccr's folder in it, and the port its config names. */
export interface CcrPlace {
  env: NodeJS.ProcessEnv;
  t: { root: string };
  home: string;
  port: number;
}

/** The pinned ccr's own entry file. */
export function ccrBin(): string {
  return join(dirname(require.resolve('@musistudio/claude-code-router/package.json')), 'dist', 'cli.js');
}

/** `ccr start` in the foreground, as a child this test owns; resolves once its port answers. */
export async function startCcr(w: CcrPlace): Promise<{ stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [ccrBin(), 'start'], { env: w.env, cwd: w.t.root, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    stopStrayCcr(w, child.pid);
  };
  try {
    await untilListening(w.port, exited);
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}

/**
 * A server `ccr code` started on its own (had ours died) is named by ccr's pid file: it is stopped too,
 * only once /proc shows it is ccr running with this test's HOME (a pid can be reused).
 */
function stopStrayCcr(w: CcrPlace, ours: number | undefined): void {
  const pidFile = join(w.home, '.claude-code-router.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === ours) return;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    if (cmdline.includes('claude-code-router') && environ.includes(`HOME=${w.t.root}`)) process.kill(pid, 'SIGTERM');
  } catch {
    // Gone already.
  }
}

async function untilListening(port: number, exited: Promise<void>): Promise<void> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  for (;;) {
    if (gone) throw new Error('ccr start exited before it listened');
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function runCcrCode(w: CcrPlace): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [ccrBin(), 'code', '-p', 'hi'],
      { env: w.env, cwd: w.t.root, timeout: 90_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}
