/**
 * ant's rules as data in, picture out (ant is a Go binary that is not on the
 * npm registry, so no run of it holds them), and the environment `keytray
 * exec --agent ant` builds read back through them: whatever the shell held,
 * the key asked for is the one ant's picture says it sends.
 */
import { describe, expect, it } from 'vitest';
import { antEnvironment } from '../../shared/agents/ant/environment';
import { type AntInputs, computeAntPicture } from '../../shared/agents/ant/picture';
import type { KeyCredential } from '../../shared/aws-auth';
import { maskSecret } from '../../shared/mask';

const NO_PROFILE = { name: 'default', configPath: null, credentials: null };

const ant = (env: Record<string, string>, over: Partial<AntInputs> = {}): AntInputs => ({
  cwd: '/home/me',
  env,
  envOrigin: 'env:process',
  configDir: '/home/me/.config/anthropic',
  profile: NO_PROFILE,
  ...over,
});

const tiersOf = (inputs: AntInputs) => computeAntPicture(inputs).tiers.map((t) => [t.source, t.state]);

describe("ant's picture", () => {
  it('ANTHROPIC_API_KEY over ANTHROPIC_AUTH_TOKEN over the active profile', () => {
    const profile = {
      name: 'default',
      configPath: '/home/me/.config/anthropic/configs/default.json',
      authType: 'user_oauth',
      credentials: null,
    };
    const inputs = ant(
      { ANTHROPIC_API_KEY: 'sk-ant-api03-aaaaaaaaaaaaaaaaaaaa1111', ANTHROPIC_AUTH_TOKEN: 'tok-bbbbbbbbbbbbbbbbbbbb2222' },
      { profile },
    );
    const picture = computeAntPicture(inputs);
    expect(picture.winner).toBe('ANTHROPIC_API_KEY');
    expect(picture.headers['x-api-key']?.masked).toBe(maskSecret('sk-ant-api03-aaaaaaaaaaaaaaaaaaaa1111'));
    expect(picture.headers.authorization).toBeNull();
    expect(tiersOf(inputs)).toEqual([
      ['ANTHROPIC_API_KEY', 'wins'],
      ['ANTHROPIC_AUTH_TOKEN', 'shadowed'],
      ['active profile "default"', 'shadowed'],
    ]);
    expect(JSON.stringify(picture)).not.toMatch(/aaaaaaaaaaaa|bbbbbbbbbbbb/);
    // Without the keys, the profile (an OAuth login) wins, as Bearer, its secret unread.
    const fromProfile = computeAntPicture(ant({}, { profile }));
    expect(fromProfile.winner).toBe('active profile "default"');
    expect(fromProfile.headers.authorization).toMatchObject({ masked: null, detail: `${profile.configPath} (user_oauth)` });
  });

  it('the AWS tier comes first: first-party keys are ignored, and a missing workspace is a warning', () => {
    const inputs = ant({
      ANTHROPIC_USE_AWS: 'true',
      AWS_REGION: 'us-west-2',
      ANTHROPIC_API_KEY: 'sk-ant-api03-aaaaaaaaaaaaaaaaaaaa1111',
      AWS_PROFILE: 'team',
    });
    const picture = computeAntPicture(inputs);
    expect(picture.provider).toBe('anthropic-aws');
    expect(picture.destination).toBe('https://aws-external-anthropic.us-west-2.api.aws');
    expect(picture.winner).toBe('AWS SigV4');
    expect(picture.headers.authorization?.detail).toBe('signed with AWS profile "team"');
    expect(tiersOf(inputs)).toEqual([
      ['AWS SigV4', 'wins'],
      ['ANTHROPIC_API_KEY', 'ignored'],
    ]);
    expect(picture.warnings.map((w) => w.code)).toEqual(['aws-settings-missing']);
    expect(picture.warnings[0]?.message).toContain('ANTHROPIC_AWS_WORKSPACE_ID is not set');
  });

  it('ANTHROPIC_USE_AWS is read as Go reads a boolean: "yes" is not on', () => {
    expect(
      computeAntPicture(ant({ ANTHROPIC_USE_AWS: 'yes', ANTHROPIC_API_KEY: 'sk-ant-api03-aaaaaaaaaaaaaaaaaaaa1111' })).winner,
    ).toBe('ANTHROPIC_API_KEY');
  });

  it('nothing at all: no credential, and how to give it one; readable profile credentials are a warning', () => {
    expect(computeAntPicture(ant({})).warnings.map((w) => w.code)).toEqual(['no-credential']);
    const profile = {
      name: 'work',
      configPath: '/c/configs/work.json',
      credentials: { path: '/c/credentials/work.json', mode: 0o100644 },
    };
    const picture = computeAntPicture(ant({ ANTHROPIC_PROFILE: 'work' }, { profile }));
    expect(picture.winner).toBe('profile "work" (ANTHROPIC_PROFILE)');
    expect(picture.warnings).toEqual([
      expect.objectContaining({ code: 'readable-credentials', fix: 'Run `chmod 600 /c/credentials/work.json`.' }),
    ]);
  });
});

