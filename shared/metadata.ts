/**
 * The non-secret metadata file: its shape, its validation and its migrations.
 * Pure (data in, data out); reading and writing the file is core's job.
 */
import { type AgentId, isAgentId } from './agents/catalog';
import { type AwsAuth, PROFILE_PATTERN } from './aws-auth';
import type { HelperBinding } from './helper-command';
import { labelProblem } from './key-input';
import {
  BUILTIN_PROVIDER_IDS,
  CUSTOM_ID_PATTERN,
  type CustomProvider,
  isBuiltinProviderId,
  PROVIDER_APIS,
  type ProviderApi,
  type ProviderId,
} from './providers';

/** 2: bindings per agent (1 had Claude Code's alone, as `claudeBindings`). */
export const METADATA_VERSION = 2;

/** Where secrets live: the OS keychain, or the plaintext file the user chose. */
export type StoreKind = 'keychain' | 'file';

export interface KeyRecord {
  label: string;
  /** The masked form of the secret (see shared/mask.ts). */
  masked: string;
  /** First 12 hex digits of the secret's SHA-256: tells a changed secret apart. */
  fingerprint: string;
  createdAt: string;
  updatedAt: string;
  /** AWS-hosted providers only: how the key signs in (absent: an API key). */
  auth?: AwsAuth;
  /** With `sigv4-profile`: the AWS profile; no secret is stored. */
  profile?: string;
  /** A daily budget, USD: past it (today's estimated spend through the proxy), the tray turns amber. */
  budgetUsd?: number;
}

export interface ProviderSettings {
  /** Upstream base URL; absent means the catalog default. */
  baseUrl?: string;
  /** AWS region, for the AWS-hosted providers. */
  region?: string;
  /** Claude Platform on AWS workspace ID. */
  workspaceId?: string;
  /** Model names an agent is told to use with this provider (Claude Code's `ANTHROPIC_MODEL` and defaults). */
  models?: ModelNames;
}

/** Claude Code's model variables, by KeyTray's name for each (see MODEL_VARIABLES). */
export interface ModelNames {
  model?: string;
  opus?: string;
  sonnet?: string;
  haiku?: string;
  subagent?: string;
}

export const MODEL_NAMES = ['model', 'opus', 'sonnet', 'haiku', 'subagent'] as const satisfies readonly (keyof ModelNames)[];

export interface ProviderState {
  /** Label of the active key; null only when there are no keys. */
  active: string | null;
  keys: KeyRecord[];
  settings: ProviderSettings;
  /** Opt-in: an answer of 429 or 5xx is retried once by the proxy with the provider's next key. */
  fallback?: boolean;
}

export interface Metadata {
  version: typeof METADATA_VERSION;
  store: StoreKind;
  providers: Partial<Record<ProviderId, ProviderState>>;
  /** The providers the user defined (`keytray provider add`), by id. */
  custom?: Record<string, CustomProvider>;
  /** The key KeyTray gave each agent config file it wrote, by agent, then by the file's path. */
  bindings?: Partial<Record<AgentId, Record<string, AgentBinding>>>;
  /** The local proxy's settings (proxy mode). */
  proxy?: ProxySettings;
}

/** The key KeyTray gave one agent config file, and how (helper mode, or proxy mode). */
export type AgentBinding = HelperBinding & {
  mode?: 'proxy';
  /**
   * A route token's id (Gemini CLI's .env): the token, derived from the install's, works while this
   * binding exists and stops when it goes.
   */
  tokenId?: string;
  /**
   * What KeyTray replaced in the file, to put back on remove (Codex's model_provider; Claude Code's
   * settings, sealed under the backup key since another tool's key command may hold a secret).
   */
  replaced?: Record<string, string>;
  /** What KeyTray wrote, setting by setting (`apiKeyHelper`, `env.NAME`): remove takes out what still holds it. */
  wrote?: Record<string, string>;
};
/** Claude Code's binding, as it was named before there were other agents. */
export type ClaudeBinding = AgentBinding;

