/**
 * The proxy's request log: one JSON line per request in KeyTray's data
 * directory, rotated at 5 MiB, for `keytray proxy log` and the window.
 * Entries hold no secret and no body (see ProxyLogEntry).
 */
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ProxyLogEntry } from '../../../shared/proxy-types';

const ROTATE_AT = 5 * 1024 * 1024;

export function proxyLogPath(dataDir: string): string {
  return join(dataDir, 'proxy-log.jsonl');
}

/**
 * Each line is written at once, with one `write` on a file opened for
 * appending, after the answer's last byte has gone to the client. Not
 * through a WriteStream: its write is a job for libuv's thread pool, which
 * on two cores woke a thread per request that competed with the proxy for
 * the CPU (a third of its busy time, bench/proxy/README.md), and its line
 * could still be in flight when a reader (`keytray proxy log`, the window)
 * looked. A short append to a local file is a few microseconds in the
 * kernel's page cache; when the line is written, any reader sees it.
 */
export class ProxyLog {
  private fd: number | null = null;
  private written = 0;
  constructor(private readonly path: string) {}

  /** Appends in order; a failure to log never fails a request (the next line tries to open the file again). */
  append(entry: ProxyLogEntry): void {
    const line = `${JSON.stringify(entry)}\n`;
    try {
      if (this.fd === null) this.open();
      else if (this.written > ROTATE_AT) this.rotate();
      this.written += writeSync(this.fd as number, line);
    } catch {
      this.close();
    }
  }

  /** Closes the file; the next line opens it again. */
  async flush(): Promise<void> {
    this.close();
  }

  private open(): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    this.fd = openSync(this.path, 'a', 0o600);
    this.written = fstatSync(this.fd).size;
  }

  private close(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      // Already gone: nothing was buffered.
    }
    this.fd = null;
  }

  private rotate(): void {
    this.close();
    try {
      renameSync(this.path, `${this.path}.1`);
    } catch {
      // Another writer rotated it first.
    }
    this.open();
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
