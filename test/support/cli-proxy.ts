/** `keytray proxy` as a user starts it: a child process on a free port, stopped by the test. */
import { spawn } from 'node:child_process';
import { BIN, runCli } from './cli';
import { freePort } from './ports';

export interface CliProxy {
  port: number;
  /** Asks it to stop (SIGTERM, a clean stop); resolves once it has exited, with its exit code. */
  stop(): Promise<number | null>;
}

export async function startCliProxy(env: NodeJS.ProcessEnv, args: string[] = []): Promise<CliProxy> {
  const port = await freePort();
  // The stored port, which configure writes into agents' files (and moves them along).
  const stored = await runCli(['proxy', 'port', String(port)], { env });
  if (stored.code !== 0) throw new Error(`keytray proxy port failed: ${stored.stderr}`);
  const proxy = spawn(process.execPath, [BIN, 'proxy', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => proxy.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    proxy.stdout.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
    proxy.on('exit', (code) => reject(new Error(`keytray proxy exited with ${code}`)));
  });
  return {
    port,
    stop: () => {
      proxy.kill('SIGTERM');
      return exited;
    },
  };
}