export interface ProxySettings {
  port: number;
  /** When the install's proxy token was last replaced (`keytray proxy rotate-token`): a running proxy re-reads it. */
  tokenRotatedAt?: string;
}

export const DEFAULT_PROXY_PORT = 8723;

export function emptyMetadata(): Metadata {
  return { version: METADATA_VERSION, store: 'keychain', providers: {} };
}

export function emptyProviderState(): ProviderState {
  return { active: null, keys: [], settings: {} };
}

export class MetadataFormatError extends Error {}

/**
 * Validates parsed JSON as metadata, migrating older versions. Throws
 * MetadataFormatError with a sentence naming what is wrong.
 */
export function parseMetadata(value: unknown): Metadata {
  const root = asObject(value, 'the file');
  const version = root.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new MetadataFormatError('"version" must be a positive integer.');
  }
  if (version > METADATA_VERSION) {
    throw new MetadataFormatError(
      `it was written by a newer KeyTray (format ${version}; this one reads up to ${METADATA_VERSION}). Upgrade KeyTray.`,
    );
  }
  const store = root.store;
  if (store !== 'keychain' && store !== 'file') throw new MetadataFormatError('"store" must be "keychain" or "file".');
  const custom = parseCustomProviders(root.custom);
  const known = (id: string) => isBuiltinProviderId(id) || (custom !== undefined && Object.hasOwn(custom, id));
  const providersIn = asObject(root.providers, '"providers"');
  const providers: Metadata['providers'] = {};
  for (const [id, state] of Object.entries(providersIn)) {
    if (!known(id)) {
      const all = [...BUILTIN_PROVIDER_IDS, ...Object.keys(custom ?? {})];
      throw new MetadataFormatError(`unknown provider "${id}" (known: ${all.join(', ')}).`);
    }
    providers[id] = parseProviderState(state, id);
  }
  const bindings = version === 1 ? migrateClaudeBindings(root.claudeBindings, known) : parseAgentBindings(root.bindings, known);
  const proxy = parseProxy(root.proxy);
  return {
    version: METADATA_VERSION,
    store,
    providers,
    ...(custom ? { custom } : {}),
    ...(bindings ? { bindings } : {}),
    ...(proxy ? { proxy } : {}),
  };
}

function parseProxy(value: unknown): ProxySettings | undefined {
  if (value === undefined) return undefined;
  const proxy = asObject(value, '"proxy"');
  const port = proxy.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new MetadataFormatError('"proxy.port" must be a port number (1-65535).');
  }
  const rotated = proxy.tokenRotatedAt === undefined ? undefined : asString(proxy.tokenRotatedAt, '"proxy.tokenRotatedAt"');
  return { port, ...(rotated ? { tokenRotatedAt: rotated } : {}) };
}

/** Format 1 kept Claude Code's bindings alone; they become the claude-code agent's, every one kept. */
function migrateClaudeBindings(value: unknown, known: KnownProvider): Metadata['bindings'] {
  if (value === undefined) return undefined;
  return { 'claude-code': parseBindingsOf(value, '"claudeBindings"', known) };
}

type KnownProvider = (id: string) => boolean;

/** A custom provider's definition: the same checks `keytray provider add` makes (customProviderProblem). */
function parseCustomProviders(value: unknown): Record<string, CustomProvider> | undefined {
  if (value === undefined) return undefined;
  const custom: Record<string, CustomProvider> = {};
  for (const [id, def] of Object.entries(asObject(value, '"custom"'))) {
    const where = `"custom.${id}"`;
    const obj = asObject(def, where);
    const parsed: CustomProvider = {
      label: asString(obj.label, `${where}.label`),
      api: asString(obj.api, `${where}.api`) as ProviderApi,
      baseUrl: asString(obj.baseUrl, `${where}.baseUrl`),
      auth: asString(obj.auth, `${where}.auth`) as CustomProvider['auth'],
      ...(obj.keyUrl !== undefined ? { keyUrl: asString(obj.keyUrl, `${where}.keyUrl`) } : {}),
      ...(obj.preset !== undefined ? { preset: asString(obj.preset, `${where}.preset`) } : {}),
    };
    const problem = customProviderProblem(id, parsed);
    if (problem) throw new MetadataFormatError(`${where}: ${problem}`);
    custom[id] = parsed;
  }
  return custom;
}