describe('keytray exec --agent ant, read back through the picture', () => {
  /** A shell that already holds one credential of every kind ant reads. */
  const SHELL = {
    ANTHROPIC_API_KEY: 'sk-ant-api03-shellshellshellshell0000',
    ANTHROPIC_AUTH_TOKEN: 'shell-token-shellshellshell0000',
    ANTHROPIC_USE_AWS: '1',
    ANTHROPIC_AWS_API_KEY: 'shell-aws-key-shellshellshell0000',
    AWS_ACCESS_KEY_ID: 'AKIASHELLSHELLSHELL0',
    AWS_PROFILE: 'shell',
  };
  const settings = { region: 'eu-central-1', workspaceId: 'wrkspc_01KT' };
  const cases: [string, 'anthropic' | 'anthropic-aws', KeyCredential, string, string][] = [
    [
      'an Anthropic key',
      'anthropic',
      { auth: 'api-key', secret: 'sk-ant-api03-askedaskedaskedasked1111' },
      'ANTHROPIC_API_KEY',
      maskSecret('sk-ant-api03-askedaskedaskedasked1111'),
    ],
    [
      'an AWS API key',
      'anthropic-aws',
      { auth: 'api-key', secret: 'aws-asked-askedaskedasked2222' },
      'ANTHROPIC_AWS_API_KEY',
      maskSecret('aws-asked-askedaskedasked2222'),
    ],
    [
      'AWS access keys',
      'anthropic-aws',
      { auth: 'sigv4-keys', keys: { accessKeyId: 'AKIAASKEDASKEDASKED1', secretAccessKey: 'askedaskedaskedaskedasked' } },
      'AWS SigV4',
      `signed with AWS_ACCESS_KEY_ID ${maskSecret('AKIAASKEDASKEDASKED1')}`,
    ],
    [
      'an AWS profile',
      'anthropic-aws',
      { auth: 'sigv4-profile', profile: 'asked' },
      'AWS SigV4',
      'signed with AWS profile "asked"',
    ],
  ];
  for (const [name, provider, credential, winner, shown] of cases) {
    it(`${name}: the picture's winner is the key asked for`, () => {
      const { set, unset } = antEnvironment(provider, credential, provider === 'anthropic' ? {} : settings);
      const env: Record<string, string> = { ...SHELL, ...set };
      for (const variable of unset) delete env[variable];
      const picture = computeAntPicture(ant(env));
      expect(picture.winner).toBe(winner);
      const header = picture.headers['x-api-key'] ?? picture.headers.authorization;
      expect(header?.masked ?? header?.detail).toBe(shown);
      expect(picture.warnings).toEqual([]);
      expect(picture.tiers.filter((t) => t.state !== 'absent' && t.state !== 'wins')).toEqual([]);
    });
  }
});
