/**
 * The auth picture against the real Claude Code. Each scenario builds a
 * throw-away home (environment, settings at each scope, OAuth login, the
 * Console key /login saves, CLAUDE_CONFIG_DIR, cloud switches), then:
 * - runs `claude auth status --json` and compares its apiProvider;
 * - runs `claude -p` against a fake Messages API and reads which value
 *   arrived in x-api-key and in Authorization;
 * - runs `keytray status --json` in the same environment and checks it names
 *   the same provider and, for each header, the same source, origin and mask.
 * Every credential value is unique, so the value on the wire says where it
 * came from.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthPicture, CredentialSource, HeaderName, Origin } from '../../shared/agents/claude-code/auth-picture';
import { maskSecret } from '../../shared/mask';
import { keytrayIn } from '../support/agent-world';
import { baseClaudeEnv, claudeBinary, runClaude } from '../support/claude';
import { runCli } from '../support/cli';
import { startCliProxy } from '../support/cli-proxy';
import { type FakeAnthropic, type RecordedRequest, startFakeAnthropic } from '../support/fake-anthropic';

interface Attribution {
  source: CredentialSource;
  origin: Origin;
  /** The mask KeyTray should show; null when it cannot know the value. Defaults to the value's mask. */
  masked?: string | null;
}

const SIGV4 = 'AWS4-HMAC-SHA256';

/** Hands out unique credential values and remembers where each was put. */
class Registry {
  readonly byValue = new Map<string, Attribution>();
  private helperAttribution: Attribution | null = null;

  value(attribution: Attribution, prefix = 'sk-ant-api03-'): string {
    const value = `${prefix}${randomBytes(30).toString('base64url')}${randomBytes(3).toString('hex')}`;
    this.byValue.set(value, attribution);
    return value;
  }
  env(name: CredentialSource & string): string {
    return this.value({ source: name, origin: 'env:process' });
  }
  settingsEnv(scope: 'user' | 'project' | 'local' | 'managed', name: CredentialSource & string): string {
    return this.value({ source: name, origin: `settings:${scope}` });
  }
  /** A helper that is not KeyTray's: KeyTray names it but cannot know its output. */
  helper(scope: 'user' | 'project' | 'local' | 'managed'): string {
    const attribution: Attribution = { source: 'apiKeyHelper', origin: `settings:${scope}`, masked: null };
    this.helperAttribution = attribution;
    return `echo ${this.value(attribution)}`;
  }
  keytrayKey(scope: 'user' | 'project' | 'local' = 'user'): string {
    const attribution: Attribution = { source: 'apiKeyHelper', origin: `settings:${scope}` };
    this.helperAttribution = attribution;
    return this.value(attribution);
  }
  /** AWS keys for SigV4: the signature, not the key, goes on the wire. */
  sigv4(): string {
    this.byValue.set(SIGV4, { source: 'aws-sigv4', origin: 'aws:chain', masked: null });
    return 'AKIAFAKEFAKEFAKEFAKE';
  }
  lookup(wire: string): Attribution | undefined {
    if (wire === '') return this.helperAttribution ? { ...this.helperAttribution, masked: undefined } : undefined;
    return this.byValue.get(wire);
  }
}

interface Setup {
  env?: Record<string, string>;
  user?: object;
  project?: object;
  local?: object;
  managed?: object;
  credentials?: object;
  globalConfig?: object;
  zshrc?: string;
  /** Put ~/.claude in $HOME/cfg and point CLAUDE_CONFIG_DIR at it. */
  configDir?: boolean;
  /** `keytray` commands to run first, each with optional stdin. */
  keytray?: { args: string[]; input?: string }[];
  /** Claude Code must not reach the upstream (it has no usable credential, or a provider the fake does not serve). */
  expectNoRequest?: boolean;
}

interface Scenario {
  name: string;
  setup: (r: Registry) => Setup;
}

function login(r: Registry, scopes: string[] = ['user:inference', 'user:profile']): object {
  const accessToken = r.value({ source: 'claude.ai', origin: 'oauth:file' }, 'sk-ant-oat01-');
  return {
    claudeAiOauth: { accessToken, refreshToken: 'unused-refresh', expiresAt: 4102444800000, scopes, subscriptionType: 'max' },
  };
}

