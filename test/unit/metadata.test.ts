import { describe, expect, it } from 'vitest';
import { emptyMetadata, MetadataFormatError, parseMetadata } from '../../shared/metadata';

const record = {
  label: 'work',
  masked: 'sk-ant-…7f3a',
  fingerprint: '0123456789ab',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('parseMetadata', () => {
  it('round-trips valid metadata', () => {
    const meta = {
      version: 2,
      store: 'keychain',
      providers: { anthropic: { active: 'work', keys: [record], settings: { baseUrl: 'http://127.0.0.1:9' } } },
      bindings: {
        'claude-code': { '/home/me/.claude/settings.json': { provider: 'anthropic', label: 'work', mode: 'proxy' } },
        codex: { '/home/me/.codex/config.toml': { provider: 'openai', replaced: { model_provider: 'mine' } } },
        'gemini-cli': {
          '/home/me/.gemini/.env': { provider: 'gemini', mode: 'proxy', tokenId: '0123456789abcdef0123456789abcdef' },
        },
      },
    };
    expect(parseMetadata(JSON.parse(JSON.stringify(meta)))).toEqual(meta);
    expect(parseMetadata(emptyMetadata())).toEqual(emptyMetadata());
  });

  it('loads a file written by the version before agents (format 1) with every Claude Code binding kept', () => {
    const v1 = {
      version: 1,
      store: 'keychain',
      providers: { anthropic: { active: 'work', keys: [record] } },
      claudeBindings: {
        '/home/me/.claude/settings.json': { provider: 'anthropic' },
        '/work/app/.claude/settings.local.json': { provider: 'anthropic', label: 'work', mode: 'proxy' },
      },
      proxy: { port: 9999 },
    };
    expect(parseMetadata(v1)).toEqual({
      version: 2,
      store: 'keychain',
      providers: { anthropic: { active: 'work', keys: [record], settings: {} } },
      bindings: {
        'claude-code': {
          '/home/me/.claude/settings.json': { provider: 'anthropic' },
          '/work/app/.claude/settings.local.json': { provider: 'anthropic', label: 'work', mode: 'proxy' },
        },
      },
      proxy: { port: 9999 },
    });
  });

  it.each([
    [null, /the file must be an object/],
    [{ version: 3, store: 'keychain', providers: {} }, /newer KeyTray/],
    [{ version: 2, store: 'keychain', providers: {}, bindings: { vim: {} } }, /unknown agent "vim"/],
    [
      { version: 2, store: 'keychain', providers: {}, bindings: { codex: { '/x': { provider: 'openai', tokenId: 'zz' } } } },
      /tokenId/,
    ],
    [{ version: 0, store: 'keychain', providers: {} }, /positive integer/],
    [{ version: 1, store: 'disk', providers: {} }, /"store"/],
    [{ version: 1, store: 'keychain', providers: { nope: {} } }, /unknown provider "nope"/],
    [
      { version: 1, store: 'keychain', providers: { anthropic: { active: 'other', keys: [record] } } },
      /must name one of its keys/,
    ],
    [{ version: 1, store: 'keychain', providers: { anthropic: { active: 'work', keys: [record, record] } } }, /same label/],
    [
      { version: 1, store: 'keychain', providers: { anthropic: { active: null, keys: [{ ...record, label: 'a/b' }] } } },
      /not allowed/,
    ],
    [{ version: 1, store: 'keychain', providers: { anthropic: { active: 'x', keys: [] } } }, /does not have/],
  ])('refuses %j', (value, message) => {
    expect(() => parseMetadata(value)).toThrow(MetadataFormatError);
    expect(() => parseMetadata(value)).toThrow(message);
  });
});

describe('custom providers in the metadata file', () => {
  const def = { label: 'DeepSeek', api: 'anthropic', baseUrl: 'https://api.deepseek.com/anthropic', auth: 'bearer' };
  const withKey = {
    version: 2,
    store: 'keychain',
    custom: { deepseek: def },
    providers: {
      deepseek: {
        active: 'work',
        keys: [{ label: 'work', masked: 'sk-…abcd', fingerprint: 'abc', createdAt: 'x', updatedAt: 'x' }],
        settings: { models: { model: 'deepseek-chat' } },
      },
    },
  };

  it('keeps a definition, its keys and its model names through a round trip', () => {
    expect(parseMetadata(JSON.parse(JSON.stringify(withKey)))).toEqual(withKey);
  });

  it.each([
    ['keys for a provider it does not define', { ...withKey, custom: undefined }, 'unknown provider "deepseek"'],
    ['a built-in id', { ...withKey, custom: { openai: def }, providers: {} }, 'is a built-in provider'],
    ['an id that cannot name a route', { ...withKey, custom: { 'Deep Seek': def }, providers: {} }, 'cannot name a provider'],
    ['an API KeyTray does not know', { ...withKey, custom: { deepseek: { ...def, api: 'vertex' } } }, '--api must be one of'],
    [
      'a header the API does not take',
      { ...withKey, custom: { deepseek: { ...def, auth: 'x-goog-api-key' } } },
      'takes its key as',
    ],
    [
      'a base URL with a password',
      { ...withKey, custom: { deepseek: { ...def, baseUrl: 'https://u:p@x.example' } } },
      'keys belong in the keychain',
    ],
  ])('refuses %s', (_name, value, message) => {
    expect(() => parseMetadata(value)).toThrow(MetadataFormatError);
    expect(() => parseMetadata(value)).toThrow(message);
  });
});