/** The auth schemes each API's clients can send. */
export const API_AUTH: Record<ProviderApi, readonly CustomProvider['auth'][]> = {
  anthropic: ['x-api-key', 'bearer'],
  openai: ['bearer', 'x-api-key'],
  gemini: ['x-goog-api-key', 'bearer'],
};

/** A sentence saying why a custom provider's definition cannot be used, or null. Pure; ids taken by others are the caller's check. */
export function customProviderProblem(id: string, def: CustomProvider): string | null {
  if (!CUSTOM_ID_PATTERN.test(id)) {
    return `"${id}" cannot name a provider: use 2 to 32 lowercase letters, digits and "-", starting with a letter.`;
  }
  if (isBuiltinProviderId(id)) return `"${id}" is a built-in provider: choose another id.`;
  if (def.label.trim() === '' || def.label.length > 64) return 'A provider label is 1 to 64 characters.';
  if (!(PROVIDER_APIS as readonly string[]).includes(def.api)) return `--api must be one of ${PROVIDER_APIS.join(', ')}.`;
  if (!API_AUTH[def.api].includes(def.auth)) {
    return `A provider speaking the ${def.api} API takes its key as ${API_AUTH[def.api].join(' or ')}, not ${def.auth}.`;
  }
  for (const [name, url] of [['base URL', def.baseUrl] as const, ['key URL', def.keyUrl] as const]) {
    if (url === undefined) continue;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return `The ${name} "${url}" is not a URL.`;
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return `The ${name} must start with https:// or http://.`;
    if (parsed.username || parsed.password)
      return `The ${name} must not carry a user name or password: keys belong in the keychain.`;
  }
  return null;
}

function parseAgentBindings(value: unknown, known: KnownProvider): Metadata['bindings'] {
  if (value === undefined) return undefined;
  const obj = asObject(value, '"bindings"');
  const bindings: Metadata['bindings'] = {};
  for (const [agent, files] of Object.entries(obj)) {
    if (!isAgentId(agent)) throw new MetadataFormatError(`"bindings" names an unknown agent "${agent}".`);
    bindings[agent] = parseBindingsOf(files, `"bindings.${agent}"`, known);
  }
  return bindings;
}

function parseBindingsOf(value: unknown, where: string, known: KnownProvider): Record<string, AgentBinding> {
  const obj = asObject(value, where);
  const bindings: Record<string, AgentBinding> = {};
  for (const [path, binding] of Object.entries(obj)) bindings[path] = parseBinding(binding, `${where} for ${path}`, known);
  return bindings;
}

function parseBinding(value: unknown, where: string, known: KnownProvider): AgentBinding {
  const b = asObject(value, where);
  const provider = asString(b.provider, `${where}.provider`);
  if (!known(provider)) throw new MetadataFormatError(`${where}: unknown provider "${provider}".`);
  const binding: AgentBinding = { provider };
  if (b.label !== undefined) {
    const label = asString(b.label, `${where}.label`);
    const problem = labelProblem(label);
    if (problem) throw new MetadataFormatError(`${where}: ${problem}`);
    binding.label = label;
  }
  if (b.mode !== undefined) {
    if (b.mode !== 'proxy') throw new MetadataFormatError(`${where}.mode must be "proxy" when set.`);
    binding.mode = 'proxy';
  }
  if (b.tokenId !== undefined) {
    const tokenId = asString(b.tokenId, `${where}.tokenId`);
    if (!/^[0-9a-f]{16,64}$/.test(tokenId)) throw new MetadataFormatError(`${where}.tokenId must be hex digits.`);
    binding.tokenId = tokenId;
  }
  if (b.replaced !== undefined) binding.replaced = asStringMap(b.replaced, `${where}.replaced`);
  if (b.wrote !== undefined) binding.wrote = asStringMap(b.wrote, `${where}.wrote`);
  return binding;
}