const FIRST_PARTY: Scenario[] = [
  { name: 'nothing at all', setup: () => ({ expectNoRequest: true }) },
  { name: 'ANTHROPIC_API_KEY', setup: (r) => ({ env: { ANTHROPIC_API_KEY: r.env('ANTHROPIC_API_KEY') } }) },
  { name: 'ANTHROPIC_AUTH_TOKEN', setup: (r) => ({ env: { ANTHROPIC_AUTH_TOKEN: r.env('ANTHROPIC_AUTH_TOKEN') } }) },
  {
    name: 'API key and auth token together',
    setup: (r) => ({
      env: { ANTHROPIC_API_KEY: r.env('ANTHROPIC_API_KEY'), ANTHROPIC_AUTH_TOKEN: r.env('ANTHROPIC_AUTH_TOKEN') },
    }),
  },
  { name: 'CLAUDE_CODE_OAUTH_TOKEN', setup: (r) => ({ env: { CLAUDE_CODE_OAUTH_TOKEN: r.env('CLAUDE_CODE_OAUTH_TOKEN') } }) },
  {
    name: 'OAuth token under an API key',
    setup: (r) => ({
      env: { CLAUDE_CODE_OAUTH_TOKEN: r.env('CLAUDE_CODE_OAUTH_TOKEN'), ANTHROPIC_API_KEY: r.env('ANTHROPIC_API_KEY') },
    }),
  },
  {
    name: 'OAuth token under an auth token',
    setup: (r) => ({
      env: { CLAUDE_CODE_OAUTH_TOKEN: r.env('CLAUDE_CODE_OAUTH_TOKEN'), ANTHROPIC_AUTH_TOKEN: r.env('ANTHROPIC_AUTH_TOKEN') },
    }),
  },
  { name: 'user apiKeyHelper', setup: (r) => ({ user: { apiKeyHelper: r.helper('user') } }) },
  {
    name: 'user apiKeyHelper with ANTHROPIC_API_KEY',
    setup: (r) => ({ user: { apiKeyHelper: r.helper('user') }, env: { ANTHROPIC_API_KEY: r.env('ANTHROPIC_API_KEY') } }),
  },
  {
    name: 'user apiKeyHelper with ANTHROPIC_AUTH_TOKEN',
    setup: (r) => ({ user: { apiKeyHelper: r.helper('user') }, env: { ANTHROPIC_AUTH_TOKEN: r.env('ANTHROPIC_AUTH_TOKEN') } }),
  },
  {
    name: 'user apiKeyHelper with CLAUDE_CODE_OAUTH_TOKEN',
    setup: (r) => ({
      user: { apiKeyHelper: r.helper('user') },
      env: { CLAUDE_CODE_OAUTH_TOKEN: r.env('CLAUDE_CODE_OAUTH_TOKEN') },
    }),
  },
  {
    name: 'helper, API key and auth token',
    setup: (r) => ({
      user: { apiKeyHelper: r.helper('user') },
      env: { ANTHROPIC_API_KEY: r.env('ANTHROPIC_API_KEY'), ANTHROPIC_AUTH_TOKEN: r.env('ANTHROPIC_AUTH_TOKEN') },
    }),
  },
  { name: 'project apiKeyHelper', setup: (r) => ({ project: { apiKeyHelper: r.helper('project') } }) },
  { name: 'local apiKeyHelper', setup: (r) => ({ local: { apiKeyHelper: r.helper('local') } }) },
  {
    name: 'project helper over user helper',
    setup: (r) => ({ user: { apiKeyHelper: 'echo never-user' }, project: { apiKeyHelper: r.helper('project') } }),
  },
  {
    name: 'local helper over project and user helpers',
    setup: (r) => ({
      user: { apiKeyHelper: 'echo never-user' },
      project: { apiKeyHelper: 'echo never-project' },
      local: { apiKeyHelper: r.helper('local') },
    }),
  },
  {
    name: 'key in user settings env',
    setup: (r) => ({ user: { env: { ANTHROPIC_API_KEY: r.settingsEnv('user', 'ANTHROPIC_API_KEY') } } }),
  },
  {
    name: 'user settings env over the process env',
    setup: (r) => ({
      env: { ANTHROPIC_API_KEY: 'sk-ant-api03-never-process-env-value-0000' },
      user: { env: { ANTHROPIC_API_KEY: r.settingsEnv('user', 'ANTHROPIC_API_KEY') } },
    }),
  },
  {
    name: 'key in project settings env only',
    setup: (r) => ({ project: { env: { ANTHROPIC_API_KEY: r.settingsEnv('project', 'ANTHROPIC_API_KEY') } } }),
  },
  {
    name: 'local settings env over project and user',
    setup: (r) => ({
      user: { env: { ANTHROPIC_API_KEY: 'sk-ant-api03-never-user-settings-value-000' } },
      project: { env: { ANTHROPIC_API_KEY: 'sk-ant-api03-never-project-settings-value-0' } },
      local: { env: { ANTHROPIC_API_KEY: r.settingsEnv('local', 'ANTHROPIC_API_KEY') } },
    }),
  },
  {
    name: '"" in user settings cancels an exported key',
    setup: () => ({
      env: { ANTHROPIC_API_KEY: 'sk-ant-api03-cancelled-process-value-00000' },
      user: { env: { ANTHROPIC_API_KEY: '' } },
      expectNoRequest: true,
    }),
  },
  {
    name: '"" in local settings cancels a user settings key',
    setup: () => ({
      user: { env: { ANTHROPIC_API_KEY: 'sk-ant-api03-cancelled-user-value-00000000' } },
      local: { env: { ANTHROPIC_API_KEY: '' } },
      expectNoRequest: true,
    }),
  },
  {
    name: '"" auth token in settings leaves the API key',
    setup: (r) => ({
      env: { ANTHROPIC_API_KEY: r.env('ANTHROPIC_API_KEY'), ANTHROPIC_AUTH_TOKEN: 'sk-ant-api03-cancelled-token-00000000000' },
      user: { env: { ANTHROPIC_AUTH_TOKEN: '' } },
    }),
  },
  {
    name: 'auth token in user settings env',
    setup: (r) => ({ user: { env: { ANTHROPIC_AUTH_TOKEN: r.settingsEnv('user', 'ANTHROPIC_AUTH_TOKEN') } } }),
  },
  {
    name: 'key and helper in the same settings file',
    setup: (r) => ({
      user: { apiKeyHelper: r.helper('user'), env: { ANTHROPIC_API_KEY: r.settingsEnv('user', 'ANTHROPIC_API_KEY') } },
    }),
  },
  { name: '/login session', setup: (r) => ({ credentials: login(r) }) },
  { name: '/login session without the inference scope', setup: (r) => ({ credentials: login(r, []), expectNoRequest: true }) },
  {
    name: '/login session under an API key',
    setup: (r) => ({ credentials: login(r), env: { ANTHROPIC_API_KEY: r.env('ANTHROPIC_API_KEY') } }),
  },
  { name: '/login session under a helper', setup: (r) => ({ credentials: login(r), user: { apiKeyHelper: r.helper('user') } }) },
  {
    name: '/login session under an auth token',
    setup: (r) => ({ credentials: login(r), env: { ANTHROPIC_AUTH_TOKEN: r.env('ANTHROPIC_AUTH_TOKEN') } }),
  },
  {
    name: '/login session under CLAUDE_CODE_OAUTH_TOKEN',
    setup: (r) => ({ credentials: login(r), env: { CLAUDE_CODE_OAUTH_TOKEN: r.env('CLAUDE_CODE_OAUTH_TOKEN') } }),
  },
  {
    name: 'CLAUDE_CONFIG_DIR moves user settings',
    setup: (r) => ({ configDir: true, user: { apiKeyHelper: r.helper('user') } }),
  },
  { name: 'CLAUDE_CONFIG_DIR moves the login', setup: (r) => ({ configDir: true, credentials: login(r) }) },
  {
    name: '/login Console key',
    setup: (r) => ({ globalConfig: { primaryApiKey: r.value({ source: '/login managed key', origin: 'config:global' }) } }),
  },
  {
    name: '/login Console key under a /login session',
    setup: (r) => ({ credentials: login(r), globalConfig: { primaryApiKey: 'sk-ant-api03-unused-primary-key-0000000000' } }),
  },
  {
    name: '/login Console key with an auth token',
    setup: (r) => ({
      globalConfig: { primaryApiKey: r.value({ source: '/login managed key', origin: 'config:global' }) },
      env: { ANTHROPIC_AUTH_TOKEN: r.env('ANTHROPIC_AUTH_TOKEN') },
    }),
  },
];

