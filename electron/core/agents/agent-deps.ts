/** What every agent integration is built from (services.ts builds it once, for the app and the CLI alike). */
import type { SettingsWriter } from '../files/settings-writer';
import type { Vault } from '../vault/vault';
import type { HelperPins, Launcher } from './helper-script';

export interface AgentDeps {
  vault: Vault;
  writer: SettingsWriter;
  dataDir: string;
  metadataPath: string;
  /** How the helper script runs the keytray CLI. */
  launcher: Launcher;
  pins: HelperPins;
}
