/**
 * The proxy as the app and `keytray proxy` run it: started when wanted,
 * stopped when not, every request appended to the log, with its state and
 * last error for the tray, the window and the terminal.
 */
import { KeyTrayError } from '../../../shared/errors';
import type { ProxyLogEntry } from '../../../shared/proxy-types';
import type { Vault } from '../vault/vault';
import { type RunningProxy, startProxy } from './proxy';
import { ProxyLog } from './proxy-log';

export class ProxyController {
  private running: RunningProxy | null = null;
  private port = 0;
  private failure: KeyTrayError | undefined;
  private readonly log: ProxyLog;

  constructor(
    private readonly vault: Vault,
    logPath: string,
    private readonly onRequest?: (entry: ProxyLogEntry) => void,
    /** A port for this run only (`keytray proxy --port`); the stored one otherwise. */
    private readonly portOnce?: number,
  ) {
    this.log = new ProxyLog(logPath);
  }

  status(): { running: boolean; port: number; error?: string } {
    return { running: this.running !== null, port: this.port, ...(this.failure ? { error: this.failure.message } : {}) };
  }

  /** Why the last start failed, with what to do about it. */
  lastFailure(): KeyTrayError | undefined {
    return this.failure;
  }

  /** Starts it when wanted and not running, stops it when running and not wanted. */
  async ensure(wanted: boolean): Promise<void> {
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
    await this.ensure(false);
    await this.log.flush();
  }
}
