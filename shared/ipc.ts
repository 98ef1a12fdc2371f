/**
 * The IPC table: every channel between renderer and main, declared once, with
 * the schema its input must pass. Main registers a handler per channel through
 * one wrapper, the preload exposes one function per channel, the browser
 * tests drive the same table. Outputs carry metadata and masks only; the one
 * exception is `keys:reveal`, which the user asks for explicitly.
 */
import { z } from 'zod';
import type { AuthPicture } from './agents/claude-code/auth-picture';
import { WRITABLE_SCOPES } from './agents/claude-code/scopes';
import type { ErrorCode } from './errors';
import { labelProblem } from './key-input';
import type { ClaudeBinding } from './metadata';
import { SETTING_NAMES } from './provider-settings';
import { PROVIDER_IDS } from './providers';
import type { ProxyLogEntry } from './proxy-types';
import type { KeyListing, KeyView, ProviderView } from './vault-types';

const provider = z.enum(PROVIDER_IDS);
const label = z.string().refine((value) => labelProblem(value) === null, { message: 'not an allowed label' });
const directory = z
  .string()
  .max(4096)
  .refine((value) => value.startsWith('/') || /^[A-Za-z]:\\/.test(value), { message: 'must be an absolute path' })
  .refine((value) => !value.split(/[\\/]/).includes('..'), { message: 'must not contain ..' });
const keyRef = z.strictObject({ provider, label });
const claudeTarget = z.strictObject({
  scope: z.enum(WRITABLE_SCOPES),
  cwd: directory.optional(),
  provider: provider.optional(),
  label: label.optional(),
  mode: z.enum(['helper', 'proxy']).optional(),
  neutralizeEnv: z.boolean().optional(),
});

export const INPUTS = {
  'keys:list': z.undefined(),
  'keys:add': z.strictObject({
    provider,
    label,
    secret: z.string().max(8192),
    auth: z.enum(['api-key', 'sigv4-keys', 'sigv4-profile']).optional(),
    profile: z.string().max(64).optional(),
    replace: z.boolean().optional(),
    activate: z.boolean().optional(),
  }),
  'keys:use': keyRef,
  'keys:remove': keyRef,
  'keys:rename': z.strictObject({ provider, label, newLabel: label }),
  'keys:reveal': keyRef,
  'keys:copy': keyRef,
  'keys:test': keyRef,
  'provider:set': z.strictObject({
    provider,
    settings: z.partialRecord(z.enum(SETTING_NAMES as [string, ...string[]]), z.string().max(2048).nullable()),
  }),
  'claude:plan': claudeTarget,
  'claude:apply': claudeTarget.extend({ expectedDiff: z.string().max(1_000_000) }),
  'claude:undo': z.strictObject({ scope: z.enum(WRITABLE_SCOPES), cwd: directory.optional() }),
  'status:picture': z.strictObject({ cwd: directory.optional() }),
  'proxy:status': z.undefined(),
  'proxy:log': z.strictObject({ last: z.number().int().min(1).max(1000) }),
  'app:settings': z.strictObject({ launchAtLogin: z.boolean().optional() }),
  'app:install-cli': z.undefined(),
} as const;

export interface ClaudePlanView {
  scope: (typeof WRITABLE_SCOPES)[number];
  path: string;
  binding: ClaudeBinding;
  diff: string;
  changed: boolean;
  before: AuthPicture;
  after: AuthPicture;
}

export interface Outputs {
  'keys:list': KeyListing;
  'keys:add': { key: KeyView; warnings: string[] };
  'keys:use': KeyView;
  'keys:remove': { removed: string; active: string | null; secretWasMissing: boolean };
  'keys:rename': KeyView;
  /** The one output with a secret: shown on an explicit request, for `visibleForMs`. */
  'keys:reveal': { secret: string; visibleForMs: number };
  'keys:copy': { clearsAfterMs: number };
  'keys:test': { ok: boolean; status: number | null; message: string; latencyMs: number };
  'provider:set': ProviderView;
  'claude:plan': ClaudePlanView;
  'claude:apply': ClaudePlanView;
  'claude:undo': { path: string; diff: string; after: AuthPicture };
  'status:picture': AuthPicture;
  'proxy:status': { running: boolean; port: number; error?: string };
  'proxy:log': { entries: ProxyLogEntry[] };
  /** Reads the app's settings, changing those given. */
  'app:settings': { launchAtLogin: boolean };
  /** Where the `keytray` command was installed. */
  'app:install-cli': { path: string };
}

export type ChannelName = keyof typeof INPUTS;
export type ChannelInput<C extends ChannelName> = z.infer<(typeof INPUTS)[C]>;
export type ChannelOutput<C extends ChannelName> = Outputs[C];

export const CHANNELS = Object.keys(INPUTS) as ChannelName[];

/** Every handler answers with an envelope; errors cross as code + sentences. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: { code: ErrorCode; message: string; fix?: string } };

/** A validation failure as a sentence: what was wrong, never the value itself (it may be a key). */
export function validationProblem(channel: ChannelName, error: z.ZodError): string {
  const first = error.issues[0];
  const where = first?.path.length ? first.path.join('.') : 'input';
  return `${channel}: ${where} ${first?.message ?? 'is invalid'}.`;
}