function asStringMap(value: unknown, where: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const [name, v] of Object.entries(asObject(value, where))) map[name] = asString(v, `${where}.${name}`);
  return map;
}

function parseProviderState(value: unknown, id: string): ProviderState {
  const where = `"providers.${id}"`;
  const obj = asObject(value, where);
  if (!Array.isArray(obj.keys)) throw new MetadataFormatError(`${where}.keys must be a list.`);
  const keys = obj.keys.map((k, i) => parseKeyRecord(k, `${where}.keys[${i}]`));
  const labels = new Set(keys.map((k) => k.label));
  if (labels.size !== keys.length) throw new MetadataFormatError(`${where} has two keys with the same label.`);
  const active = obj.active;
  if (active !== null && typeof active !== 'string') throw new MetadataFormatError(`${where}.active must be a label or null.`);
  if (keys.length > 0 && (active === null || !labels.has(active))) {
    throw new MetadataFormatError(`${where}.active must name one of its keys.`);
  }
  if (keys.length === 0 && active !== null) throw new MetadataFormatError(`${where}.active names a key it does not have.`);
  if (obj.fallback !== undefined && typeof obj.fallback !== 'boolean')
    throw new MetadataFormatError(`${where}.fallback must be true or false.`);
  return {
    active,
    keys,
    settings: parseSettings(obj.settings, `${where}.settings`),
    ...(obj.fallback === true ? { fallback: true } : {}),
  };
}

function parseKeyRecord(value: unknown, where: string): KeyRecord {
  const obj = asObject(value, where);
  const record = {
    label: asString(obj.label, `${where}.label`),
    masked: asString(obj.masked, `${where}.masked`),
    fingerprint: asString(obj.fingerprint, `${where}.fingerprint`),
    createdAt: asString(obj.createdAt, `${where}.createdAt`),
    updatedAt: asString(obj.updatedAt, `${where}.updatedAt`),
  };
  const problem = labelProblem(record.label);
  if (problem) throw new MetadataFormatError(`${where}: ${problem}`);
  if (obj.budgetUsd !== undefined) {
    if (typeof obj.budgetUsd !== 'number' || !Number.isFinite(obj.budgetUsd) || obj.budgetUsd <= 0)
      throw new MetadataFormatError(`${where}.budgetUsd must be a positive number of dollars.`);
    Object.assign(record, { budgetUsd: obj.budgetUsd });
  }
  if (obj.auth !== undefined) {
    if (obj.auth !== 'api-key' && obj.auth !== 'sigv4-keys' && obj.auth !== 'sigv4-profile') {
      throw new MetadataFormatError(`${where}.auth must be api-key, sigv4-keys or sigv4-profile.`);
    }
    const auth: AwsAuth = obj.auth;
    if (auth === 'sigv4-profile') {
      const profile = asString(obj.profile, `${where}.profile`);
      if (!PROFILE_PATTERN.test(profile)) throw new MetadataFormatError(`${where}.profile is not a profile name.`);
      return { ...record, auth, profile };
    }
    return { ...record, auth };
  }
  return record;
}

function parseSettings(value: unknown, where: string): ProviderSettings {
  if (value === undefined) return {};
  const obj = asObject(value, where);
  const settings: ProviderSettings = {};
  for (const name of ['baseUrl', 'region', 'workspaceId'] as const) {
    if (obj[name] !== undefined) settings[name] = asString(obj[name], `${where}.${name}`);
  }
  if (obj.models !== undefined) {
    const models = asObject(obj.models, `${where}.models`);
    settings.models = {};
    for (const name of MODEL_NAMES) {
      if (models[name] !== undefined) settings.models[name] = asString(models[name], `${where}.models.${name}`);
    }
  }
  return settings;
}

function asObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MetadataFormatError(`${where} must be an object.`);
  }
  return value as Record<string, unknown>;
}

function asString(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new MetadataFormatError(`${where} must be a string.`);
  return value;
}
