/**
 * The IPC table: every channel between renderer and main, declared once, with
 * the schema its input must pass. Main registers a handler per channel through
 * one wrapper, the preload exposes one function per channel, the browser
 * tests drive the same table. Outputs carry metadata and masks only; the one
 * exception is `keys:reveal`, which the user asks for explicitly.
 */
import { z } from 'zod';
import { AGENTS, type AgentId, type AgentInfo, isAgentId } from './agents/catalog';
import type { AgentPicture, PictureLight } from './agents/picture';
import type { ErrorCode } from './errors';
import type { ImportScan, MovedKey, PlaintextKey } from './import/plaintext-key';
import { labelProblem } from './key-input';
import { type AgentBinding, MODEL_NAMES } from './metadata';
import { problems } from './problems';
import { SETTING_NAMES } from './provider-settings';
import { isProviderId, PROVIDER_APIS, type ProviderId } from './providers';
import type { ProxyLogEntry, ProxyStatus } from './proxy-types';
import { type BudgetOverrun, USAGE_GROUPS, type UsageSeries, type UsageSummary } from './usage';
import type { KeyListing, KeyView, ProviderView } from './vault-types';

/** Marks an issue whose message is one of KeyTray's own sentences (shared/problems.ts), shown as it is. */
const SENTENCE = { sentence: true };
const provider = z.custom<ProviderId>((v) => typeof v === 'string' && isProviderId(v), {
  error: (issue) => problems.unknownProvider(issue.input),
  params: SENTENCE,
});
const label = z.string().superRefine((value, ctx) => {
  const problem = labelProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, params: SENTENCE });
});
const directory = z
  .string()
  .max(4096)
  .refine((value) => value.startsWith('/') || /^[A-Za-z]:\\/.test(value), {
    message: problems.notAbsolute('project directory'),
    params: SENTENCE,
  })
  .refine((value) => !value.split(/[\\/]/).includes('..'), { message: problems.dotDot('project directory'), params: SENTENCE });
const keyRef = z.strictObject({ provider, label });
/** A provider of the user's, as the window's form sends it; the vault checks it as `keytray provider add` does. */
const customDefinition = z.strictObject({
  label: z.string().max(64),
  api: z.enum(PROVIDER_APIS),
  baseUrl: z.string().max(2048),
  auth: z.enum(['x-api-key', 'bearer', 'x-goog-api-key']),
  keyUrl: z.string().max(2048).optional(),
  preset: z.string().max(32).optional(),
});
const agent = z.custom<AgentId>((v) => typeof v === 'string' && isAgentId(v), {
  error: (issue) => problems.unknownAgent(issue.input),
  params: SENTENCE,
});
const agentFields = {
  agent,
  scope: z.string().max(32).optional(),
  cwd: directory.optional(),
  provider: provider.optional(),
  label: label.optional(),
  mode: z.enum(['helper', 'proxy']).optional(),
  neutralizeEnv: z.boolean().optional(),
  force: z.boolean().optional(),
  /** `remove`: take out exactly what KeyTray put in. */
  action: z.enum(['configure', 'remove']).optional(),
};

/** What the agent's catalog entry allows: its scopes, its modes, its providers, its options. */
function checkAgentTarget(
  value: {
    agent: AgentId;
    scope?: string | undefined;
    mode?: string | undefined;
    provider?: string | undefined;
    neutralizeEnv?: boolean | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  const info: AgentInfo = AGENTS[value.agent];
  const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message, params: SENTENCE });
  if (value.scope !== undefined && !info.scopes.includes(value.scope)) problem('scope', problems.noScope(info, value.scope));
  if (value.mode !== undefined && !(info.configurableModes as readonly string[]).includes(value.mode)) {
    problem('mode', problems.modeNotConfigurable(info, value.mode));
  }
  if (value.provider !== undefined && !(info.providers as readonly string[]).includes(value.provider)) {
    problem('provider', problems.providerNotUsable(info, value.provider));
  }
  if (value.neutralizeEnv && !info.options.includes('neutralizeEnv')) problem('neutralizeEnv', problems.noNeutralize(info));
}
const agentTarget = z.strictObject(agentFields).superRefine(checkAgentTarget);
const agentApply = z.strictObject({ ...agentFields, expectedDiff: z.string().max(1_000_000) }).superRefine(checkAgentTarget);
const agentScope = z
  .strictObject({ agent, scope: z.string().max(32).optional(), cwd: directory.optional() })
  .superRefine(checkAgentTarget);

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
    models: z.partialRecord(z.enum(MODEL_NAMES), z.string().max(128).nullable()).optional(),
  }),
  'provider:add': z.strictObject({ id: z.string().max(32), definition: customDefinition }),
  'provider:edit': z.strictObject({ id: z.string().max(32), definition: customDefinition }),
  'provider:remove': z.strictObject({ id: z.string().max(32) }),
  'agent:list': z.strictObject({ cwd: directory.optional() }),
  'agent:picture': z.strictObject({ agent, cwd: directory.optional() }),
  'agent:plan': agentTarget,
  'agent:apply': agentApply,
  'agent:undo': agentScope,
  'agent:import-key': z.strictObject({
    agent: z.enum(['codex', 'gemini-cli', 'opencode']),
    label: label.optional(),
    cwd: directory.optional(),
  }),
  'bindings:list': z.undefined(),
  'bindings:forget': z.strictObject({ agent, path: z.string().min(1).max(4096) }),
  'proxy:status': z.undefined(),
  'proxy:hold': z.strictObject({ held: z.enum(['auto', 'started', 'stopped']) }),
  'proxy:rotate-token': z.undefined(),
  'proxy:log': z.strictObject({ last: z.number().int().min(1).max(1000) }),
  'usage:summary': z.strictObject({ by: z.enum(USAGE_GROUPS), days: z.number().int().min(1).max(366) }),
  'keys:budget': z.strictObject({ provider, label, usd: z.number().positive().max(1_000_000).nullable() }),
  'provider:fallback': z.strictObject({ provider, on: z.boolean() }),
  'app:settings': z.strictObject({ launchAtLogin: z.boolean().optional() }),
  'app:install-cli': z.undefined(),
  'app:pick-folder': z.strictObject({ title: z.string().max(200) }),
  'import:scan': z.strictObject({ cwd: directory.optional() }),
  /** Without picks: every key whose provider KeyTray can tell (`keytray import --apply`). */
  'import:apply': z.strictObject({
    cwd: directory.optional(),
    picks: z
      .array(z.strictObject({ id: z.string().regex(/^[0-9a-f]{8}$/), provider: provider.optional() }))
      .max(500)
      .optional(),
  }),
  'import:undo': z.undefined(),
} as const;

