/**
 * `keytray exec --agent ant`: one stored key becomes exactly the environment
 * Anthropic's `ant` CLI reads (shared/agents/ant/environment.ts), with every
 * variable that would make ant use another credential taken out. ant itself
 * is a Go binary that is not on the npm registry, so the child here is Node
 * printing what it was given; the mapping is held to ant's documented
 * variables, not to a run of ant.
 */
import { describe, expect, it } from 'vitest';
import { maskSecret } from '../../shared/mask';
import { BIN, runCli } from '../support/cli';
import { fakeAnthropicKey, makeTestEnv, type TestEnv } from '../support/test-env';

/** A child that prints the variables ant reads (ANTHROPIC_*, and the AWS region and credential chain's) as it was started with them. */
const PRINT_ENV = [
  process.execPath,
  '-e',
  'const seen = Object.entries(process.env).filter(([n]) => /^(ANTHROPIC_|AWS_(REGION|DEFAULT_REGION|ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE)$)/.test(n)); process.stdout.write(JSON.stringify(Object.fromEntries(seen.sort())))',
];

/** What a shell could already hold: one of each kind ant would otherwise pick up. */
const AMBIENT = {
  ANTHROPIC_API_KEY: 'ambient-first-party-key',
  ANTHROPIC_AUTH_TOKEN: 'ambient-token',
  ANTHROPIC_PROFILE: 'work',
  ANTHROPIC_BASE_URL: 'https://ambient.invalid',
  ANTHROPIC_FEDERATION_RULE_ID: 'fdrl_ambient',
  ANTHROPIC_AWS_BASE_URL: 'https://ambient-aws.invalid',
  ANTHROPIC_USE_AWS: '1',
  ANTHROPIC_AWS_API_KEY: 'ambient-aws-key',
  AWS_ACCESS_KEY_ID: 'AKIAAMBIENTAMBIENT00',
  AWS_SECRET_ACCESS_KEY: 'ambient-secret',
  AWS_SESSION_TOKEN: 'ambient-session',
  AWS_PROFILE: 'default',
  AWS_DEFAULT_REGION: 'eu-west-1',
};