const KEYTRAY: Scenario[] = [
  {
    name: "KeyTray's helper",
    setup: (r) => ({
      keytray: [
        { args: ['keys', 'add', 'anthropic', '--label', 'work'], input: r.keytrayKey() },
        { args: ['configure', 'claude-code'] },
      ],
    }),
  },
  {
    name: "KeyTray's helper with an exported key from ~/.zshrc",
    setup: (r) => ({
      keytray: [
        { args: ['keys', 'add', 'anthropic', '--label', 'work'], input: r.keytrayKey() },
        { args: ['configure', 'claude-code'] },
      ],
      zshrc: '# keys\nexport ANTHROPIC_API_KEY=sk-ant-api03-from-zshrc\n',
      env: { ANTHROPIC_API_KEY: r.value({ source: 'ANTHROPIC_API_KEY', origin: 'env:process' }) },
    }),
  },
  {
    name: "KeyTray's helper with --neutralize-env",
    setup: (r) => ({
      keytray: [
        { args: ['keys', 'add', 'anthropic', '--label', 'work'], input: r.keytrayKey() },
        { args: ['configure', 'claude-code', '--neutralize-env'] },
      ],
      env: {
        ANTHROPIC_API_KEY: 'sk-ant-api03-neutralized-export-0000000000',
        ANTHROPIC_AUTH_TOKEN: 'sk-ant-api03-neutralized-token-000000000',
      },
    }),
  },
  {
    name: "KeyTray's helper bound to a named key in local settings",
    setup: (r) => ({
      keytray: [
        { args: ['keys', 'add', 'anthropic', '--label', 'work'], input: `sk-ant-api03-${randomBytes(30).toString('base64url')}` },
        { args: ['keys', 'add', 'anthropic', '--label', 'client'], input: r.keytrayKey('local') },
        { args: ['configure', 'claude-code'] },
        { args: ['configure', 'claude-code', '--scope', 'local', '--label', 'client'] },
      ],
    }),
  },
];

const CLOUD: Scenario[] = [
  {
    name: 'Claude Platform on AWS with an AWS API key',
    setup: (r) => ({
      env: {
        CLAUDE_CODE_USE_ANTHROPIC_AWS: '1',
        AWS_REGION: 'us-east-1',
        ANTHROPIC_AWS_WORKSPACE_ID: 'wrkspc_test',
        ANTHROPIC_AWS_API_KEY: r.value({ source: 'ANTHROPIC_AWS_API_KEY', origin: 'env:process' }, 'aws-key-'),
        ANTHROPIC_API_KEY: 'sk-ant-api03-ignored-first-party-key-000000',
      },
    }),
  },
  {
    name: 'Claude Platform on AWS, gateway signs, helper',
    setup: (r) => ({
      env: {
        CLAUDE_CODE_USE_ANTHROPIC_AWS: '1',
        CLAUDE_CODE_SKIP_ANTHROPIC_AWS_AUTH: '1',
        AWS_REGION: 'us-east-1',
        ANTHROPIC_AWS_WORKSPACE_ID: 'wrkspc_test',
      },
      user: { apiKeyHelper: r.helper('user') },
    }),
  },
  {
    name: 'Claude Platform on AWS with SigV4 from AWS keys',
    setup: (r) => ({
      env: {
        CLAUDE_CODE_USE_ANTHROPIC_AWS: '1',
        AWS_REGION: 'us-east-1',
        ANTHROPIC_AWS_WORKSPACE_ID: 'wrkspc_test',
        AWS_ACCESS_KEY_ID: r.sigv4(),
        AWS_SECRET_ACCESS_KEY: 'fake/secret/access/key/for/tests/only00',
      },
    }),
  },
  {
    name: 'Bedrock with a bearer token',
    setup: (r) => ({
      env: {
        CLAUDE_CODE_USE_BEDROCK: '1',
        AWS_REGION: 'us-east-1',
        AWS_BEARER_TOKEN_BEDROCK: r.value({ source: 'AWS_BEARER_TOKEN_BEDROCK', origin: 'env:process' }, 'ABSK'),
      },
    }),
  },
  {
    name: 'Bedrock switched on from project settings, gateway, helper',
    setup: (r) => ({
      env: { AWS_REGION: 'us-east-1' },
      project: { env: { CLAUDE_CODE_USE_BEDROCK: 'true', CLAUDE_CODE_SKIP_BEDROCK_AUTH: '1' } },
      user: { apiKeyHelper: r.helper('user') },
    }),
  },
  { name: 'Vertex switch', setup: () => ({ env: { CLAUDE_CODE_USE_VERTEX: 'yes' }, expectNoRequest: true }) },
  {
    name: 'Foundry switch in user settings',
    setup: () => ({ user: { env: { CLAUDE_CODE_USE_FOUNDRY: 'on' } }, expectNoRequest: true }),
  },
  {
    name: 'a switch set to "0" is off',
    setup: (r) => ({ env: { CLAUDE_CODE_USE_BEDROCK: '0', ANTHROPIC_API_KEY: r.env('ANTHROPIC_API_KEY') } }),
  },
  {
    name: 'a switch cancelled by "" in settings is off',
    setup: (r) => ({
      env: { CLAUDE_CODE_USE_BEDROCK: '1', ANTHROPIC_API_KEY: r.env('ANTHROPIC_API_KEY') },
      user: { env: { CLAUDE_CODE_USE_BEDROCK: '' } },
    }),
  },
];

