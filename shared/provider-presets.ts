/**
 * Presets for `keytray provider add --preset <name>`: the Anthropic-compatible
 * endpoints people point Claude Code at. Each entry is taken from the
 * provider's own Claude Code page (cited in `docs`, read December 2026), not
 * guessed; where a page does not say where keys are made, `keyUrl` is the
 * page itself. Model names are left to the user (`keytray provider set <id>
 * --model …`): the providers rename them often, and their pages name several.
 * Pure data.
 *
 * OpenRouter needs no preset: its built-in provider answers the Anthropic
 * API at the same base URL as the OpenAI one.
 */
import type { CustomProvider } from './providers';

export interface ProviderPreset extends Omit<CustomProvider, 'preset'> {
  /** The page the base URL and header come from. */
  docs: string;
}

export const PROVIDER_PRESETS: Readonly<Record<string, ProviderPreset>> = {
  deepseek: {
    label: 'DeepSeek',
    api: 'anthropic',
    // "export ANTHROPIC_BASE_URL=https://api.deepseek.com/anthropic / export ANTHROPIC_AUTH_TOKEN=<your DeepSeek API Key>"
    baseUrl: 'https://api.deepseek.com/anthropic',
    auth: 'bearer',
    keyUrl: 'https://platform.deepseek.com/api_keys',
    docs: 'https://api-docs.deepseek.com/quick_start/agent_integrations/claude_code',
  },
  moonshot: {
    label: 'Moonshot (Kimi)',
    api: 'anthropic',
    baseUrl: 'https://api.moonshot.ai/anthropic',
    auth: 'bearer',
    keyUrl: 'https://platform.kimi.ai/docs/guide/claude-code-kimi',
    docs: 'https://platform.kimi.ai/docs/guide/claude-code-kimi',
  },
  'moonshot-cn': {
    label: 'Moonshot (Kimi, mainland China)',
    api: 'anthropic',
    baseUrl: 'https://api.moonshot.cn/anthropic',
    auth: 'bearer',
    keyUrl: 'https://platform.kimi.com/docs/guide/claude-code-kimi',
    docs: 'https://platform.kimi.com/docs/guide/claude-code-kimi',
  },
  zai: {
    label: 'Z.ai (GLM)',
    api: 'anthropic',
    baseUrl: 'https://api.z.ai/api/anthropic',
    auth: 'bearer',
    keyUrl: 'https://docs.z.ai/devpack/tool/claude',
    docs: 'https://docs.z.ai/devpack/tool/claude',
  },
  zhipu: {
    label: 'Zhipu BigModel (GLM, mainland China)',
    api: 'anthropic',
    // "ANTHROPIC_AUTH_TOKEN": "your_zhipu_api_key", "ANTHROPIC_BASE_URL": "https://open.bigmodel.cn/api/anthropic"
    baseUrl: 'https://open.bigmodel.cn/api/anthropic',
    auth: 'bearer',
    keyUrl: 'https://bigmodel.cn/coding-plan/personal/overview',
    docs: 'https://docs.bigmodel.cn/cn/coding-plan/tool/claude',
  },
  minimax: {
    label: 'MiniMax',
    api: 'anthropic',
    // "for international users, use https://api.minimax.io/anthropic; for users in China, use https://api.minimaxi.com/anthropic"
    baseUrl: 'https://api.minimax.io/anthropic',
    auth: 'bearer',
    keyUrl: 'https://platform.minimax.io',
    docs: 'https://platform.minimax.io/docs/coding-plan/claude-code',
  },
  'minimax-cn': {
    label: 'MiniMax (mainland China)',
    api: 'anthropic',
    baseUrl: 'https://api.minimaxi.com/anthropic',
    auth: 'bearer',
    keyUrl: 'https://platform.minimaxi.com',
    docs: 'https://platform.minimax.io/docs/coding-plan/claude-code',
  },
  qwen: {
    label: 'Alibaba Model Studio (Qwen, Singapore)',
    api: 'anthropic',
    // "export ANTHROPIC_BASE_URL=https://dashscope-intl.aliyuncs.com/apps/anthropic"; the key as ANTHROPIC_API_KEY.
    baseUrl: 'https://dashscope-intl.aliyuncs.com/apps/anthropic',
    auth: 'x-api-key',
    keyUrl: 'https://www.alibabacloud.com/help/en/model-studio/claude-code',
    docs: 'https://www.alibabacloud.com/help/en/model-studio/claude-code',
  },
  'qwen-cn': {
    label: 'Alibaba Bailian (Qwen, Beijing)',
    api: 'anthropic',
    baseUrl: 'https://dashscope.aliyuncs.com/apps/anthropic',
    auth: 'x-api-key',
    keyUrl: 'https://bailian.console.aliyun.com',
    docs: 'https://help.aliyun.com/zh/model-studio/claude-code',
  },
};

export function presetNames(): string[] {
  return Object.keys(PROVIDER_PRESETS);
}
