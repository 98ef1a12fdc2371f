/**
 * The sentences KeyTray says about bad input, one wording for the CLI and
 * the window alike: each names what was wrong and what would be right.
 */
import type { AgentInfo } from './agents/catalog';
import { AGENT_IDS } from './agents/catalog';
import { providerIds } from './providers';

const shown = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value.slice(0, 64)) : 'that');

export const problems = {
  unknownProvider: (value: unknown) => `Unknown provider ${shown(value)}. KeyTray knows: ${providerIds().join(', ')}.`,
  unknownAgent: (value: unknown) => `KeyTray does not know an agent called ${shown(value)}: use one of ${AGENT_IDS.join(', ')}.`,
  noScope: (info: AgentInfo, scope: string) => `${info.label} has no ${shown(scope)} scope: use ${info.scopes.join(', ')}.`,
  unknownMode: (mode: string) => `Unknown mode ${shown(mode)}: use helper or proxy.`,
  modeNotConfigurable: (info: AgentInfo, mode: string) => `${info.label} cannot be configured in ${mode} mode.`,
  providerNotUsable: (info: AgentInfo, provider: string) =>
    `${info.label} cannot use ${provider} keys: it takes ${info.providers.join(', ')}.`,
  noNeutralize: (info: AgentInfo) => `Ignoring exported keys is for Claude Code's settings; ${info.label} has no such setting.`,
  notAbsolute: (what: string) => `The ${what} must be an absolute path, such as /home/you/project.`,
  dotDot: (what: string) => `The ${what} must not contain "..": give the folder's own path.`,
};
