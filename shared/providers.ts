/**
 * The provider catalog: every provider KeyTray can hold keys for, with what a
 * client needs to know to use one of its keys. Pure data, shared by core, CLI
 * and renderer.
 *
 * Two kinds: the built-in providers below, and the custom ones a user defines
 * (`keytray provider add`, kept in the metadata file). Whoever reads the
 * metadata hands its custom providers to `knowCustomProviders`, so that
 * `providerInfo` and `isProviderId` know them in that process.
 */

export const BUILTIN_PROVIDER_IDS = ['anthropic', 'anthropic-aws', 'bedrock', 'openai', 'openrouter', 'gemini'] as const;

export type BuiltinProviderId = (typeof BUILTIN_PROVIDER_IDS)[number];

/** A built-in provider's id, or a custom provider's (see CUSTOM_ID_PATTERN). */
export type ProviderId = string;

/** The wire APIs a provider speaks; an agent can use a provider that speaks its API. */
export const PROVIDER_APIS = ['anthropic', 'openai', 'gemini'] as const;
export type ProviderApi = (typeof PROVIDER_APIS)[number];

/** How a key is presented to the upstream. */
export type AuthScheme =
  /** `x-api-key: <key>` */
  | 'x-api-key'
  /** `Authorization: Bearer <key>` */
  | 'bearer'
  /** `x-goog-api-key: <key>` (Google AI Studio) */
  | 'x-goog-api-key';

export interface ProviderInfo {
  id: ProviderId;
  label: string;
  authScheme: AuthScheme;
  /** The request header the key travels in. */
  header: 'x-api-key' | 'authorization' | 'x-goog-api-key';
  /**
   * Default upstream base URL. `{region}` is replaced by the provider's region
   * setting for the AWS-hosted providers.
   */
  defaultBaseUrl: string;
  /** The wire APIs it answers at that base URL (`/v1/messages`, `/v1/chat/completions`, `/v1beta/models/…`). */
  apis: readonly ProviderApi[];
  /** Whether the provider lives in an AWS region (region setting applies). */
  regional: boolean;
  /** Whether requests carry a workspace ID (`anthropic-workspace-id`). */
  usesWorkspace: boolean;
  /** What a well-formed key looks like; a mismatch warns, never rejects. */
  keyFormat: { pattern: RegExp; description: string };
  /** Where a user gets a key. */
  keyUrl: string;
  /** The variable tools read this provider's key from (`keytray exec`). */
  keyEnvVar: string;
  /** The variable tools read a custom base URL from, where one is customary. */
  baseUrlEnvVar: string | null;
  /** The SigV4 service name, for providers that take AWS signatures. */
  sigv4Service?: string;
  /** Set for a provider the user defined (`keytray provider add`): its definition. */
  custom?: CustomProvider;
}

/** A provider the user defined: what `keytray provider add` records in the metadata file. */
export interface CustomProvider {
  label: string;
  api: ProviderApi;
  /** Without a trailing slash or `/v1` (see normalizeBaseUrl). */
  baseUrl: string;
  auth: AuthScheme;
  keyUrl?: string;
  /** The preset it was made from (shared/provider-presets.ts), if any. */
  preset?: string;
}

/** A custom provider's id: it names the proxy route (`/<id>/…`) and the keychain entries (`<id>/<label>`). */
export const CUSTOM_ID_PATTERN = /^[a-z][a-z0-9-]{1,31}$/;

