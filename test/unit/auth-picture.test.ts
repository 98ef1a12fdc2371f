import { describe, expect, it } from 'vitest';
import { type AuthInputs, computeAuthPicture } from '../../shared/agents/claude-code/auth-picture';

const HELPER = "'/home/me/.local/share/keytray/bin/claude-key-helper' anthropic";
const KEY = 'sk-ant-api03-exported-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaa1111';

function inputs(over: Partial<AuthInputs> = {}): AuthInputs {
  return {
    cwd: '/work/project',
    env: {},
    envOrigin: 'env:process',
    settings: [],
    shellExports: [],
    login: null,
    primaryApiKey: null,
    helpers: { [HELPER]: { masked: 'sk-ant-…7f3a', keytray: { provider: 'anthropic', label: 'work' } } },
    awsChain: null,
    ...over,
  };
}

const userHelper = { scope: 'user' as const, path: '/home/me/.claude/settings.json', env: {}, apiKeyHelper: HELPER };

describe('computeAuthPicture', () => {
  it("shows KeyTray's helper winning both headers", () => {
    const picture = computeAuthPicture(inputs({ settings: [userHelper] }));
    expect(picture).toMatchObject({
      tool: 'claude-code',
      cwd: '/work/project',
      provider: 'firstParty',
      winner: 'apiKeyHelper',
      headers: {
        'x-api-key': {
          source: 'apiKeyHelper',
          origin: 'settings:user',
          masked: 'sk-ant-…7f3a',
          detail: 'keytray: anthropic/work',
        },
        authorization: { source: 'apiKeyHelper', origin: 'settings:user', masked: 'sk-ant-…7f3a' },
      },
      warnings: [],
    });
    expect(picture.tiers.map((t) => [t.source, t.state])).toEqual([
      ['ANTHROPIC_AUTH_TOKEN', 'absent'],
      ['ANTHROPIC_API_KEY', 'absent'],
      ['apiKeyHelper', 'wins'],
      ['CLAUDE_CODE_OAUTH_TOKEN', 'absent'],
      ['claude.ai', 'absent'],
      ['/login managed key', 'absent'],
    ]);
  });

  it("names the startup file line of an export that takes the helper's place", () => {
    const picture = computeAuthPicture(
      inputs({
        settings: [userHelper],
        env: { ANTHROPIC_API_KEY: KEY },
        shellExports: [{ name: 'ANTHROPIC_API_KEY', file: '~/.zshrc', line: 12 }],
      }),
    );
    expect(picture.winner).toBe('ANTHROPIC_API_KEY');
    expect(picture.headers['x-api-key']).toEqual({
      source: 'ANTHROPIC_API_KEY',
      origin: 'env:process',
      masked: 'sk-ant-…1111',
      detail: '~/.zshrc:12',
    });
    expect(picture.headers.authorization?.source).toBe('apiKeyHelper');
    expect(picture.tiers.find((t) => t.source === 'apiKeyHelper')?.state).toBe('sent');
    const warning = picture.warnings.find((w) => w.code === 'shell-export-shadows-keychain');
    expect(warning?.message).toBe(
      'ANTHROPIC_API_KEY from ~/.zshrc:12 is sent as x-api-key instead of the keychain key (anthropic/work).',
    );
    expect(warning?.fix).toContain('--neutralize-env');
    expect(picture.warnings.map((w) => w.code)).toContain('interactive-key-approval');
    expect(JSON.stringify(picture)).not.toContain(KEY);
  });

  it('treats "" in a settings env block as a cancellation', () => {
    const picture = computeAuthPicture(
      inputs({
        settings: [{ ...userHelper, env: { ANTHROPIC_API_KEY: '' } }],
        env: { ANTHROPIC_API_KEY: KEY },
      }),
    );
    expect(picture.headers['x-api-key']?.source).toBe('apiKeyHelper');
    expect(picture.tiers.find((t) => t.source === 'ANTHROPIC_API_KEY')).toMatchObject({
      state: 'cancelled',
      origin: 'settings:user',
      reason: 'set to "" in /home/me/.claude/settings.json',
    });
  });

  it('uses OAuth only when nothing else is present, and says what shadows it', () => {
    const login = {
      origin: 'oauth:file' as const,
      masked: 'sk-ant-oat…zzzz',
      usable: true,
      detail: '/home/me/.claude/.credentials.json',
    };
    expect(computeAuthPicture(inputs({ login })).headers).toEqual({
      'x-api-key': null,
      authorization: { source: 'claude.ai', origin: 'oauth:file', masked: 'sk-ant-oat…zzzz', detail: login.detail },
    });
    const shadowed = computeAuthPicture(inputs({ login, settings: [userHelper] }));
    expect(shadowed.tiers.find((t) => t.source === 'claude.ai')).toMatchObject({
      state: 'shadowed',
      reason: 'OAuth is not used while apiKeyHelper is set',
    });
  });

  it('warns when nothing would be sent', () => {
    expect(computeAuthPicture(inputs()).warnings.map((w) => w.code)).toEqual(['no-credential']);
  });

  it('warns when the helper will fail', () => {
    const picture = computeAuthPicture(
      inputs({
        settings: [userHelper],
        helpers: {
          [HELPER]: {
            masked: 'sk-ant-…7f3a',
            keytray: { provider: 'anthropic', label: 'work' },
            problem: 'the keychain has no secret for anthropic/work',
          },
        },
      }),
    );
    expect(picture.warnings.find((w) => w.code === 'helper-will-fail')?.message).toContain('Claude Code then sends an empty key');
  });

  it("warns when a higher scope's helper overrides KeyTray's", () => {
    const project = {
      scope: 'project' as const,
      path: '/work/project/.claude/settings.json',
      env: {},
      apiKeyHelper: 'op read op://vault/key',
    };
    const picture = computeAuthPicture(inputs({ settings: [userHelper, project] }));
    expect(picture.headers['x-api-key']).toMatchObject({
      source: 'apiKeyHelper',
      origin: 'settings:project',
      masked: null,
      detail: 'runs: op read op://vault/key',
    });
    expect(picture.warnings.find((w) => w.code === 'helper-overridden')?.fix).toContain('--scope project');
  });

  it('puts a cloud provider above every first-party credential', () => {
    const picture = computeAuthPicture(
      inputs({
        settings: [userHelper],
        env: {
          CLAUDE_CODE_USE_BEDROCK: 'TRUE',
          AWS_BEARER_TOKEN_BEDROCK: 'ABSKbedrockbearertokenvalue0000aaaa9999',
          ANTHROPIC_API_KEY: KEY,
        },
      }),
    );
    expect(picture.provider).toBe('bedrock');
    expect(picture.headers).toMatchObject({ 'x-api-key': null, authorization: { source: 'AWS_BEARER_TOKEN_BEDROCK' } });
    expect(picture.winner).toBe('AWS_BEARER_TOKEN_BEDROCK');
    expect(picture.tiers.find((t) => t.source === 'ANTHROPIC_API_KEY')?.state).toBe('ignored');
    expect(picture.warnings.find((w) => w.code === 'cloud-provider-overrides')?.message).toContain(
      'ANTHROPIC_API_KEY, apiKeyHelper are not used',
    );
  });

  it('reports a settings file it cannot read', () => {
    const broken = {
      scope: 'local' as const,
      path: '/work/project/.claude/settings.local.json',
      env: {},
      problem: 'a comma was expected at line 3, column 1',
    };
    const picture = computeAuthPicture(inputs({ settings: [userHelper, broken] }));
    expect(picture.warnings[0]).toMatchObject({ code: 'settings-unreadable' });
  });
});