async function antEnv(t: TestEnv, provider: string[]): Promise<Record<string, string>> {
  const result = await runCli(['exec', '--agent', 'ant', ...provider, '--', ...PRINT_ENV], { env: { ...t.env, ...AMBIENT } });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

async function addAwsKey(t: TestEnv, label: string, auth: string[], input = ''): Promise<void> {
  const args = ['keys', 'add', 'anthropic-aws', '--label', label, '--region', 'us-west-2', '--workspace', 'wrkspc_01KT', ...auth];
  const added = await runCli(args, { env: t.env, input });
  expect(added.code, added.stderr).toBe(0);
}

describe('keytray exec --agent ant', () => {
  it('an Anthropic key: ANTHROPIC_API_KEY and the base URL, nothing that outranks or rivals it', async () => {
    const t = makeTestEnv();
    const key = fakeAnthropicKey();
    await runCli(['keys', 'add', 'anthropic', '--label', 'main'], { env: t.env, input: key });
    expect(await antEnv(t, [])).toEqual({ ANTHROPIC_API_KEY: key });
    await runCli(['provider', 'set', 'anthropic', '--base-url', 'http://127.0.0.1:4010'], { env: t.env });
    expect(await antEnv(t, ['--provider', 'anthropic:main'])).toEqual({
      ANTHROPIC_API_KEY: key,
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:4010',
    });
  });

  it('a Claude Platform on AWS API key: the AWS tier in API-key mode', async () => {
    const t = makeTestEnv();
    const key = `awsk${fakeAnthropicKey().slice(13)}`;
    await addAwsKey(t, 'gateway', ['--auth', 'api-key'], key);
    expect(await antEnv(t, ['--provider', 'anthropic-aws'])).toEqual({
      ANTHROPIC_USE_AWS: '1',
      AWS_REGION: 'us-west-2',
      ANTHROPIC_AWS_WORKSPACE_ID: 'wrkspc_01KT',
      ANTHROPIC_AWS_API_KEY: key,
    });
  });

  it('AWS access keys: the AWS tier signing with them, no API key to switch it to API-key mode', async () => {
    const t = makeTestEnv();
    const secret = `KTCANARY${fakeAnthropicKey().slice(20, 52).replace(/[-_]/g, 'x')}`;
    await addAwsKey(t, 'signer', ['--auth', 'sigv4'], `AKIAKTCANARYTEST0001:${secret}:KTCANARYsession`);
    expect(await antEnv(t, ['--provider', 'anthropic-aws:signer'])).toEqual({
      ANTHROPIC_USE_AWS: '1',
      AWS_REGION: 'us-west-2',
      ANTHROPIC_AWS_WORKSPACE_ID: 'wrkspc_01KT',
      AWS_ACCESS_KEY_ID: 'AKIAKTCANARYTEST0001',
      AWS_SECRET_ACCESS_KEY: secret,
      AWS_SESSION_TOKEN: 'KTCANARYsession',
    });
  });

  it('an AWS profile: the AWS tier signing with that profile, and no access keys in the way', async () => {
    const t = makeTestEnv();
    await addAwsKey(t, 'sso', ['--auth', 'sigv4', '--profile', 'team-sso']);
    expect(await antEnv(t, ['--provider', 'anthropic-aws:sso'])).toEqual({
      ANTHROPIC_USE_AWS: '1',
      AWS_REGION: 'us-west-2',
      ANTHROPIC_AWS_WORKSPACE_ID: 'wrkspc_01KT',
      AWS_PROFILE: 'team-sso',
    });
  });

  it('the picture KeyTray draws inside that environment says ant sends the key asked for; configure says there is nothing to write', async () => {
    const t = makeTestEnv();
    const key = fakeAnthropicKey();
    await runCli(['keys', 'add', 'anthropic', '--label', 'main'], { env: t.env, input: key });
    const inside = await runCli(['exec', '--agent', 'ant', '--', process.execPath, BIN, 'status', '--agent', 'ant', '--json'], {
      env: { ...t.env, ...AMBIENT },
    });
    expect(inside.code, inside.stderr).toBe(0);
    const picture = JSON.parse(inside.stdout);
    expect(picture.winner).toBe('ANTHROPIC_API_KEY');
    expect(picture.headers['x-api-key'].masked).toBe(maskSecret(key));
    expect(picture.warnings).toEqual([]);
    const configure = await runCli(['configure', 'ant'], { env: t.env });
    expect(configure.code).toBe(2);
    expect(configure.stderr).toContain('keytray exec --agent ant');
  });

  it('refuses, without running anything, what ant could not use as asked', async () => {
    const t = makeTestEnv();
    await runCli(['keys', 'add', 'openai', '--label', 'x'], { env: t.env, input: 'sk-proj-abcdefghijklmnopqrstuvwxyz012345' });
    await runCli(['keys', 'add', 'anthropic-aws', '--label', 'bare', '--auth', 'api-key'], {
      env: t.env,
      input: 'awsk-abcdefghijklmnopqrstuvwxyz',
    });
    const marker = ['--', 'sh', '-c', 'echo ran'];
    const cases: [string[], string][] = [
      [['--agent', 'codex'], 'keytray exec --agent knows "ant" only, not "codex".'],
      [['--agent', 'ant', '--provider', 'openai'], 'ant takes one key, of anthropic or anthropic-aws.'],
      [
        ['--agent', 'ant', '--provider', 'anthropic', '--provider', 'anthropic-aws'],
        'ant takes one key, of anthropic or anthropic-aws.',
      ],
      [['--agent', 'ant', '--provider', 'anthropic-aws'], "ant's Claude Platform on AWS tier needs a region and a workspace ID."],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['exec', ...args, ...marker], { env: t.env });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(message);
    }
  });
});

describe('keytray exec with an AWS SigV4 key', () => {
  it('puts the access keys in the AWS credential chain variables, not in the API-key variable', async () => {
    const t = makeTestEnv();
    const secret = `KTCANARY${fakeAnthropicKey().slice(20, 52).replace(/[-_]/g, 'x')}`;
    await addAwsKey(t, 'signer', ['--auth', 'sigv4'], `AKIAKTCANARYTEST0002:${secret}`);
    const result = await runCli(['exec', '--provider', 'anthropic-aws', '--', ...PRINT_ENV], { env: t.env });
    expect(result.code, result.stderr).toBe(0);
    const seen = JSON.parse(result.stdout);
    expect(seen).toMatchObject({
      AWS_ACCESS_KEY_ID: 'AKIAKTCANARYTEST0002',
      AWS_SECRET_ACCESS_KEY: secret,
      AWS_REGION: 'us-west-2',
    });
    expect(seen.ANTHROPIC_AWS_API_KEY).toBeUndefined();
  });
});
