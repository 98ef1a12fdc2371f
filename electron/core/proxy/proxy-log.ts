/**
 * The proxy's request log: one JSON line per request in KeyTray's data
 * directory, rotated at 5 MiB, for `keytray proxy log` and the window.
 * Entries hold no secret and no body (see ProxyLogEntry).
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ProxyLogEntry } from '../../../shared/proxy-types';

const ROTATE_AT = 5 * 1024 * 1024;

export function proxyLogPath(dataDir: string): string {
  return join(dataDir, 'proxy-log.jsonl');
}

export class ProxyLog {
  private stream: WriteStream | null = null;
  private written = 0;
  constructor(private readonly path: string) {}

  /** Appends in order through one open stream; a failure to log never fails a request. */
  append(entry: ProxyLogEntry): void {
    const line = `${JSON.stringify(entry)}\n`;
    if (!this.stream) this.open();
    if (this.written > ROTATE_AT) this.rotate();
    this.written += line.length;
    this.stream?.write(line);
  }

  flush(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    return new Promise((resolve) => (stream ? stream.end(resolve) : resolve()));
  }

  private open(): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    this.written = existsSync(this.path) ? statSync(this.path).size : 0;
    this.stream = createWriteStream(this.path, { flags: 'a', mode: 0o600 });
    this.stream.on('error', () => {
      this.stream = null;
    });
  }

  private rotate(): void {
    this.stream?.end();
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
