/**
 * The usage file: one JSON line per model request through the proxy
 * (shared/usage.ts UsageRecord: key label, provider, agent, model, tokens,
 * status, time; never a secret, never a body), in KeyTray's config directory
 * beside the metadata, mode 0600, append-only.
 *
 * Written off the request path: records wait in memory and go out in one
 * append a second (or at 200 waiting), so a request never waits for a disk
 * write; `flush()` (a clean stop, or a reader in the same process) writes
 * what waits at once. Bounded: past 16 MiB (about 80,000 records) the file
 * becomes `usage.1.jsonl`, replacing the one before, and a new file starts;
 * readers read both.
 */
import { appendFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { UsageRecord } from '../../../shared/usage';

const ROTATE_AT = 16 * 1024 * 1024;
const BATCH_MS = 1000;
const BATCH_MAX = 200;

export function usageLogPath(configDir: string): string {
  return join(configDir, 'usage.jsonl');
}

function previousPath(path: string): string {
  return path.replace(/\.jsonl$/, '.1.jsonl');
}

export class UsageLog {
  private waiting: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** The append under way: the next waits for it, so lines stay in order. */
  private writing: Promise<void> = Promise.resolve();
  private size = -1;

  constructor(private readonly path: string) {}

  append(record: UsageRecord): void {
    this.waiting.push(`${JSON.stringify(record)}\n`);
    if (this.waiting.length >= BATCH_MAX) this.writeWaiting();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.writeWaiting(), BATCH_MS);
      this.timer.unref();
    }
  }

  /** Writes everything appended so far; resolves when it is on disk. */
  async flush(): Promise<void> {
    this.writeWaiting();
    await this.writing;
  }

  /** Writes what waits synchronously: for a process about to exit, which cannot wait for a promise. */
  flushSync(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const text = this.waiting.join('');
    this.waiting = [];
    if (!text) return;
    try {
      this.prepare(text.length);
      appendFileSync(this.path, text, { mode: 0o600 });
    } catch {
      // Usage is an estimate; a full disk must not stop the proxy.
    }
  }

  private writeWaiting(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const text = this.waiting.join('');
    this.waiting = [];
    if (!text) return;
    this.writing = this.writing.then(async () => {
      try {
        this.prepare(text.length);
        await appendFile(this.path, text, { mode: 0o600 });
      } catch {
        // As above: a failure to record never fails a request.
      }
    });
  }

  /** Creates the folder on first use, and rotates when this write would pass the bound. */
  private prepare(adding: number): void {
    if (this.size < 0) {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      this.size = existsSync(this.path) ? statSync(this.path).size : 0;
    }
    if (this.size > 0 && this.size + adding > ROTATE_AT) {
      try {
        renameSync(this.path, previousPath(this.path));
      } catch {
        // Another writer rotated it first.
      }
      this.size = existsSync(this.path) ? statSync(this.path).size : 0;
    }
    this.size += adding;
  }
}

/** Every record in the usage file and the one before it, oldest first; unreadable lines are skipped. */
export async function readUsage(path: string): Promise<UsageRecord[]> {
  const records: UsageRecord[] = [];
  for (const file of [previousPath(path), path]) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const record = JSON.parse(line) as UsageRecord;
        if (typeof record.time === 'string' && typeof record.provider === 'string') records.push(record);
      } catch {
        // A line cut short by a crash: the others still count.
      }
    }
  }
  return records;
}
