/**
 * OpenClaw's rules as data in, picture out. The conformance suite holds the
 * main cases to the real OpenClaw; these pin the corners.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openclawConfigPath, openclawStateDir } from '../../electron/core/agents/openclaw/agent';
import { storedProfiles } from '../../electron/core/agents/openclaw/state-db';
import type { Situation } from '../../electron/core/agents/situation';
import { computeOpenClawPicture, type OpenClawInputs } from '../../shared/agents/openclaw/picture';
import { maskSecret } from '../../shared/mask';

const KEY = 'sk-ant-api03-aaaaaaaaaaaaaaaaaaaaaaaa1111';
const STORED = 'sk-or-v1-bbbbbbbbbbbbbbbbbbbbbbbbbbbb2222';

const openclaw = (over: Partial<OpenClawInputs>): OpenClawInputs => ({
  cwd: '/home/me',
  configPath: '/home/me/.openclaw/openclaw.json',
  primary: 'anthropic/claude-sonnet-4-6',
  providers: {},
  secretProviders: {},
  env: {},
  envOrigin: 'env:process',
  stateDb: null,
  ...over,
});

const keytrayExec = {
  providers: { anthropic: { apiKey: { kind: 'ref' as const, source: 'exec', provider: 'keytray-anthropic', id: 'value' } } },
  secretProviders: {
    'keytray-anthropic': {
      source: 'exec',
      command: '/home/me/.local/share/keytray/bin/claude-key-helper',
      args: ['anthropic'],
      jsonOnly: false,
      passEnv: ['HOME'],
    },
  },
  helper: { masked: maskSecret(KEY), keytray: { provider: 'anthropic' as const, label: 'work' } },
};

describe('the OpenClaw picture', () => {
  it("the default model's provider decides; KeyTray's exec SecretRef wins in x-api-key for anthropic-messages", () => {
    const picture = computeOpenClawPicture(openclaw(keytrayExec));
    expect(picture).toMatchObject({
      provider: 'anthropic',
      model: 'anthropic/claude-sonnet-4-6',
      destination: 'https://api.anthropic.com',
      winner: 'SecretRef exec',
    });
    expect(picture.headers['x-api-key']).toMatchObject({ masked: maskSecret(KEY), detail: 'keytray: anthropic/work' });
    expect(picture.warnings).toEqual([]);
  });

  it('an auth profile in the state database wins over the SecretRef (measured), and both are named', () => {
    const picture = computeOpenClawPicture(
      openclaw({
        ...keytrayExec,
        primary: 'anthropic/x',
        stateDb: {
          path: '/home/me/.openclaw/state/openclaw.sqlite',
          profiles: [{ id: 'anthropic:default', provider: 'anthropic', masked: maskSecret(STORED) }],
        },
      }),
    );
    expect(picture.winner).toBe('auth profile');
    expect(picture.tiers.map((t) => [t.source, t.state])).toEqual([
      ['auth profile', 'wins'],
      ['SecretRef exec', 'shadowed'],
    ]);
    expect(picture.warnings.map((w) => w.code)).toEqual(['plaintext-key-in-state-db', 'auth-profile-shadows-keychain']);
    expect(picture.warnings[0]?.fix).toContain('openclaw models auth logout anthropic:default --yes');
    expect(JSON.stringify(picture)).not.toMatch(/bbbbbbbbbbbb/);
  });

  it("what OpenClaw refuses about KeyTray's command, jsonOnly and passEnv, each said precisely", () => {
    const refused = computeOpenClawPicture(
      openclaw({ ...keytrayExec, commandProblem: '/x/claude-key-helper permissions are too open (mode 775)' }),
    );
    expect(refused.winner).toBe('none');
    expect(refused.warnings.map((w) => w.code)).toEqual(['helper-will-fail']);
    expect(refused.warnings[0]?.message).toContain('permissions are too open (mode 775)');
    const json = computeOpenClawPicture(
      openclaw({
        ...keytrayExec,
        secretProviders: {
          'keytray-anthropic': { ...keytrayExec.secretProviders['keytray-anthropic'], jsonOnly: true },
        },
        missingPassEnv: ['DBUS_SESSION_BUS_ADDRESS'],
      }),
    );
    expect(json.warnings.map((w) => w.message)).toEqual([
      expect.stringContaining('jsonOnly is not false'),
      expect.stringContaining('without DBUS_SESSION_BUS_ADDRESS'),
    ]);
  });

  it('plaintext keys in openclaw.json, env shorthands, the environment variable, and no default model', () => {
    const plain = computeOpenClawPicture(
      openclaw({
        primary: 'openai/gpt-5.4',
        providers: {
          openai: { apiKey: { kind: 'plaintext', value: KEY } },
          other: { apiKey: { kind: 'plaintext', value: KEY } },
        },
        env: { OPENAI_API_KEY: STORED },
      }),
    );
    expect(plain.headers.authorization).toMatchObject({ source: 'apiKey', masked: maskSecret(KEY) });
    expect(plain.tiers.map((t) => [t.source, t.state])).toEqual([
      ['auth profile', 'absent'],
      ['apiKey', 'wins'],
      ['OPENAI_API_KEY', 'shadowed'],
    ]);
    expect(plain.warnings.map((w) => w.code)).toEqual(['plaintext-key-in-settings', 'plaintext-key-in-settings']);
    const env = computeOpenClawPicture(
      openclaw({ primary: 'openrouter/auto', providers: { openrouter: { apiKey: { kind: 'env', name: 'MY_KEY' } } } }),
    );
    expect(env.warnings.map((w) => w.code)).toEqual(['provider-misconfigured']);
    expect(computeOpenClawPicture(openclaw({ primary: undefined })).warnings.map((w) => w.code)).toEqual(['no-default-model']);
    expect(computeOpenClawPicture(openclaw({})).warnings.map((w) => w.code)).toEqual(['no-credential']);
  });
});

describe("OpenClaw's files", () => {
  const situation = (env: Record<string, string>): Situation => ({
    cwd: '/w',
    env,
    envOrigin: 'env:process',
    home: '/home/me',
    platform: 'linux',
  });
  it('follow OPENCLAW_CONFIG_PATH, OPENCLAW_STATE_DIR, OPENCLAW_PROFILE and OPENCLAW_HOME', () => {
    expect(openclawConfigPath(situation({}))).toBe('/home/me/.openclaw/openclaw.json');
    expect(openclawConfigPath(situation({ OPENCLAW_PROFILE: 'work' }))).toBe('/home/me/.openclaw-work/openclaw.json');
    expect(openclawConfigPath(situation({ OPENCLAW_HOME: '/srv/oc' }))).toBe('/srv/oc/.openclaw/openclaw.json');
    expect(openclawConfigPath(situation({ OPENCLAW_STATE_DIR: '~/state' }))).toBe('/home/me/state/openclaw.json');
    expect(openclawConfigPath(situation({ OPENCLAW_CONFIG_PATH: '/etc/oc.json5', OPENCLAW_STATE_DIR: '/s' }))).toBe(
      '/etc/oc.json5',
    );
    expect(openclawStateDir(situation({ OPENCLAW_STATE_DIR: ' undefined ' }))).toBe('/home/me/.openclaw');
  });
});

describe("OpenClaw's state database, scanned", () => {
  it('finds whole auth-profile records (the log read after the database), never a cut-short remnant, and gives masks only', async () => {
    const dir = mkdtempSync(join(process.env.HOME || tmpdir(), 'kt-ocdb-'));
    const db = join(dir, 'openclaw.sqlite');
    const record = (id: string, provider: string, key: string) =>
      `"${id}":{"type":"api_key","provider":"${provider}","key":"${key}"}`;
    const remnant = `"openai:manual":{"type":"api_key","provider":"openai","key":"sk-proj-cccccccccc\u0003\u0004C\u0005authProfiles.store{"version`;
    writeFileSync(
      db,
      Buffer.from(
        `SQLite format 3\u0000${remnant}\u0000{"version":1,"profiles":{${record('openrouter:default', 'openrouter', STORED)}}}`,
        'latin1',
      ),
    );
    writeFileSync(`${db}-wal`, `{"version":1,"profiles":{${record('anthropic:manual', 'anthropic', KEY)}}}`);
    const profiles = await storedProfiles(db);
    expect(profiles).toEqual([
      { id: 'openrouter:default', provider: 'openrouter', masked: maskSecret(STORED) },
      { id: 'anthropic:manual', provider: 'anthropic', masked: maskSecret(KEY) },
    ]);
    expect(await storedProfiles(join(dir, 'none.sqlite'))).toBeNull();
  });
});
