/**
 * The proxy's request log: one JSON line per request in KeyTray's data
 * directory, rotated at 5 MiB, for `keytray proxy log` and the window.
 * Entries hold no secret and no body (see ProxyLogEntry).
 */
import { appendFile, mkdir, readFile, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ProxyLogEntry } from '../../shared/proxy-types';

const ROTATE_AT = 5 * 1024 * 1024;

export function proxyLogPath(dataDir: string): string {
  return join(dataDir, 'proxy-log.jsonl');
}

export class ProxyLog {
  private pending: Promise<void> = Promise.resolve();
  constructor(private readonly path: string) {}

  /** Appends in order; a failure to log never fails a request. */
  append(entry: ProxyLogEntry): void {
    this.pending = this.pending.then(() => this.write(entry)).catch(() => undefined);
  }

  flush(): Promise<void> {
    return this.pending;
  }

  private async write(entry: ProxyLogEntry): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const size = await stat(this.path).then(
      (s) => s.size,
      () => 0,
    );
    if (size > ROTATE_AT) await rename(this.path, `${this.path}.1`);
    await appendFile(this.path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  }
}

export async function readProxyLog(path: string, last: number): Promise<ProxyLogEntry[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .slice(-last)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as ProxyLogEntry];
      } catch {
        return [];
      }
    });
}
