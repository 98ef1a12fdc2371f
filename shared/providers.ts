/**
 * The provider catalog: every provider KeyTray can hold keys for, with what a
 * client needs to know to use one of its keys. Pure data, shared by core, CLI
 * and renderer.
 */

export const PROVIDER_IDS = ['anthropic', 'anthropic-aws', 'bedrock', 'openai', 'openrouter', 'gemini'] as const;

export type ProviderId = (typeof PROVIDER_IDS)[number];

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
}

export const PROVIDERS: Readonly<Record<ProviderId, ProviderInfo>> = {
  anthropic: {
    id: 'anthropic',
    label: 'Anthropic',
    authScheme: 'x-api-key',
    header: 'x-api-key',
    defaultBaseUrl: 'https://api.anthropic.com',
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

export function isProviderId(value: string): value is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(value);
}

/** The header that carries a key to this provider, in its scheme. */
export function keyHeaders(provider: ProviderId, secret: string): Record<string, string> {
  switch (PROVIDERS[provider].authScheme) {
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
  const { keyFormat, label } = PROVIDERS[provider];
  if (keyFormat.pattern.test(secret)) return null;
  return `This does not look like an API key for ${label} (${keyFormat.description}); it was stored anyway.`;
}
