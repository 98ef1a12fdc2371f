/**
 * The Codex and Gemini CLI rules as data in, picture out. The conformance
 * suites hold the main cases to the real CLIs; these pin the corners.
 */
import { describe, expect, it } from 'vitest';
import { findDotenv } from '../../electron/core/agents/gemini-cli/agent';
import { type CodexInputs, computeCodexPicture } from '../../shared/agents/codex/picture';
import { computeGeminiPicture, type GeminiInputs } from '../../shared/agents/gemini-cli/picture';

const codex = (over: Partial<CodexInputs>): CodexInputs => ({
  cwd: '/home/me',
  configPath: '/home/me/.codex/config.toml',
  providers: {},
  shellSnapshot: false,
  env: {},
  envOrigin: 'env:process',
  authJson: null,
  ...over,
});

describe('the Codex picture', () => {
  it('built-in openai: CODEX_API_KEY over auth.json; OPENAI_API_KEY is never read', () => {
    const picture = computeCodexPicture(
      codex({
        env: { CODEX_API_KEY: 'sk-codex-aaaaaaaaaaaaaaaaaaaa1111', OPENAI_API_KEY: 'sk-openai-bbbbbbbbbbbbbbbbbbbb2222' },
        authJson: { path: '/home/me/.codex/auth.json', apiKey: 'sk-file-cccccccccccccccccccc3333', chatgpt: false },
      }),
    );
    expect(picture.winner).toBe('CODEX_API_KEY');
    expect(picture.tiers.map((t) => [t.source, t.state])).toEqual([
      ['CODEX_API_KEY', 'wins'],
      ['auth.json', 'shadowed'],
      ['OPENAI_API_KEY', 'ignored'],
    ]);
    expect(picture.warnings.map((w) => w.code)).toEqual(['plaintext-key-in-auth-json']);
    expect(JSON.stringify(picture)).not.toMatch(/aaaaaaaaaaaa|bbbbbbbbbbbb|cccccccccccc/);
  });

  it('a custom provider with both an auth command and env_key: codex refuses it', () => {
    const picture = computeCodexPicture(
      codex({ modelProvider: 'mine', providers: { mine: { envKey: 'MY_KEY', auth: { command: '/bin/k', args: [] } } } }),
    );
    expect(picture.warnings.map((w) => w.code)).toContain('provider-misconfigured');
  });

  it('an unknown model_provider, a custom one with no credential, and shell snapshots with a key in the environment', () => {
    expect(computeCodexPicture(codex({ modelProvider: 'nope' })).warnings.map((w) => w.code)).toEqual(['provider-misconfigured']);
    expect(computeCodexPicture(codex({ modelProvider: 'm', providers: { m: {} } })).warnings.map((w) => w.code)).toEqual([
      'no-credential',
    ]);
    const snapshot = computeCodexPicture(
      codex({ shellSnapshot: true, env: { ANTHROPIC_API_KEY: 'sk-ant-x' }, authJson: { path: '/a', chatgpt: true } }),
    );
    expect(snapshot.warnings.map((w) => w.code)).toEqual(['shell-snapshot-with-key']);
    expect(snapshot.winner).toBe('ChatGPT login');
  });
});

const gemini = (over: Partial<GeminiInputs>): GeminiInputs => ({
  cwd: '/home/me/p',
  env: {},
  envOrigin: 'env:process',
  dotenv: null,
  keytrayDotenvPath: '/home/me/.gemini/.env',
  selectedType: { value: 'gemini-api-key', path: '/home/me/.gemini/settings.json' },
  settingsProblems: [],
  credentialsFile: null,
  keytray: null,
  ...over,
});

describe('the Gemini CLI picture', () => {
  it('the environment over the one .env file; GOOGLE_API_KEY is not read for gemini-api-key', () => {
    const picture = computeGeminiPicture(
      gemini({
        env: {
          GEMINI_API_KEY: 'AIzaEnvEnvEnvEnvEnvEnvEnvEnvEnvEnvEnvEn',
          GOOGLE_API_KEY: 'AIzaGoogleGoogleGoogleGoogleGoogleGoog',
        },
        dotenv: {
          path: '/home/me/p/.env',
          values: { GEMINI_API_KEY: 'AIzaFileFileFileFileFileFileFileFileFil' },
          lines: { GEMINI_API_KEY: 3 },
        },
      }),
    );
    expect(picture.tiers.map((t) => [t.source, t.state, t.origin])).toEqual([
      ['GEMINI_API_KEY', 'wins', 'env:process'],
      ['GEMINI_API_KEY', 'shadowed', 'file:dotenv'],
      ['GOOGLE_API_KEY', 'ignored', 'env:process'],
    ]);
    expect(picture.warnings.map((w) => w.code)).toEqual(['plaintext-key-in-dotenv']);
    expect(picture.tiers[1]?.detail).toBe('/home/me/p/.env:3');
    expect(picture.warnings[0]?.message).toBe('/home/me/p/.env:3 holds a Gemini key in plaintext.');
  });

  it('the Vertex AI switches count only when the auth type is vertex-ai', () => {
    const env = { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'my-project' };
    expect(
      computeGeminiPicture(gemini({ env }))
        .tiers.filter((t) => t.source.startsWith('GOOGLE_'))
        .map((t) => t.state),
    ).toEqual(['ignored', 'ignored']);
    const vertex = computeGeminiPicture(gemini({ env, selectedType: { value: 'vertex-ai', path: '/s' } }));
    expect(vertex.tiers.filter((t) => t.source.startsWith('GOOGLE_')).map((t) => t.state)).toEqual(['sent', 'sent']);
  });

  it('no auth type, and another auth type, send no API key', () => {
    expect(computeGeminiPicture(gemini({ selectedType: null })).warnings.map((w) => w.code)).toContain('no-auth-type');
    const vertex = computeGeminiPicture(
      gemini({
        selectedType: { value: 'vertex-ai', path: '/s' },
        env: { GEMINI_API_KEY: 'AIzaEnvEnvEnvEnvEnvEnvEnvEnvEnvEnvEnvEn' },
      }),
    );
    expect(vertex.headers['x-goog-api-key']).toBeNull();
    expect(vertex.tiers[0]).toMatchObject({ state: 'ignored', reason: 'the auth type is vertex-ai' });
  });
});

describe("Gemini CLI's .env search", () => {
  const situation = { cwd: '/home/me/work/app', env: {}, envOrigin: 'env:process' as const, home: '/home/me', platform: 'linux' };
  const search = (files: string[]) => findDotenv(situation, async (path) => files.includes(path));
  it.each([
    [['/home/me/work/app/.gemini/.env', '/home/me/work/app/.env'], '/home/me/work/app/.gemini/.env'],
    [['/home/me/work/app/.env', '/home/me/.gemini/.env'], '/home/me/work/app/.env'],
    [['/home/me/work/.env', '/home/me/.gemini/.env'], '/home/me/work/.env'],
    [['/home/me/.gemini/.env', '/home/me/.env'], '/home/me/.gemini/.env'],
    [['/.env', '/home/me/.gemini/.env'], '/home/me/.gemini/.env'],
    [['/tmp/.env'], null],
  ])('with %j loads %s', async (files, expected) => {
    expect(await search(files)).toBe(expected);
  });
});
