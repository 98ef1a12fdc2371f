/**
 * The formats of other tools' files that KeyTray edits (JSON, JSON5, TOML, dotenv),
 * behind one shape, so that the one writer plans, diffs, backs up, undoes
 * and removes in each the same way.
 */

export type Scalar = string | number | boolean;

/** One owned setting: where it is, and the value to set (undefined removes it). Each format says what a path means. */
export interface Change {
  path: string[];
  value: unknown;
}

/** A file's content as read, or where and why it cannot be read. The problem never quotes the text: it may hold a key. */
export type FormatParse =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; problem: string; line: number; column: number };

/**
 * `jsonc-commas`: JSON with comments and trailing commas (OpenCode's opencode.json).
 * `json-lists`: JSON with comments whose entries sit in arrays of objects (claude-code-router's config.json).
 * `json5`: JSON5, comments, bare keys and trailing commas kept (OpenClaw's openclaw.json).
 * `opaque`: a file KeyTray replaces whole and never shows (Gemini CLI's encrypted key store).
 * `owned`: a file of KeyTray's own, written and deleted whole, shown as it is (it holds no secret).
 * `shell`: a shell startup file, never parsed or edited in place: `keytray import` replaces it whole, key lines commented out.
 */
export type FormatId =
  | 'json'
  | 'jsonc'
  | 'jsonc-commas'
  | 'json-lists'
  | 'json5'
  | 'toml'
  | 'dotenv'
  | 'opaque'
  | 'owned'
  | 'shell';

export interface FileFormat {
  id: FormatId;
  /** What the format is called in a sentence ("valid TOML"). */
  name: string;
  parse(text: string): FormatParse;
  /** Applies the changes with minimal byte edits; throws a sentence when the text's shape does not allow one. */
  edit(text: string, changes: Change[]): string;
  /** The text with credential values masked, for diffs. */
  redact(text: string): string;
}

/** A parsed value as an object of unknown values; anything else (an array, a scalar, nothing) as an empty one. */
export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
