/**
 * The proxy as the app and `keytray proxy` run it: started when wanted,
 * stopped when not, every request appended to the log and every model
 * request's usage to the usage file, with its state and last error for the
 * tray, the window and the terminal.
 */
import { KeyTrayError } from '../../../shared/errors';
import type { ProxyHold, ProxyLogEntry, ProxyStatus } from '../../../shared/proxy-types';
import type { UsageRecord } from '../../../shared/usage';
import { UsageLog } from '../usage/usage-log';
import type { Vault } from '../vault/vault';
import { type RunningProxy, startProxy } from './proxy';
import { ProxyLog } from './proxy-log';

export class ProxyController {
  private running: RunningProxy | null = null;
  private port = 0;
  private failure: KeyTrayError | undefined;
  /** Whether a configuration needs it (the last `ensure`), and a start or stop the user asked for, which wins. */
  private needed = false;
  private held: ProxyHold = 'auto';
  private readonly log: ProxyLog;
  /** Null: usage is not counted (`keytray proxy --no-usage`). */
  private readonly usage: UsageLog | null;

  constructor(
    private readonly vault: Vault,
    logPath: string,
    private readonly onRequest?: (entry: ProxyLogEntry) => void,
    /** A port for this run only (`keytray proxy --port`); the stored one otherwise. */
    private readonly portOnce?: number,
    /** The usage file; null counts no usage. */
    usagePath: string | null = null,
    private readonly onUsage?: (record: UsageRecord) => void,
  ) {
    this.log = new ProxyLog(logPath);
    this.usage = usagePath === null ? null : new UsageLog(usagePath);
  }

  /** Writes the usage recorded so far, for a reader in this process. */
  async flushUsage(): Promise<void> {
    await this.usage?.flush();
  }

  /** The same, at once: for an app about to quit, which does not wait for a promise. */
  flushUsageSync(): void {
    this.usage?.flushSync();
  }

  status(): ProxyStatus {
    return {
      running: this.running !== null,
      port: this.port,
      needed: this.needed,
      held: this.held,
      ...(this.failure ? { error: this.failure.message } : {}),
    };
  }

  /** Starts or stops it at the user's word until told `auto` again; `auto` follows the configurations. */
  async hold(held: ProxyHold): Promise<void> {
    this.held = held;
    await this.ensure(this.needed);
  }

  /** Why the last start failed, with what to do about it. */
  lastFailure(): KeyTrayError | undefined {
    return this.failure;
  }

  /**
   * Starts it when needed (or started by the user) and not running; stops it
   * when running and neither needed nor started by the user, or stopped by them.
   */
  async ensure(needed: boolean): Promise<void> {
    this.needed = needed;
    const wanted = this.held === 'auto' ? needed : this.held === 'started';
    if (wanted && !this.running) {
      this.port = this.portOnce ?? (await this.vault.proxyPort());
      try {
        this.running = await startProxy({
          vault: this.vault,
          port: this.port,
          onLog: (entry) => {
            this.log.append(entry);
            this.onRequest?.(entry);
          },
          ...(this.usage
            ? {
                onUsage: (record: UsageRecord) => {
                  this.usage?.append(record);
                  this.onUsage?.(record);
                },
              }
            : {}),
        });
        this.failure = undefined;
      } catch (error) {
        this.failure =
          error instanceof KeyTrayError ? error : new KeyTrayError('internal', 'The proxy could not start.', { cause: error });
      }
    } else if (!wanted && this.running) {
      await this.running.close();
      this.running = null;
    }
  }

  async stop(): Promise<void> {
    this.held = 'auto';
    await this.ensure(false);
    await this.log.flush();
    await this.usage?.flush();
  }
}