/** A plan as the window sees it: paths, masked diffs and pictures, never a file's text. */
/** One config file KeyTray bound to a key (`keytray bindings`, the Bindings view). */
export interface BindingRow {
  agent: AgentId;
  path: string;
  binding: AgentBinding;
  /** Why it no longer works, when it does not. */
  stale?: string;
}

/** A configuration KeyTray rewrote because something it names changed (a key's label, the proxy's port). */
export interface RewrittenFile {
  agent: AgentId;
  path: string;
  /** The change made (masked), empty when the file already said what it should. */
  diff: string;
  /** Why it could not be rewritten, and what to do. */
  error?: { message: string; fix?: string };
}

export interface AgentPlanView {
  agent: AgentId;
  action: 'configure' | 'remove';
  scope: string;
  /** The file the binding is remembered under. */
  path: string;
  binding: AgentBinding | null;
  /** `target`: the file really written, when the path is (or sits under) a link. */
  files: { path: string; diff: string; target?: string }[];
  diff: string;
  changed: boolean;
  before: AgentPicture;
  after: AgentPicture;
}

/** One agent on this machine, at a glance. */
export interface AgentSummary {
  id: AgentId;
  label: string;
  installed: boolean;
  configured: boolean;
  light: PictureLight;
  /** How KeyTray configured it for this folder (the file that wins), and with which key; null when it has not. */
  binding: (AgentBinding & { path: string; scope: string }) | null;
  picture: AgentPicture;
}

export interface Outputs {
  'keys:list': KeyListing;
  'keys:add': { key: KeyView; warnings: string[] };
  'keys:use': KeyView;
  'keys:remove': { removed: string; active: string | null; secretWasMissing: boolean };
  /** The key, and each configuration bound to it by label, rewritten to name the new label. */
  'keys:rename': { key: KeyView; files: RewrittenFile[] };
  /** The one output with a secret: shown on an explicit request, for `visibleForMs`. */
  'keys:reveal': { secret: string; visibleForMs: number };
  'keys:copy': { clearsAfterMs: number };
  'keys:test': { ok: boolean; status: number | null; message: string; latencyMs: number };
  /** The provider, and the agent files configured with its keys that were rewritten for the change. */
  'provider:set': ProviderView & { files: RewrittenFile[] };
  'provider:add': ProviderView;
  'provider:edit': ProviderView & { files: RewrittenFile[] };
  'provider:remove': { removed: string };
  /** `home`: for showing paths with `~` (the window never needs more of the user's environment). */
  'agent:list': { cwd: string; home: string; agents: AgentSummary[] };
  'agent:picture': AgentPicture;
  'agent:plan': AgentPlanView;
  'agent:apply': AgentPlanView;
  'agent:undo': { paths: string[]; diff: string; after: AgentPicture };
  'agent:import-key': { key: { provider: ProviderId; label: string }; path: string; diff: string };
  'bindings:list': { bindings: BindingRow[] };
  'bindings:forget': { bindings: BindingRow[] };
  'proxy:status': ProxyStatus;
  'proxy:hold': ProxyStatus;
  /** The files rewritten with new route tokens, and whether the running proxy took the new token. */
  'proxy:rotate-token': { files: RewrittenFile[]; proxy: 'keytray' | 'other' | 'none' };
  'proxy:log': { entries: ProxyLogEntry[] };
  /**
   * The last `days` days of usage through the proxy: the sums grouped `by`, tokens per day per key and
   * per agent for the charts, and the keys past their daily budget.
   */
  'usage:summary': { summary: UsageSummary; byKey: UsageSeries; byAgent: UsageSeries; overBudget: BudgetOverrun[] };
  'keys:budget': KeyView;
  'provider:fallback': ProviderView;
  /** Reads the app's settings, changing those given. */
  'app:settings': { launchAtLogin: boolean };
  /** Where the `keytray` command was installed. */
  'app:install-cli': { path: string };
  'app:pick-folder': { path: string | null };
  /** Every plaintext key found, masked; never a value. */
  'import:scan': ImportScan;
  'import:apply': { moved: MovedKey[]; skipped: PlaintextKey[] };
  'import:undo': { restored: string[] };
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
  // KeyTray's own sentences read as the CLI says them; anything else (a hostile or broken caller) names the field.
  if (first?.code === 'custom' && first.params?.sentence) return first.message;
  const where = first?.path.length ? first.path.join('.') : 'input';
  return `${channel}: ${where} ${first?.message ?? 'is invalid'}.`;
}