const MANAGED_PATH = '/etc/claude-code/managed-settings.json';
const canWriteManaged = process.platform === 'linux' && process.getuid?.() === 0 && !existsSync(MANAGED_PATH);

const MANAGED: Scenario[] = [
  {
    name: 'managed helper over every other scope',
    setup: (r) => ({
      managed: { apiKeyHelper: r.helper('managed') },
      user: { apiKeyHelper: 'echo never-user' },
      project: { apiKeyHelper: 'echo never-project' },
      local: { apiKeyHelper: 'echo never-local' },
    }),
  },
  {
    name: 'managed settings env over local settings env',
    setup: (r) => ({
      managed: { env: { ANTHROPIC_API_KEY: r.settingsEnv('managed', 'ANTHROPIC_API_KEY') } },
      local: { env: { ANTHROPIC_API_KEY: 'sk-ant-api03-never-local-settings-value-00' } },
    }),
  },
];

let upstream: FakeAnthropic;
beforeAll(async () => {
  upstream = await startFakeAnthropic();
});
afterAll(async () => {
  await upstream.close();
});

interface Outcome {
  provider: string | undefined;
  request: RecordedRequest | undefined;
  picture: AuthPicture;
  registry: Registry;
  setup: Setup;
}

async function run(scenario: Scenario): Promise<Outcome> {
  const root = mkdtempSync(join(process.env.HOME ?? '/tmp', 'cc-'));
  const home = join(root, 'home');
  const project = join(root, 'project');
  mkdirSync(join(project, '.claude'), { recursive: true });
  const registry = new Registry();
  const s = scenario.setup(registry);
  const claudeDir = s.configDir ? join(home, 'cfg') : join(home, '.claude');
  mkdirSync(claudeDir, { recursive: true });
  const write = (path: string, value: object | string | undefined) => {
    if (value !== undefined) writeFileSync(path, typeof value === 'string' ? value : `${JSON.stringify(value, null, 2)}\n`);
  };
  write(join(claudeDir, 'settings.json'), s.user);
  write(join(project, '.claude', 'settings.json'), s.project);
  write(join(project, '.claude', 'settings.local.json'), s.local);
  write(join(claudeDir, '.credentials.json'), s.credentials);
  write(s.configDir ? join(claudeDir, '.claude.json') : join(home, '.claude.json'), s.globalConfig);
  write(join(home, '.zshrc'), s.zshrc);
  if (s.managed) {
    mkdirSync('/etc/claude-code', { recursive: true });
    write(MANAGED_PATH, s.managed);
  }
  try {
    const env: Record<string, string> = {
      ...baseClaudeEnv(home),
      ANTHROPIC_BASE_URL: upstream.url,
      ANTHROPIC_AWS_BASE_URL: upstream.url,
      ANTHROPIC_BEDROCK_BASE_URL: upstream.url,
      ...(s.configDir ? { CLAUDE_CONFIG_DIR: claudeDir } : {}),
      ...s.env,
    };
    const keytrayEnv = { ...env, KEYTRAY_KEYCHAIN_SERVICE: `keytray-cc-${randomBytes(5).toString('hex')}` };
    for (const step of s.keytray ?? []) {
      const args = step.args[0] === 'configure' ? [...step.args, '--cwd', project] : step.args;
      const result = await runCli(args, {
        env: keytrayEnv,
        ...(step.input === undefined ? {} : { input: step.input }),
      });
      expect(result.code, `keytray ${step.args.join(' ')}: ${result.stderr}`).toBe(0);
    }
    const status = await runClaude(['auth', 'status', '--json'], { env, cwd: project });
    const provider = (JSON.parse(status.stdout || '{}') as { apiProvider?: string }).apiProvider;
    const before = upstream.requests.length;
    await runClaude(['-p', 'hi'], { env, cwd: project });
    const request = upstream.requests.slice(before).find((r) => upstream.inferenceRequests().includes(r));
    const keytray = await runCli(['status', '--agent', 'claude-code', '--json', '--cwd', project], { env: keytrayEnv });
    expect(keytray.code, keytray.stderr).toBe(0);
    return { provider, request, picture: JSON.parse(keytray.stdout) as AuthPicture, registry, setup: s };
  } finally {
    if (s.managed) rmSync(MANAGED_PATH, { force: true });
  }
}

/** The credential in a header as sent: the raw x-api-key, or Authorization without its scheme. */
function wireValue(request: RecordedRequest, header: HeaderName): string | undefined {
  const raw = request.headers[header];
  if (typeof raw !== 'string') return undefined;
  if (header === 'authorization') {
    if (raw.startsWith(SIGV4)) return SIGV4;
    return raw.replace(/^Bearer ?/, '');
  }
  return raw;
}

function expectAgreement({ provider, request, picture, registry, setup }: Outcome): void {
  if (setup.expectNoRequest) expect(request, 'Claude Code should not have sent a request').toBeUndefined();
  expect(picture.provider, 'provider').toBe(provider);
  if (!request) {
    expect(picture.headers, 'no request reached the upstream, so no header should be predicted').toEqual({
      'x-api-key': null,
      authorization: null,
    });
    return;
  }
  for (const header of ['x-api-key', 'authorization'] as const) {
    const wire = wireValue(request, header);
    const predicted = picture.headers[header];
    if (wire === undefined) {
      expect(predicted, `${header}: nothing was sent`).toBeNull();
      continue;
    }
    const attribution = registry.lookup(wire);
    expect(attribution, `${header}: the value sent (${maskSecret(wire)}) was not one the scenario placed`).toBeDefined();
    if (!attribution) continue;
    expect(predicted, `${header}: a value was sent`).not.toBeNull();
    expect({ source: predicted?.source, origin: predicted?.origin }, header).toEqual({
      source: attribution.source,
      origin: attribution.origin,
    });
    const masked = attribution.masked === undefined ? maskSecret(wire) : attribution.masked;
    if (wire !== '') expect(predicted?.masked, `${header} mask`).toBe(masked);
  }
}