export const PROVIDERS: Readonly<Record<BuiltinProviderId, ProviderInfo>> = {
  anthropic: {
    id: 'anthropic',
    label: 'Anthropic',
    authScheme: 'x-api-key',
    header: 'x-api-key',
    defaultBaseUrl: 'https://api.anthropic.com',
    apis: ['anthropic'],
    regional: false,
    usesWorkspace: false,
    keyFormat: {
      pattern: /^sk-ant-api\d\d-[A-Za-z0-9_-]{20,}$/,
      description: 'an Anthropic API key starts with "sk-ant-api03-"',
    },
    keyUrl: 'https://console.anthropic.com/settings/keys',
    keyEnvVar: 'ANTHROPIC_API_KEY',
    baseUrlEnvVar: 'ANTHROPIC_BASE_URL',
  },
  'anthropic-aws': {
    id: 'anthropic-aws',
    label: 'Claude Platform on AWS',
    authScheme: 'x-api-key',
    header: 'x-api-key',
    defaultBaseUrl: 'https://aws-external-anthropic.{region}.api.aws',
    apis: ['anthropic'],
    regional: true,
    usesWorkspace: true,
    keyFormat: {
      pattern: /^[A-Za-z0-9_\-+/=.]{20,}$/,
      description: 'a Claude Platform on AWS API key is a long token without spaces',
    },
    keyUrl: 'https://console.aws.amazon.com/',
    keyEnvVar: 'ANTHROPIC_AWS_API_KEY',
    baseUrlEnvVar: 'ANTHROPIC_AWS_BASE_URL',
    sigv4Service: 'aws-external-anthropic',
  },
  bedrock: {
    id: 'bedrock',
    label: 'Amazon Bedrock',
    authScheme: 'bearer',
    header: 'authorization',
    defaultBaseUrl: 'https://bedrock-runtime.{region}.amazonaws.com',
    apis: ['anthropic'],
    regional: true,
    usesWorkspace: false,
    keyFormat: {
      pattern: /^(ABSK[A-Za-z0-9+/=]{20,}|bedrock-api-key-[A-Za-z0-9+/=_-]{20,})$/,
      description: 'a Bedrock API key starts with "ABSK" (long-term) or "bedrock-api-key-" (short-term)',
    },
    keyUrl: 'https://console.aws.amazon.com/bedrock/home#/api-keys',
    keyEnvVar: 'AWS_BEARER_TOKEN_BEDROCK',
    baseUrlEnvVar: 'ANTHROPIC_BEDROCK_BASE_URL',
    sigv4Service: 'bedrock',
  },
  openai: {
    id: 'openai',
    label: 'OpenAI',
    authScheme: 'bearer',
    header: 'authorization',
    defaultBaseUrl: 'https://api.openai.com',
    apis: ['openai'],
    regional: false,
    usesWorkspace: false,
    keyFormat: {
      pattern: /^sk-(proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}$/,
      description: 'an OpenAI API key starts with "sk-" (project keys with "sk-proj-")',
    },
    keyUrl: 'https://platform.openai.com/api-keys',
    keyEnvVar: 'OPENAI_API_KEY',
    baseUrlEnvVar: 'OPENAI_BASE_URL',
  },
  openrouter: {
    id: 'openrouter',
    label: 'OpenRouter',
    authScheme: 'bearer',
    header: 'authorization',
    defaultBaseUrl: 'https://openrouter.ai/api',
    // One base for both: /api/v1/chat/completions and the Anthropic-compatible /api/v1/messages
    // (https://openrouter.ai/docs/cookbook/coding-agents/claude-code-integration).
    apis: ['openai', 'anthropic'],
    regional: false,
    usesWorkspace: false,
    keyFormat: {
      pattern: /^sk-or-v1-[a-f0-9]{64}$/,
      description: 'an OpenRouter key starts with "sk-or-v1-" followed by 64 hex digits',
    },
    keyUrl: 'https://openrouter.ai/settings/keys',
    keyEnvVar: 'OPENROUTER_API_KEY',
    baseUrlEnvVar: null,
  },
  gemini: {
    id: 'gemini',
    label: 'Google Gemini',
    authScheme: 'x-goog-api-key',
    header: 'x-goog-api-key',
    defaultBaseUrl: 'https://generativelanguage.googleapis.com',
    apis: ['gemini'],
    regional: false,
    usesWorkspace: false,
    keyFormat: {
      pattern: /^AIza[0-9A-Za-z_-]{35}$/,
      description: 'a Google AI Studio key starts with "AIza" followed by 35 letters, digits, "-" or "_"',
    },
    keyUrl: 'https://aistudio.google.com/apikey',
    keyEnvVar: 'GEMINI_API_KEY',
    baseUrlEnvVar: 'GOOGLE_GEMINI_BASE_URL',
  },
};

/** The custom providers this process knows, from the metadata file it last read. */
let customProviders: ReadonlyMap<string, ProviderInfo> = new Map();

