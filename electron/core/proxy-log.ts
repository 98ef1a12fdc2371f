/**
 * The proxy's request log: one JSON line per request in KeyTray's data
 * directory, rotated at 5 MiB, for `keytray proxy log` and the window.
 * Entries hold no secret and no body (see ProxyLogEntry).
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ProxyLogEntry } from '../../shared/proxy-types';

const ROTATE_AT = 5 * 1024 * 1024;
/** Lines are gathered and written together at most this often: a write per request would cost each request a trip to the thread pool. */
const FLUSH_EVERY_MS = 100;

export function proxyLogPath(dataDir: string): string {
  return join(dataDir, 'proxy-log.jsonl');
}

export class ProxyLog {
  private stream: WriteStream | null = null;
  private written = 0;
  private lines: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  constructor(private readonly path: string) {}

  /** Appends in order through one open stream; a failure to log never fails a request. */
  append(entry: ProxyLogEntry): void {
    this.lines.push(`${JSON.stringify(entry)}\n`);
    this.timer ??= setTimeout(() => this.write(), FLUSH_EVERY_MS);
  }

  /** Writes what is pending and closes the file. */
  flush(): Promise<void> {
    this.write();
    const stream = this.stream;
    this.stream = null;
    return new Promise((resolve) => (stream ? stream.end(resolve) : resolve()));
  }

  private write(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.lines.length === 0) return;
    const text = this.lines.join('');
    this.lines = [];
    if (!this.stream) this.open();
    if (this.written > ROTATE_AT) this.rotate();
    this.written += text.length;
    this.stream?.write(text);
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
