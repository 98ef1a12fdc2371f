/**
 * A key found in plaintext on this machine, as `keytray import` lists it and
 * the window shows it: where it is, whose it is, its mask, and whether
 * KeyTray already holds it. Never the key itself: that stays in main.
 */
import type { AgentId } from '../agents/catalog';
import type { ProviderId } from '../providers';

/** The kinds of places KeyTray looks in, one module each under electron/core/import/. */
export type PlaceKind = 'shell' | 'dotenv' | 'claude-settings' | 'agent-store' | 'agent-log' | 'cc-switch';

export interface PlaintextKey {
  /** Stable while the place and the key in it are unchanged (a hash of both, never the key): what `--pick` names. */
  id: string;
  kind: PlaceKind;
  path: string;
  /** The line in a text file. */
  line?: number;
  /** The row in a database (CC Switch: `providers` id and app). */
  row?: string;
  /** The variable or setting that holds it. */
  variable: string;
  /** Judged by the key's format, then the variable's name; null when neither tells. */
  provider: ProviderId | null;
  masked: string;
  /** The key KeyTray already holds with the same fingerprint, if any. */
  held: { provider: ProviderId; label: string } | null;
  /** The agent whose own store or settings hold it. */
  agent?: AgentId;
  /** What `--apply` does there, in a sentence. */
  action: string;
}

/** One key moved by `--apply`, or why it was not. */
export interface MovedKey {
  id: string;
  path: string;
  key?: { provider: ProviderId; label: string };
  /** What was done to the place (masked diff or a sentence). */
  done?: string;
  /** What the user still has to do (CC Switch's database is theirs to edit). */
  todo?: string;
  error?: { message: string; fix?: string };
}

export interface ImportScan {
  keys: PlaintextKey[];
  /** Places that could not be read, each with why (never a value). */
  unreadable: { path: string; problem: string }[];
}

/** The one wording of the count, for the window's banner and the tray. */
export function plaintextKeysSentence(count: number): string {
  return `${count} ${count === 1 ? 'key' : 'keys'} in plaintext on this machine`;
}
