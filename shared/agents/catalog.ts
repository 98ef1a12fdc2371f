/**
 * The coding agents KeyTray knows, as data: what the CLI, the IPC schemas,
 * the tray and the window need to offer each one. Core's registry
 * (electron/core/agents/registry.ts) pairs each entry with its integration.
 * Pure.
 */
import { type ProviderApi, type ProviderId, providerIds, providerInfo } from '../providers';

export const AGENT_IDS = ['claude-code', 'codex', 'gemini-cli', 'opencode', 'openclaw', 'claude-code-router', 'ant'] as const;
export type AgentId = (typeof AGENT_IDS)[number];

/**
 * How the key reaches the agent: `helper`, the agent runs a command that
 * prints it; `proxy`, the agent holds a local token and talks to KeyTray's
 * proxy; `exec`, the key goes into one child process's environment
 * (`keytray exec`); `native`, the agent's own cloud settings, no secret.
 */
export type DeliveryMode = 'helper' | 'proxy' | 'exec' | 'native';

/** The modes `configure` writes; exec needs no configuration, native follows from the key. */
export type ConfigurableMode = 'helper' | 'proxy';

export interface AgentInfo {
  id: AgentId;
  label: string;
  /** The command that starts it, to tell whether it is installed. */
  command: string;
  providers: readonly ProviderId[];
  /**
   * The wire APIs it speaks with any base URL: a provider of the user's that speaks one of them
   * is taken too (`keytray provider add`), with the header the agent's client sends.
   */
  apis: readonly { api: ProviderApi; header: 'x-api-key' | 'authorization' | 'any' }[];
  modes: readonly DeliveryMode[];
  configurableModes: readonly ConfigurableMode[];
  /** Null for an agent KeyTray writes nothing for (its key only ever reaches it through `keytray exec`). */
  defaultMode: ConfigurableMode | null;
  /** Where KeyTray can write its configuration, the first by default. */
  scopes: readonly string[];
  /** Agent-specific configure options. */
  options: readonly 'neutralizeEnv'[];
}

export const AGENTS: Readonly<Record<AgentId, AgentInfo>> = {
  'claude-code': {
    id: 'claude-code',
    label: 'Claude Code',
    command: 'claude',
    providers: ['anthropic', 'anthropic-aws', 'bedrock'],
    apis: [{ api: 'anthropic', header: 'any' }],
    modes: ['helper', 'proxy', 'exec', 'native'],
    configurableModes: ['helper', 'proxy'],
    defaultMode: 'helper',
    scopes: ['user', 'project', 'local'],
    options: ['neutralizeEnv'],
  },
  codex: {
    id: 'codex',
    label: 'Codex CLI',
    command: 'codex',
    providers: ['openai', 'openrouter'],
    apis: [{ api: 'openai', header: 'authorization' }],
    modes: ['helper', 'proxy'],
    configurableModes: ['helper', 'proxy'],
    defaultMode: 'helper',
    // Codex ignores providers declared in a project's .codex/config.toml: only the Codex home counts.
    scopes: ['user'],
    options: [],
  },
  'gemini-cli': {
    id: 'gemini-cli',
    label: 'Gemini CLI',
    command: 'gemini',
    providers: ['gemini'],
    apis: [],
    modes: ['proxy', 'exec'],
    // Gemini CLI has no key command: a route token in its .env, or the key in one process's environment.
    configurableModes: ['proxy'],
    defaultMode: 'proxy',
    scopes: ['user'],
    options: [],
  },
  opencode: {
    id: 'opencode',
    label: 'OpenCode',
    command: 'opencode',
    providers: ['anthropic', 'openai', 'openrouter'],
    apis: [],
    modes: ['helper', 'proxy'],
    // No key command: a plugin of KeyTray's asks its helper for the key (or the proxy token).
    configurableModes: ['helper', 'proxy'],
    defaultMode: 'helper',
    scopes: ['user'],
    options: [],
  },
  openclaw: {
    id: 'openclaw',
    label: 'OpenClaw',
    command: 'openclaw',
    providers: ['anthropic', 'openai', 'openrouter'],
    apis: [],
    modes: ['helper', 'proxy'],
    configurableModes: ['helper', 'proxy'],
    defaultMode: 'helper',
    // One openclaw.json per OpenClaw state folder: no project scope.
    scopes: ['user'],
    options: [],
  },
  'claude-code-router': {
    id: 'claude-code-router',
    label: 'claude-code-router',
    command: 'ccr',
    // ccr speaks OpenAI-shaped chat completions to these upstreams, and Anthropic's Messages API to Claude Code.
    providers: ['openai', 'openrouter'],
    apis: [{ api: 'openai', header: 'authorization' }],
    modes: ['helper', 'proxy'],
    configurableModes: ['helper', 'proxy'],
    defaultMode: 'helper',
    scopes: ['user'],
    options: [],
  },
  ant: {
    id: 'ant',
    label: "Anthropic's ant CLI",
    command: 'ant',
    providers: ['anthropic', 'anthropic-aws'],
    // No key command and no settings of its own that could hold one: `keytray exec --agent ant` only.
    apis: [],
    modes: ['exec'],
    configurableModes: [],
    defaultMode: null,
    scopes: ['user'],
    options: [],
  },
};

/**
 * Whether the agent can use the provider's keys: one of its own providers, or a provider of the
 * user's that speaks its API. In helper mode the key travels in the agent's own header, so that
 * must be the provider's; in proxy mode the proxy sends the provider's header whatever the agent's.
 */
export function agentTakes(agent: AgentInfo, provider: ProviderId, mode: ConfigurableMode | null): boolean {
  if (agent.providers.includes(provider)) return true;
  const info = providerInfo(provider);
  if (!info.custom) return false;
  return agent.apis.some(
    (a) => info.apis.includes(a.api) && (mode === 'proxy' || a.header === 'any' || a.header === info.header),
  );
}

/** Every provider whose keys the agent can use in some mode: its own, then the user's that speak its API. */
export function providersFor(agent: AgentInfo): ProviderId[] {
  return [...agent.providers, ...providerIds().filter((id) => !agent.providers.includes(id) && agentTakes(agent, id, 'proxy'))];
}

export function isAgentId(value: string): value is AgentId {
  return (AGENT_IDS as readonly string[]).includes(value);
}
