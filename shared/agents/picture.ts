/**
 * The auth picture's shape, for every agent: which credential the agent will
 * really send, in which header, from where, to where, and what it shadows.
 * Each agent fills it by its own rules (shared/agents/<id>/); Claude Code's
 * narrows the words to Claude Code's own (`AuthPicture`).
 */
import type { ProviderId } from '../providers';
import type { AgentId } from './catalog';

export type TierState = 'wins' | 'sent' | 'shadowed' | 'ignored' | 'cancelled' | 'absent';

export interface AuthWarning {
  code: string;
  message: string;
  fix?: string;
}

/** A credential as it travels in one header. */
export interface PictureHeader {
  source: string;
  origin: string;
  /** Masked value; null when KeyTray cannot know it (another tool's helper, SigV4). */
  masked: string | null;
  /** Where exactly: a file and line, a settings path, the helper's key. */
  detail?: string;
}

export interface PictureTier {
  source: string;
  state: TierState;
  origin?: string;
  masked?: string | null;
  detail?: string;
  /** Why it is shadowed, ignored or cancelled. */
  reason?: string;
}

export interface AgentPicture {
  tool: AgentId;
  cwd: string;
  /** The agent's own word for where it sends requests (Claude Code's apiProvider, Codex's model_provider…). */
  provider: string;
  /** The base URL requests go to, where the agent's rules say. */
  destination?: string;
  /** The default model, where the agent's config names one (OpenClaw's agents.defaults.model.primary). */
  model?: string;
  /** Every model variable in force, where the agent has several (Claude Code's ANTHROPIC_DEFAULT_*_MODEL…). */
  models?: Record<string, string>;
  headers: Record<string, PictureHeader | null>;
  winner: string;
  tiers: PictureTier[];
  warnings: AuthWarning[];
}

/** `keytray status --json` without --agent: every agent found, one picture each. */
export interface StatusReport {
  cwd: string;
  agents: AgentPicture[];
}

/** A picture's verdict at a glance: the light on its card and in the tray. */
export type PictureLight = 'ok' | 'warning' | 'error';

/** What KeyTray knows about a key command without running it. */
export interface HelperInfo {
  /** The masked key (or proxy token) it prints, when KeyTray knows (its own helper). */
  masked: string | null;
  /** Set when it is KeyTray's helper: the key it stands for. */
  keytray?: { provider: ProviderId; label: string };
  /** Why it will fail, when KeyTray can tell (its key is missing). */
  problem?: string;
  /** What to do about that problem, for that cause. */
  fix?: string;
  /** Set in proxy mode: the helper prints a proxy token; the proxy at `url` injects the key. */
  /** `running`: KeyTray's proxy answers there; `impostor`: something else listens on its port. */
  proxy?: { url: string; running: boolean; impostor?: true };
}