describe('the auth picture agrees with the real Claude Code', () => {
  for (const scenario of [...FIRST_PARTY, ...KEYTRAY, ...CLOUD]) {
    it(scenario.name, async () => {
      expectAgreement(await run(scenario));
    });
  }
  describe.runIf(canWriteManaged)('managed settings (root only, never over an existing file)', () => {
    for (const scenario of MANAGED) {
      it(scenario.name, async () => {
        expectAgreement(await run(scenario));
      });
    }
  });
});

describe('end to end: a key added with the CLI reaches the upstream through Claude Code', () => {
  it('configure, run, undo', async () => {
    const root = mkdtempSync(join(process.env.HOME ?? '/tmp', 'e2e-'));
    const home = join(root, 'home');
    mkdirSync(join(home, '.claude'), { recursive: true });
    const settings = join(home, '.claude', 'settings.json');
    const original = '{\n\t"model": "opus",\n\t"permissions": { "allow": ["Bash(ls:*)"] }\n}\n';
    writeFileSync(settings, original);
    const env = {
      ...baseClaudeEnv(home),
      ANTHROPIC_BASE_URL: upstream.url,
      KEYTRAY_KEYCHAIN_SERVICE: `keytray-e2e-${randomBytes(5).toString('hex')}`,
    };
    const key = `sk-ant-api03-${randomBytes(66).toString('base64url')}`;

    expect((await runCli(['keys', 'add', 'anthropic', '--label', 'work'], { env, input: `${key}\n` })).code).toBe(0);
    const configured = await runCli(['configure', 'claude-code', '--json'], { env });
    expect(configured.code, configured.stderr).toBe(0);
    expect(configured.stdout).not.toContain(key);
    const written = readFileSync(settings, 'utf8');
    expect(written).not.toContain(key);
    expect(written.startsWith('{\n\t"model": "opus",\n\t"permissions": { "allow": ["Bash(ls:*)"] },\n\t"apiKeyHelper": ')).toBe(
      true,
    );

    const { reply, sent } = await askClaude(env, home);
    expect(reply.stdout.trim()).toBe('pong');
    expect(sent.length).toBeGreaterThan(0);
    for (const request of sent) {
      expect(request.headers['x-api-key']).toBe(key);
      expect(request.headers.authorization).toBe(`Bearer ${key}`);
    }

    const undone = await runCli(['configure', 'claude-code', '--undo'], { env });
    expect(undone.code, undone.stderr).toBe(0);
    expect(readFileSync(settings, 'utf8')).toBe(original);
  });
});

/** A throw-away home under the tests' HOME for the real Claude Code, with a keychain service of its own. */
function claudeHome(name: string): { root: string; home: string; env: Record<string, string> } {
  const root = mkdtempSync(join(process.env.HOME ?? '/tmp', `${name}-`));
  const home = join(root, 'home');
  mkdirSync(home, { recursive: true });
  const service = `keytray-${name}-${randomBytes(5).toString('hex')}`;
  return { root, home, env: { ...baseClaudeEnv(home), KEYTRAY_KEYCHAIN_SERVICE: service } };
}

describe('end to end in proxy mode: Claude Code only ever holds the proxy token', () => {
  it('the upstream receives the keychain key; settings, environment and helper output hold only the token', async () => {
    const { root, home, env } = claudeHome('proxy');
    const key = `sk-ant-api03-${randomBytes(66).toString('base64url')}`;
    expect((await runCli(['keys', 'add', 'anthropic', '--label', 'work'], { env, input: key })).code).toBe(0);
    expect((await runCli(['provider', 'set', 'anthropic', '--base-url', upstream.url], { env })).code).toBe(0);
    const proxy = await startCliProxy(env);
    const { port } = proxy;
    try {
      const configured = await runCli(['configure', 'claude-code', '--mode', 'proxy', '--json'], { env });
      expect(configured.code, configured.stderr).toBe(0);
      const result = JSON.parse(configured.stdout);
      expect(result.picture.headers['x-api-key']).toMatchObject({
        source: 'apiKeyHelper',
        masked: expect.stringMatching(/^ktp_…/),
      });
      const settings = readFileSync(join(home, '.claude', 'settings.json'), 'utf8');
      expect(JSON.parse(settings).env.ANTHROPIC_BASE_URL).toBe(`http://127.0.0.1:${port}/anthropic`);

      // What Claude Code will get from its helper: the token, not the key.
      const helperOutput = (await promisify(execFile)('/bin/sh', ['-c', result.apiKeyHelper], { env })).stdout;
      expect(helperOutput).toMatch(/^ktp_/);

      const { reply, sent } = await askClaude(env, home);
      expect(reply.stdout.trim()).toBe('pong');
      expect(sent.length).toBeGreaterThan(0);
      for (const request of sent) {
        expect(request.headers['x-api-key']).toBe(key);
        expect(request.headers.authorization).toBeUndefined();
      }
      for (const place of [settings, JSON.stringify(env), helperOutput, configured.stdout, reply.stdout, reply.stderr]) {
        expect(place).not.toContain(key);
      }
      const log = await runCli(['proxy', 'log', '--json'], { env });
      const entries = JSON.parse(log.stdout).entries;
      expect(entries.at(-1)).toMatchObject({ method: 'POST', status: 200, provider: 'anthropic', label: 'work' });
      expect(log.stdout).not.toContain(key);
      expect(log.stdout).not.toContain(helperOutput);

      // A project bound to a named key that is not the active one, added while the proxy runs:
      // its helper prints that key's own token, and the proxy sends that key for it alone.
      const personal = `sk-ant-api03-${randomBytes(66).toString('base64url')}`;
      expect((await runCli(['keys', 'add', 'anthropic', '--label', 'personal'], { env, input: personal })).code).toBe(0);
      const project = join(root, 'project');
      mkdirSync(project);
      const bound = await runCli(
        ['configure', 'claude-code', '--mode', 'proxy', '--label', 'personal', '--scope', 'local', '--cwd', project, '--json'],
        { env },
      );
      expect(bound.code, bound.stderr).toBe(0);
      const boundHelper = JSON.parse(bound.stdout).apiKeyHelper;
      expect(boundHelper).toMatch(/--proxy-token anthropic personal$/);
      const boundToken = (await promisify(execFile)('/bin/sh', ['-c', boundHelper], { env })).stdout;
      expect(boundToken).toMatch(/^ktp_/);
      expect(boundToken).not.toBe(helperOutput);
      const inProject = await askClaude(env, project);
      expect(inProject.reply.stdout.trim()).toBe('pong');
      expect(inProject.sent.length).toBeGreaterThan(0);
      for (const request of inProject.sent) expect(request.headers['x-api-key']).toBe(personal);
      const inHome = await askClaude(env, home);
      expect(inHome.sent.length).toBeGreaterThan(0);
      // With its non-essential traffic allowed, Claude Code first checks the connection with `HEAD
      // <base URL>/api/hello` and no credential: the proxy answers that itself, and logs no refusal.
      const chatty: Record<string, string> = { ...env };
      delete chatty.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC;
      const loud = await askClaude(chatty, home);
      expect(loud.reply.stdout.trim()).toBe('pong');
      const logged = JSON.parse((await runCli(['proxy', 'log', '--last', '1000', '--json'], { env })).stdout).entries;
      expect(logged).toContainEqual(
        expect.objectContaining({ method: 'HEAD', path: '/anthropic/api/hello', status: 200, note: expect.any(String) }),
      );
      expect(logged.filter((e: { status: number }) => e.status >= 400)).toEqual([]);
      for (const request of inHome.sent) expect(request.headers['x-api-key']).toBe(key);
      const local = readFileSync(join(project, '.claude', 'settings.local.json'), 'utf8');
      for (const place of [local, bound.stdout, boundToken, inProject.reply.stdout, inProject.reply.stderr]) {
        expect(place).not.toContain(personal);
        expect(place).not.toContain(key);
      }
      const entries2 = JSON.parse((await runCli(['proxy', 'log', '--json'], { env })).stdout).entries;
      expect(entries2.some((e: { label: string }) => e.label === 'personal')).toBe(true);
    } finally {
      proxy.stop();
    }
  });
});

