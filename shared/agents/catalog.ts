/**
 * The coding agents KeyTray knows, as data: what the CLI, the IPC schemas,
 * the tray and the window need to offer each one. Core's registry
 * (electron/core/agents/registry.ts) pairs each entry with its integration.
 * Pure.
 */
import type { ProviderId } from '../providers';

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
    modes: ['exec'],
    configurableModes: [],
    defaultMode: null,
    scopes: ['user'],
    options: [],
  },
};

export function isAgentId(value: string): value is AgentId {
  return (AGENT_IDS as readonly string[]).includes(value);
}