/** Makes the metadata file's custom providers known to `providerInfo`, `isProviderId` and `providerIds`. */
export function knowCustomProviders(definitions: Readonly<Record<string, CustomProvider>> | undefined): void {
  customProviders = new Map(Object.entries(definitions ?? {}).map(([id, def]) => [id, customProviderInfo(id, def)]));
}

/** Every provider this process knows: the built-in ones, then the custom ones in the order they were added. */
export function providerIds(): ProviderId[] {
  return [...BUILTIN_PROVIDER_IDS, ...customProviders.keys()];
}

export function isBuiltinProviderId(value: string): value is BuiltinProviderId {
  return (BUILTIN_PROVIDER_IDS as readonly string[]).includes(value);
}

export function isProviderId(value: string): value is ProviderId {
  return isBuiltinProviderId(value) || customProviders.has(value);
}

/**
 * Whether a value can name a provider, known here or not: for reading what KeyTray wrote (a helper
 * command, a proxy URL) in a process that may not have read the metadata file.
 */
export function isProviderIdShape(value: string): boolean {
  return isBuiltinProviderId(value) || CUSTOM_ID_PATTERN.test(value);
}

/** A provider's catalog entry. Throws for an id this process does not know: callers check ids at the edge. */
export function providerInfo(id: ProviderId): ProviderInfo {
  const info = isBuiltinProviderId(id) ? PROVIDERS[id] : customProviders.get(id);
  if (!info) throw new Error(`Unknown provider "${id}".`);
  return info;
}

/** Whether the provider answers this wire API (Claude Code needs `anthropic`, Codex `openai`). */
export function speaks(id: ProviderId, api: ProviderApi): boolean {
  return providerInfo(id).apis.includes(api);
}

const API_ENV: Record<ProviderApi, { key: Record<'x-api-key' | 'bearer' | 'x-goog-api-key', string>; baseUrl: string }> = {
  anthropic: {
    key: { 'x-api-key': 'ANTHROPIC_API_KEY', bearer: 'ANTHROPIC_AUTH_TOKEN', 'x-goog-api-key': 'ANTHROPIC_API_KEY' },
    baseUrl: 'ANTHROPIC_BASE_URL',
  },
  openai: {
    key: { 'x-api-key': 'OPENAI_API_KEY', bearer: 'OPENAI_API_KEY', 'x-goog-api-key': 'OPENAI_API_KEY' },
    baseUrl: 'OPENAI_BASE_URL',
  },
  gemini: {
    key: { 'x-api-key': 'GEMINI_API_KEY', bearer: 'GEMINI_API_KEY', 'x-goog-api-key': 'GEMINI_API_KEY' },
    baseUrl: 'GOOGLE_GEMINI_BASE_URL',
  },
};

/** A custom provider as a catalog entry: its API decides the variables `keytray exec` fills. */
export function customProviderInfo(id: string, def: CustomProvider): ProviderInfo {
  return {
    id,
    label: def.label,
    authScheme: def.auth,
    header: def.auth === 'bearer' ? 'authorization' : def.auth,
    defaultBaseUrl: def.baseUrl,
    apis: [def.api],
    regional: false,
    usesWorkspace: false,
    keyFormat: { pattern: /^\S{8,}$/, description: 'a key is one token of at least 8 characters, without spaces' },
    keyUrl: def.keyUrl ?? def.baseUrl,
    keyEnvVar: API_ENV[def.api].key[def.auth],
    baseUrlEnvVar: API_ENV[def.api].baseUrl,
    custom: def,
  };
}

/** The header that carries a key to this provider, in its scheme. */
export function keyHeaders(provider: ProviderId, secret: string): Record<string, string> {
  switch (providerInfo(provider).authScheme) {
    case 'x-api-key':
      return { 'x-api-key': secret };
    case 'x-goog-api-key':
      return { 'x-goog-api-key': secret };
    case 'bearer':
      return { authorization: `Bearer ${secret}` };
  }
}

/**
 * A sentence explaining why the key does not look like one of this provider's
 * keys, or null when it does. Never contains the key.
 */
export function keyFormatWarning(provider: ProviderId, secret: string): string | null {
  const { keyFormat, label } = providerInfo(provider);
  if (keyFormat.pattern.test(secret)) return null;
  return `This does not look like an API key for ${label} (${keyFormat.description}); it was stored anyway.`;
}
