import { describe, expect, it } from 'vitest';
import { agentLine, headline, type TrayState, trayIcon, trayMenu } from '../../electron/main/tray-menu';
import type { AuthPicture } from '../../shared/agents/claude-code/auth-picture';
import type { AgentPicture } from '../../shared/agents/picture';
import type { KeyListing } from '../../shared/vault-types';

const picture = (over: Partial<AuthPicture> = {}): AuthPicture => ({
  tool: 'claude-code',
  cwd: '/home/me',
  provider: 'firstParty',
  headers: {
    'x-api-key': { source: 'apiKeyHelper', origin: 'settings:user', masked: 'sk-ant-…7f3a', detail: 'keytray: anthropic/work' },
    authorization: { source: 'apiKeyHelper', origin: 'settings:user', masked: 'sk-ant-…7f3a', detail: 'keytray: anthropic/work' },
  },
  winner: 'apiKeyHelper',
  tiers: [],
  warnings: [],
  ...over,
});

const listing: KeyListing = {
  store: { kind: 'keychain', description: 'Secret Service keyring (service "keytray")' },
  custom: {},
  providers: [
    {
      id: 'anthropic',
      label: 'Anthropic',
      active: 'work',
      settings: {},
      baseUrl: 'https://api.anthropic.com',
      fallback: false,
      keys: [
        { provider: 'anthropic', label: 'work', active: true, masked: 'sk-ant-…7f3a', createdAt: '', updatedAt: '', state: 'ok' },
        {
          provider: 'anthropic',
          label: 'personal',
          active: false,
          masked: 'sk-ant-…91bc',
          createdAt: '',
          updatedAt: '',
          state: 'missing',
        },
      ],
    },
  ],
  discrepancies: [],
};

const state = (over: Partial<TrayState> = {}): TrayState => ({
  picture: picture(),
  listing,
  proxyMode: false,
  proxy: { running: false, port: 8723 },
  awsMode: false,
  ...over,
});

