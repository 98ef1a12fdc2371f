/**
 * The composition root: the services the app's main process and the CLI
 * share, built one way. Each caller says only how KeyTray's own CLI is
 * launched (the app's runtime, or the CLI's).
 */
import type { Launcher } from './agents/helper-script';
import { type AgentRegistry, createAgents } from './agents/registry';
import { SettingsWriter } from './files/settings-writer';
import { configDir, dataDir, metadataPath } from './paths';
import { proxyLogPath } from './proxy/proxy-log';
import { keychainService } from './vault/keychain-store';
import { Vault } from './vault/vault';

export interface Services {
  vault: Vault;
  writer: SettingsWriter;
  agents: AgentRegistry;
  dataDir: string;
  metadataPath: string;
  proxyLogPath: string;
}

export function createServices(launcher: Launcher, vault: Vault = new Vault()): Services {
  const data = dataDir();
  const writer = new SettingsWriter(data, vault);
  const agents = createAgents({
    vault,
    writer,
    dataDir: data,
    metadataPath: metadataPath(),
    launcher,
    pins: { configDir: configDir(), keychainService: keychainService() },
  });
  return { vault, writer, agents, dataDir: data, metadataPath: metadataPath(), proxyLogPath: proxyLogPath(data) };
}