/** Runs `claude -p hi`; returns its reply and the inference requests it sent to the fake upstream. */
async function askClaude(env: Record<string, string>, cwd: string) {
  const before = upstream.requests.length;
  const reply = await runClaude(['-p', 'hi'], { env, cwd });
  const sent = upstream.requests.slice(before).filter((r) => upstream.inferenceRequests().includes(r));
  return { reply, sent };
}

describe('end to end in AWS mode with the real Claude Code', () => {
  async function world(prefix: string) {
    const { home, env } = claudeHome(prefix);
    const cli = async (args: string[], input?: string) => {
      const result = await runCli(args, { env, ...(input === undefined ? {} : { input }) });
      expect(result.code, `keytray ${args.join(' ')}: ${result.stderr}`).toBe(0);
      return result;
    };
    return { home, env, cli };
  }

  it.each([
    ['Claude Platform on AWS, API key', 'anthropic-aws', 'api-key'],
    ['Claude Platform on AWS, stored access keys', 'anthropic-aws', 'sigv4'],
    ['Bedrock, API key', 'bedrock', 'api-key'],
    ['Bedrock, stored access keys', 'bedrock', 'sigv4'],
  ] as const)('%s: through the proxy, no secret on disk or in Claude Code', async (_name, provider, auth) => {
    const { home, env, cli } = await world(`aws-${provider}`);
    const secret =
      auth === 'sigv4'
        ? `AKIA${randomBytes(8).toString('hex').toUpperCase()}:${randomBytes(30)
            .toString('base64')
            .replace(/[^A-Za-z0-9]/g, 'x')}`
        : provider === 'bedrock'
          ? `ABSK${randomBytes(40).toString('base64url')}`
          : `aws-key-${randomBytes(30).toString('base64url')}`;
    await cli(
      [
        'keys',
        'add',
        provider,
        '--label',
        'aws',
        '--region',
        'us-east-1',
        ...(provider === 'anthropic-aws' ? ['--workspace', 'wrkspc_e2e'] : []),
        '--auth',
        auth,
      ],
      secret,
    );
    await cli(['provider', 'set', provider, '--base-url', upstream.url]);
    const proxy = await startCliProxy(env);
    try {
      const configured = JSON.parse((await cli(['configure', 'claude-code', '--provider', provider, '--json'])).stdout);
      expect(configured.picture.provider).toBe(provider === 'bedrock' ? 'bedrock' : 'anthropicAws');
      const settingsText = readFileSync(join(home, '.claude', 'settings.json'), 'utf8');
      const settings = JSON.parse(settingsText);
      expect(settings.env).toMatchObject(
        provider === 'bedrock'
          ? { CLAUDE_CODE_USE_BEDROCK: '1', CLAUDE_CODE_SKIP_BEDROCK_AUTH: '1', AWS_REGION: 'us-east-1' }
          : {
              CLAUDE_CODE_USE_ANTHROPIC_AWS: '1',
              CLAUDE_CODE_SKIP_ANTHROPIC_AWS_AUTH: '1',
              AWS_REGION: 'us-east-1',
              ANTHROPIC_AWS_WORKSPACE_ID: 'wrkspc_e2e',
            },
      );
      const { reply, sent } = await askClaude(env, home);
      if (provider === 'anthropic-aws') expect(reply.stdout.trim()).toBe('pong');
      expect(sent.length).toBeGreaterThan(0);
      for (const request of sent) {
        if (auth === 'sigv4') {
          const service = provider === 'bedrock' ? 'bedrock' : 'aws-external-anthropic';
          expect(String(request.headers.authorization)).toMatch(
            new RegExp(`^AWS4-HMAC-SHA256 Credential=${secret.split(':')[0]}/\\d{8}/us-east-1/${service}/`),
          );
        } else if (provider === 'bedrock') expect(request.headers.authorization).toBe(`Bearer ${secret}`);
        else expect(request.headers['x-api-key']).toBe(secret);
        if (provider === 'anthropic-aws') expect(request.headers['anthropic-workspace-id']).toBe('wrkspc_e2e');
      }
      for (const part of secret.split(':')) {
        expect(settingsText).not.toContain(part);
        expect(reply.stdout + reply.stderr).not.toContain(part);
      }
    } finally {
      proxy.stop();
    }
  });

  it('Claude Platform on AWS with an AWS profile: native settings, Claude Code signs, nothing stored', async () => {
    const { home, env, cli } = await world('aws-profile');
    mkdirSync(join(home, '.aws'));
    writeFileSync(
      join(home, '.aws', 'credentials'),
      '[team]\naws_access_key_id = AKIAPROFILEKEY000001\naws_secret_access_key = profileSecretKeyForTests0000000000000000\n',
    );
    await cli([
      'keys',
      'add',
      'anthropic-aws',
      '--label',
      'team',
      '--region',
      'us-east-1',
      '--workspace',
      'wrkspc_p',
      '--auth',
      'sigv4',
      '--profile',
      'team',
    ]);
    const configured = JSON.parse((await cli(['configure', 'claude-code', '--provider', 'anthropic-aws', '--json'])).stdout);
    const settings = JSON.parse(readFileSync(join(home, '.claude', 'settings.json'), 'utf8'));
    expect(settings.apiKeyHelper).toBeUndefined();
    expect(settings.env).toEqual({
      CLAUDE_CODE_USE_ANTHROPIC_AWS: '1',
      AWS_REGION: 'us-east-1',
      ANTHROPIC_AWS_WORKSPACE_ID: 'wrkspc_p',
      AWS_PROFILE: 'team',
    });
    expect(configured.picture).toMatchObject({
      provider: 'anthropicAws',
      headers: { 'x-api-key': null, authorization: { source: 'aws-sigv4' } },
    });
    const { reply, sent } = await askClaude({ ...env, ANTHROPIC_AWS_BASE_URL: upstream.url }, home);
    expect(reply.stdout.trim()).toBe('pong');
    expect(String(sent[0]?.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAPROFILEKEY000001\//);
  });
});

/** Two Anthropic keys, work (active) and personal, and keytray in that environment (its stdout, expected to succeed). */
async function withTwoKeys(env: Record<string, string>) {
  const keytray = keytrayIn(env);
  const cli = async (args: string[], input?: string) => (await keytray(args, input)).stdout;
  const work = `sk-ant-api03-${randomBytes(66).toString('base64url')}`;
  const personal = `sk-ant-api03-${randomBytes(66).toString('base64url')}`;
  await cli(['keys', 'add', 'anthropic', '--label', 'work'], work);
  await cli(['keys', 'add', 'anthropic', '--label', 'personal'], personal);
  return { cli, work, personal };
}

describe('from a subfolder, with and without git, as the real Claude Code reads settings', () => {
  it('local settings live at the repository top: configure writes there, the picture reads them, and claude -p sends that key', async () => {
    const root = mkdtempSync(join(process.env.HOME ?? '/tmp', 'subfolders-'));
    const home = join(root, 'home');
    const repo = join(root, 'repo');
    const deep = join(repo, 'packages', 'app');
    const plain = join(root, 'plain');
    const plainSub = join(plain, 'sub');
    for (const dir of [home, deep, plainSub]) mkdirSync(dir, { recursive: true });
    await promisify(execFile)('git', ['init', '-q'], { cwd: repo });
    const env = {
      ...baseClaudeEnv(home),
      ANTHROPIC_BASE_URL: upstream.url,
      KEYTRAY_KEYCHAIN_SERVICE: `keytray-sub-${randomBytes(5).toString('hex')}`,
    };
    const { cli, work, personal } = await withTwoKeys(env);
    await cli(['configure', 'claude-code']);

    // From deep inside the repository, --scope local lands in the top folder's local settings.
    const bound = JSON.parse(
      await cli(['configure', 'claude-code', '--scope', 'local', '--label', 'personal', '--cwd', deep, '--json']),
    );
    expect(bound.path).toBe(join(repo, '.claude', 'settings.local.json'));
    expect(existsSync(join(deep, '.claude'))).toBe(false);
    const picture = JSON.parse(await cli(['status', '--agent', 'claude-code', '--cwd', deep, '--json'])) as AuthPicture;
    expect(picture.headers['x-api-key']).toMatchObject({
      source: 'apiKeyHelper',
      origin: 'settings:local',
      masked: maskSecret(personal),
    });
    const fromDeep = await askClaude(env, deep);
    expect(fromDeep.reply.stdout.trim()).toBe('pong');
    for (const request of fromDeep.sent) expect(request.headers['x-api-key']).toBe(personal);

    // A subfolder's own local file is read too, but the top folder's wins; the picture says the same.
    const sub = join(repo, 'packages');
    mkdirSync(join(sub, '.claude'));
    writeFileSync(join(sub, '.claude', 'settings.local.json'), JSON.stringify({ apiKeyHelper: `echo ${work}` }));
    const both = JSON.parse(await cli(['status', '--agent', 'claude-code', '--cwd', sub, '--json'])) as AuthPicture;
    expect(both.headers['x-api-key']?.masked).toBe(maskSecret(personal));
    for (const request of (await askClaude(env, sub)).sent) expect(request.headers['x-api-key']).toBe(personal);

    // Without git, a folder's settings count in that folder only: a subfolder gets the user's key.
    await cli(['configure', 'claude-code', '--scope', 'local', '--label', 'personal', '--cwd', plain]);
    const plainPicture = JSON.parse(await cli(['status', '--agent', 'claude-code', '--cwd', plainSub, '--json'])) as AuthPicture;
    expect(plainPicture.headers['x-api-key']).toMatchObject({ origin: 'settings:user', masked: maskSecret(work) });
    for (const request of (await askClaude(env, plainSub)).sent) expect(request.headers['x-api-key']).toBe(work);
    for (const request of (await askClaude(env, plain)).sent) expect(request.headers['x-api-key']).toBe(personal);
  });
});

describe('where requests go', () => {
  it("helper mode honours the provider's base URL, and the picture names the destination Claude Code really uses", async () => {
    const { home, env } = claudeHome('destination');
    const key = `sk-ant-api03-${randomBytes(66).toString('base64url')}`;
    expect((await runCli(['keys', 'add', 'anthropic', '--label', 'work'], { env, input: key })).code).toBe(0);
    expect((await runCli(['provider', 'set', 'anthropic', '--base-url', upstream.url], { env })).code).toBe(0);
    const configured = await runCli(['configure', 'claude-code', '--json'], { env });
    expect(configured.code, configured.stderr).toBe(0);
    expect(JSON.parse(configured.stdout).picture.destination).toBe(upstream.url);
    expect(JSON.parse(readFileSync(join(home, '.claude', 'settings.json'), 'utf8')).env.ANTHROPIC_BASE_URL).toBe(upstream.url);
    // No ANTHROPIC_BASE_URL in Claude Code's environment: the settings KeyTray wrote send it to the provider's base URL.
    const { reply, sent } = await askClaude(env, home);
    expect(reply.stdout.trim()).toBe('pong');
    expect(sent.length).toBeGreaterThan(0);
    for (const request of sent) expect(request.headers['x-api-key']).toBe(key);

    // --remove takes the base URL out with the helper; Claude Code goes back to the default, and the picture says so.
    expect((await runCli(['configure', 'claude-code', '--remove'], { env })).code).toBe(0);
    // The env block KeyTray made for it goes too.
    expect(JSON.parse(readFileSync(join(home, '.claude', 'settings.json'), 'utf8'))).toEqual({});
    const status = JSON.parse((await runCli(['status', '--agent', 'claude-code', '--json', '--cwd', home], { env })).stdout);
    expect(status.destination).toBe('https://api.anthropic.com');
  });
});

describe('modes across scopes', () => {
  it("a project bound in helper mode under the user's proxy mode works, and the picture flags the pair that cannot", async () => {
    const { root, home, env } = claudeHome('cross-scope');
    const project = join(root, 'project');
    mkdirSync(project, { recursive: true });
    const { cli, work, personal } = await withTwoKeys(env);
    await cli(['provider', 'set', 'anthropic', '--base-url', upstream.url]);
    const proxy = await startCliProxy(env);
    try {
      await cli(['configure', 'claude-code', '--mode', 'proxy']);
      await cli(['configure', 'claude-code', '--scope', 'local', '--label', 'personal', '--cwd', project]);
      const local = JSON.parse(readFileSync(join(project, '.claude', 'settings.local.json'), 'utf8'));
      expect(local.env.ANTHROPIC_BASE_URL).toBe(upstream.url);
      const picture = JSON.parse(await cli(['status', '--agent', 'claude-code', '--cwd', project, '--json'])) as AuthPicture;
      expect(picture.warnings.map((w) => w.code)).not.toContain('helper-key-to-proxy');
      expect(picture.destination).toBe(upstream.url);
      for (const request of (await askClaude(env, project)).sent) expect(request.headers['x-api-key']).toBe(personal);
      // The user's folders still go through the proxy, which sends the active key.
      for (const request of (await askClaude(env, home)).sent) expect(request.headers['x-api-key']).toBe(work);

      // Without the base URL beside the project's helper, its key goes to the proxy, which refuses it: the picture says so first.
      writeFileSync(join(project, '.claude', 'settings.local.json'), JSON.stringify({ apiKeyHelper: local.apiKeyHelper }));
      const broken = JSON.parse(await cli(['status', '--agent', 'claude-code', '--cwd', project, '--json'])) as AuthPicture;
      expect(broken.warnings.map((w) => w.code)).toContain('helper-key-to-proxy');
      const refused = await askClaude(env, project);
      expect(refused.sent).toEqual([]);
      expect(refused.reply.stdout).not.toContain('pong');
    } finally {
      proxy.stop();
    }
  });
});

describe('keytray exec with Claude Code', () => {
  it('delivers the key asked for, or refuses with what Claude Code would send instead', async () => {
    const { home, env } = claudeHome('exec');
    const { cli, work, personal } = await withTwoKeys(env);
    await cli(['provider', 'set', 'anthropic', '--base-url', upstream.url]);
    const exec = async () => {
      const before = upstream.requests.length;
      const result = await runCli(['exec', '--provider', 'anthropic:personal', '--', claudeBinary(), '-p', 'hi'], { env });
      return { result, sent: upstream.requests.slice(before).filter((r) => upstream.inferenceRequests().includes(r)) };
    };

    const plain = await exec();
    expect(plain.result.code, plain.result.stderr).toBe(0);
    expect(plain.sent.length).toBeGreaterThan(0);
    for (const request of plain.sent) expect(request.headers['x-api-key']).toBe(personal);

    // A helper in the settings: the real Claude Code sends the asked key and the helper's side by side.
    await cli(['configure', 'claude-code']);
    const beside = await askClaude({ ...env, ANTHROPIC_API_KEY: personal }, home);
    expect(beside.sent.length).toBeGreaterThan(0);
    for (const request of beside.sent) {
      expect(request.headers['x-api-key']).toBe(personal);
      expect(request.headers.authorization).toBe(`Bearer ${work}`);
    }
    const twoKeys = await exec();
    expect(twoKeys.result.code).toBe(2);
    expect(twoKeys.result.stderr).toContain('it would also send apiKeyHelper from settings:user');
    expect(twoKeys.sent).toEqual([]);

    // Settings that cancel ANTHROPIC_API_KEY (""): the real Claude Code sends only the helper's key.
    expect(
      (await runCli(['configure', 'claude-code', '--neutralize-env'], { env: { ...env, ANTHROPIC_API_KEY: work } })).code,
    ).toBe(0);
    const cancelled = await askClaude({ ...env, ANTHROPIC_API_KEY: personal }, home);
    expect(cancelled.sent.length).toBeGreaterThan(0);
    for (const request of cancelled.sent) expect(request.headers['x-api-key']).toBe(work);
    const refused = await exec();
    expect(refused.result.code).toBe(2);
    expect(refused.result.stderr).toContain(
      'Claude Code here would not use anthropic/personal from its environment: it would send apiKeyHelper',
    );
    expect(refused.sent).toEqual([]);
  });
});