describe('tray', () => {
  it('keys left in plaintext turn the icon amber and get a line that opens the window', () => {
    expect(trayIcon(state())).toBe('ok');
    expect(trayIcon(state({ plaintextKeys: 2 }))).toBe('warning');
    expect(trayMenu(state({ plaintextKeys: 2 }))[1]).toEqual({
      label: '⚠ 2 keys in plaintext on this machine: move them in…',
      action: { kind: 'open' },
    });
    expect(trayMenu(state({ plaintextKeys: 1 }))[1]?.label).toBe('⚠ 1 key in plaintext on this machine: move it in…');
    expect(trayMenu(state({ plaintextKeys: 0 })).some((i) => i.label?.includes('plaintext'))).toBe(false);
    // A worse state stays worse.
    expect(trayIcon(state({ plaintextKeys: 3, error: 'no keychain' }))).toBe('error');
  });

  it('says which key Claude Code uses, and how', () => {
    expect(headline(state())).toBe('Claude Code → anthropic/work via keychain helper');
    const viaProxy = picture({
      headers: {
        'x-api-key': {
          source: 'apiKeyHelper',
          origin: 'settings:user',
          masked: 'ktp_…abcd',
          detail: 'keytray proxy token; the proxy sends anthropic/work',
        },
        authorization: null,
      },
    });
    expect(headline(state({ picture: viaProxy }))).toBe('Claude Code → anthropic/work via the KeyTray proxy');
  });

  it('puts the serious warning in the headline and turns the icon', () => {
    const shadowed = picture({
      warnings: [
        { code: 'shell-export-shadows-keychain', message: 'ANTHROPIC_API_KEY from ~/.zshrc:12 is sent instead', fix: '' },
      ],
    });
    expect(headline(state({ picture: shadowed }))).toBe('⚠ ANTHROPIC_API_KEY from ~/.zshrc:12 is sent instead');
    expect(trayIcon(state({ picture: shadowed }))).toBe('warning');
    expect(trayIcon(state())).toBe('ok');
    expect(trayIcon(state({ picture: picture({ winner: 'none', headers: { 'x-api-key': null, authorization: null } }) }))).toBe(
      'error',
    );
    expect(trayIcon(state({ listing: { ...listing, storeError: { code: 'keychain-unavailable', message: 'locked' } } }))).toBe(
      'error',
    );
    expect(trayIcon(state({ proxyMode: true, proxy: { running: false, port: 8723 } }))).toBe('warning');
  });

  it('turns amber for a key past its daily budget, and says which', () => {
    const over = [{ provider: 'anthropic', label: 'work', spentUsd: 5.234, budgetUsd: 5 }];
    expect(trayIcon(state({ overBudget: over }))).toBe('warning');
    expect(trayIcon(state({ overBudget: [] }))).toBe('ok');
    const menu = trayMenu(state({ overBudget: over }));
    expect(menu[1]).toEqual({
      label: '⚠ anthropic/work has spent about $5.23 today, past its $5.00 daily budget',
      enabled: false,
    });
    // A worse state stays worse.
    expect(
      trayIcon(
        state({ overBudget: over, picture: picture({ winner: 'none', headers: { 'x-api-key': null, authorization: null } }) }),
      ),
    ).toBe('error');
  });

  it('lists keys as radio items that switch the active key, then the actions', () => {
    const menu = trayMenu(state({ proxyMode: true, proxy: { running: true, port: 8723 } }));
    expect(menu.map((i) => i.label ?? `(${i.type})`)).toEqual([
      'Claude Code → anthropic/work via keychain helper',
      '(separator)',
      'Anthropic',
      'work  sk-ant-…7f3a',
      'personal  sk-ant-…91bc  (needs attention)',
      '(separator)',
      'Add key…',
      'Configure Claude Code',
      '(separator)',
      'Proxy mode (port 8723)',
      'AWS mode',
      '(separator)',
      'Open KeyTray',
      'Open full window',
      'Quit',
    ]);
    expect(menu[3]).toMatchObject({
      type: 'radio',
      checked: true,
      action: { kind: 'use-key', provider: 'anthropic', label: 'work' },
    });
    expect(menu[4]).toMatchObject({ type: 'radio', checked: false });
    expect(menu[9]).toMatchObject({ type: 'checkbox', checked: true, action: { kind: 'toggle-proxy' } });
    expect(menu[0]?.enabled).toBe(false);
    expect(JSON.stringify(menu)).not.toMatch(/sk-ant-api/);
  });

  it('gives each configured agent a line, and the icon the worst of their states', () => {
    const codex: AgentPicture = {
      tool: 'codex',
      cwd: '/home/me',
      provider: 'keytray',
      destination: 'http://127.0.0.1:8723/openai/v1',
      headers: {
        authorization: {
          source: 'auth command',
          origin: 'config:codex',
          masked: 'ktp_…abcd',
          detail: 'keytray proxy token; the proxy sends openai/work',
        },
      },
      winner: 'auth command',
      tiers: [],
      warnings: [],
    };
    const gemini: AgentPicture = {
      tool: 'gemini-cli',
      cwd: '/home/me',
      provider: 'gemini-api-key',
      headers: { 'x-goog-api-key': null },
      winner: 'none',
      tiers: [],
      warnings: [{ code: 'no-credential', message: 'Gemini CLI finds no GEMINI_API_KEY here' }],
    };
    const menu = trayMenu(state({ agents: [codex, gemini] }));
    expect(menu.slice(0, 4).map((i) => i.label ?? `(${i.type})`)).toEqual([
      'Claude Code → anthropic/work via keychain helper',
      'Codex CLI → openai/work via the KeyTray proxy',
      'Gemini CLI: ⚠ Gemini CLI finds no GEMINI_API_KEY here',
      '(separator)',
    ]);
    expect(trayIcon(state({ agents: [codex] }))).toBe('ok');
    expect(trayIcon(state({ agents: [codex, gemini] }))).toBe('error');
    // A proxy that is not running is an error: every request fails.
    const proxyDown = { ...codex, warnings: [{ code: 'proxy-not-running', message: 'nothing listens' }] };
    expect(trayIcon(state({ agents: [proxyDown] }))).toBe('error');
    const exported = { ...codex, warnings: [{ code: 'shell-snapshot-with-key', message: 'snapshots' }] };
    expect(trayIcon(state({ agents: [exported] }))).toBe('ok');
    const plaintext = { ...codex, warnings: [{ code: 'plaintext-key-in-auth-json', message: 'auth.json' }] };
    expect(trayIcon(state({ agents: [plaintext] }))).toBe('warning');
    expect(agentLine(codex)).toBe('Codex CLI → openai/work via the KeyTray proxy');
    // An agent installed here but not configured by KeyTray gets its line, after, and no say in the icon.
    const withUnconfigured = state({ agents: [codex], unconfigured: [gemini] });
    expect(
      trayMenu(withUnconfigured)
        .slice(1, 3)
        .map((i) => i.label),
    ).toEqual(['Codex CLI → openai/work via the KeyTray proxy', 'Gemini CLI: ⚠ Gemini CLI finds no GEMINI_API_KEY here']);
    expect(trayIcon(withUnconfigured)).toBe('ok');
  });
});