describe('warnings on day 2: true or absent', () => {
  const PROXY_HELPER = "'/home/me/.local/share/keytray/bin/claude-key-helper' --proxy-token";
  const LOCAL_HELPER = "'/home/me/.local/share/keytray/bin/claude-key-helper' anthropic personal";
  const helpers = {
    [HELPER]: { masked: 'sk-ant-…7f3a', keytray: { provider: 'anthropic' as const, label: 'work' } },
    [LOCAL_HELPER]: { masked: 'sk-ant-…91bc', keytray: { provider: 'anthropic' as const, label: 'personal' } },
    [PROXY_HELPER]: {
      masked: 'ktp_…abcd',
      keytray: { provider: 'anthropic' as const, label: 'work' },
      proxy: { url: 'http://127.0.0.1:8723/anthropic', running: true },
    },
  };
  const codes = (over: Partial<AuthInputs>) => computeAuthPicture(inputs({ helpers, ...over })).warnings.map((w) => w.code);
  const userProxy = {
    scope: 'user' as const,
    path: '/home/me/.claude/settings.json',
    env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:8723/anthropic' },
    apiKeyHelper: PROXY_HELPER,
  };
  const localHelper = {
    scope: 'local' as const,
    path: '/work/project/.claude/settings.local.json',
    env: {},
    apiKeyHelper: LOCAL_HELPER,
  };

  it("flags a project's key helper under the user's proxy base URL, and is quiet once its scope says where the key goes", () => {
    expect(codes({ settings: [localHelper, userProxy] })).toContain('helper-key-to-proxy');
    const fixed = { ...localHelper, env: { ANTHROPIC_BASE_URL: 'https://api.anthropic.com' } };
    expect(codes({ settings: [fixed, userProxy] })).not.toContain('helper-key-to-proxy');
  });

  it('flags a proxy token sent anywhere but the proxy', () => {
    const local = { ...localHelper, env: { ANTHROPIC_BASE_URL: 'https://gateway.example' }, apiKeyHelper: PROXY_HELPER };
    expect(codes({ settings: [local, userProxy] })).toContain('proxy-token-elsewhere');
    expect(codes({ settings: [userProxy] })).not.toContain('proxy-token-elsewhere');
  });

  it("does not call a project binding an override of KeyTray's own helper; another tool's helper it does", () => {
    expect(codes({ settings: [localHelper, userHelper] })).not.toContain('helper-overridden');
    const other = { ...localHelper, apiKeyHelper: 'op read op://vault/anthropic/key' };
    expect(codes({ settings: [other, userHelper] })).toContain('helper-overridden');
  });

  it('says nothing of a shell export that a settings env block cancels', () => {
    const exported = [{ name: 'ANTHROPIC_API_KEY', file: '~/.zshrc', line: 12 }];
    expect(codes({ settings: [userHelper], shellExports: exported })).toContain('shell-export-elsewhere');
    const neutralized = { ...userHelper, env: { ANTHROPIC_API_KEY: '' } };
    expect(codes({ settings: [neutralized], shellExports: exported })).not.toContain('shell-export-elsewhere');
  });

  it('gives each cause of a failing helper its own fix', () => {
    const failing = {
      ...helpers,
      [HELPER]: {
        masked: null,
        keytray: { provider: 'anthropic' as const, label: 'work' },
        problem: 'its script /x is missing',
        fix: 'Run `keytray configure claude-code` again: it writes the script anew.',
      },
    };
    const warning = computeAuthPicture(inputs({ helpers: failing, settings: [userHelper] })).warnings.find(
      (w) => w.code === 'helper-will-fail',
    );
    expect(warning?.fix).toBe('Run `keytray configure claude-code` again: it writes the script anew.');
  });
});
