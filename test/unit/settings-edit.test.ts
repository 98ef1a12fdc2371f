import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { settingsChanges } from '../../electron/core/agents/claude-code/configure';
import {
  editSettingsText,
  type JsonObject,
  parseSettingsText,
  redactSettingsText,
  type SettingChange,
} from '../../shared/formats/json-edit';

const HELPER = "'/home/me/.local/share/keytray/bin/claude-key-helper' anthropic";

describe('editSettingsText', () => {
  it("adds a property in the file's own style and touches nothing else", () => {
    const text = '{\n    "model": "opus",\n    "env": { "FOO": "1" }\n}\n';
    expect(editSettingsText(text, [{ path: ['apiKeyHelper'], value: HELPER }])).toBe(
      `{\n    "model": "opus",\n    "env": { "FOO": "1" },\n    "apiKeyHelper": ${JSON.stringify(HELPER)}\n}\n`,
    );
  });

  it('adds inside a one-line object on the same line', () => {
    const text = '{\n  "env": { "FOO": "1" }\n}';
    expect(editSettingsText(text, [{ path: ['env', 'ANTHROPIC_API_KEY'], value: '' }])).toBe(
      '{\n  "env": { "FOO": "1", "ANTHROPIC_API_KEY": "" }\n}',
    );
  });

  it('creates missing parents, with tabs and CRLF when the file uses them', () => {
    const text = '{\r\n\t"model": "opus"\r\n}\r\n';
    expect(editSettingsText(text, [{ path: ['env', 'ANTHROPIC_API_KEY'], value: '' }])).toBe(
      '{\r\n\t"model": "opus",\r\n\t"env": {\r\n\t\t"ANTHROPIC_API_KEY": ""\r\n\t}\r\n}\r\n',
    );
  });

  it('replaces only the value of an existing property', () => {
    const text = '{"apiKeyHelper":"old", "x": [1,2]}';
    expect(editSettingsText(text, [{ path: ['apiKeyHelper'], value: 'new' }])).toBe('{"apiKeyHelper":"new", "x": [1,2]}');
  });

  it('creates a file from nothing, and fills an empty object', () => {
    expect(editSettingsText('', [{ path: ['apiKeyHelper'], value: 'h' }])).toBe('{\n  "apiKeyHelper": "h"\n}\n');
    expect(editSettingsText('{ }\n', [{ path: ['apiKeyHelper'], value: 'h' }])).toBe('{\n  "apiKeyHelper": "h"\n}\n');
  });

  it('removes a property cleanly', () => {
    expect(editSettingsText('{\n  "a": 1,\n  "b": 2\n}', [{ path: ['b'], value: undefined }])).toBe('{\n  "a": 1\n}');
    expect(editSettingsText('{\n  "a": 1,\n  "b": 2\n}', [{ path: ['a'], value: undefined }])).toBe('{\n  "b": 2\n}');
    expect(editSettingsText('{ "env": { "A": "1" } }', [{ path: ['env', 'A'], value: undefined }])).toBe('{ "env": {} }');
  });

  it('replaces an env that is not an object', () => {
    expect(editSettingsText('{"env": "oops"}', [{ path: ['env', 'A'], value: '' }])).toBe('{"env": {\n  "A": ""\n}}');
  });
});

// Settings files as people write them: any JSON object, any indentation, either line ending.
const settingsArb = fc
  .record({
    value: fc.dictionary(
      fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('env', 'apiKeyHelper', 'model', 'permissions')),
      fc.jsonValue({ maxDepth: 3 }),
      { maxKeys: 8 },
    ),
    indent: fc.constantFrom(0, 2, 4, '\t'),
    crlf: fc.boolean(),
    trailingNewline: fc.boolean(),
  })
  .map(({ value, indent, crlf, trailingNewline }) => {
    let text = JSON.stringify(value, null, indent);
    if (crlf) text = text.replaceAll('\n', '\r\n');
    if (trailingNewline) text += crlf ? '\r\n' : '\n';
    return { value: JSON.parse(text) as JsonObject, text };
  });

const changesArb = fc.record({
  helper: fc.string({ maxLength: 40 }),
  neutralize: fc.subarray(['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN']),
});

function changesFor(c: { helper: string; neutralize: string[] }): SettingChange[] {
  return [{ path: ['apiKeyHelper'], value: c.helper }, ...c.neutralize.map((name) => ({ path: ['env', name], value: '' }))];
}

describe('editSettingsText properties', () => {
  it('sets exactly the owned keys and keeps every other key and value', () => {
    fc.assert(
      fc.property(settingsArb, changesArb, ({ value, text }, c) => {
        const after = parseSettingsText(editSettingsText(text, changesFor(c)));
        expect(after.ok).toBe(true);
        if (!after.ok) return;
        const expected: JsonObject = structuredClone(value);
        expected.apiKeyHelper = c.helper;
        if (c.neutralize.length > 0) {
          const env = expected.env;
          const base = env && typeof env === 'object' && !Array.isArray(env) ? env : {};
          expected.env = { ...base, ...Object.fromEntries(c.neutralize.map((n) => [n, ''])) };
        }
        expect(after.value).toEqual(expected);
        // Key order is kept: existing keys first, in their order.
        expect(Object.keys(after.value).slice(0, Object.keys(value).length)).toEqual(Object.keys(value));
      }),
      { numRuns: 300 },
    );
  });

  it('adding a key only inserts text: the original bytes surround the insertion', () => {
    fc.assert(
      fc.property(settingsArb, fc.string({ maxLength: 40 }), ({ value, text }, helper) => {
        fc.pre(!('apiKeyHelper' in value));
        const after = editSettingsText(text, [{ path: ['apiKeyHelper'], value: helper }]);
        let prefix = 0;
        while (prefix < text.length && text[prefix] === after[prefix]) prefix++;
        // One contiguous insertion: the original tail follows it byte for byte.
        expect(after.endsWith(text.slice(prefix))).toBe(true);
        expect(after.length).toBeGreaterThan(text.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseSettingsText', () => {
  it('names the position of the first problem and never quotes the text', () => {
    const result = parseSettingsText('{\n  "env": { "ANTHROPIC_API_KEY": "sk-ant-secret" \n}');
    expect(result).toMatchObject({ ok: false, line: 3 });
    expect(JSON.stringify(result)).not.toContain('sk-ant');
    expect(parseSettingsText('{"a": 1,}')).toMatchObject({ ok: false, line: 1 });
    expect(parseSettingsText('// c\n{}')).toMatchObject({ ok: false, problem: 'comments are not allowed in JSON' });
    expect(parseSettingsText('[]')).toMatchObject({ ok: false, problem: 'the top level must be an object ({ … })' });
    expect(parseSettingsText('  \n')).toEqual({ ok: true, value: {} });
    // A key named __proto__ is read as the key it is, as JSON.parse (and so Claude Code) reads it.
    const proto = parseSettingsText('{"env": {"__proto__": {"A": "1"}}}');
    expect(proto.ok && Object.keys(proto.value.env as object)).toEqual(['__proto__']);
  });
});

describe('redactSettingsText', () => {
  it('masks credential values and leaves the rest', () => {
    const key = `sk-ant-api03-${'x'.repeat(40)}9f3a`;
    const text = `{\n  "env": { "ANTHROPIC_API_KEY": "${key}", "OTHER": "${key}", "AWS_SECRET_ACCESS_KEY": "abcdefghijklmnopqrst" },\n  "apiKeyHelper": "x"\n}`;
    const redacted = redactSettingsText(text);
    expect(redacted).toBe(
      `{\n  "env": { "ANTHROPIC_API_KEY": "sk-ant-…9f3a", "OTHER": "sk-ant-…9f3a", "AWS_SECRET_ACCESS_KEY": "…qrst" },\n  "apiKeyHelper": "x"\n}`,
    );
    // Values that merely look like keys, under any name, are masked too.
    expect(redactSettingsText('{"model": "opus", "note": "sk-proj-abcdefghijklmnopqrstuv"}')).toBe(
      '{"model": "opus", "note": "sk-proj-…stuv"}',
    );
  });
});

describe("a helper-mode binding's base URL", () => {
  const base = {
    provider: 'anthropic' as string,
    mode: 'helper' as const,
    command: "'/k/claude-key-helper' anthropic personal",
    proxyUrl: 'http://127.0.0.1:8723/anthropic',
    region: undefined,
    workspaceId: undefined,
    profile: undefined,
    baseUrl: undefined,
    current: {},
    currentHelper: undefined,
    models: {},
    keytrayWrote: new Set<string>(),
  };
  it('is written over an inherited proxy URL (the key would go to the proxy), and not otherwise', () => {
    expect(settingsChanges({ ...base, inheritedBaseUrl: 'http://127.0.0.1:8723/anthropic' })).toContainEqual({
      path: ['env', 'ANTHROPIC_BASE_URL'],
      value: 'https://api.anthropic.com',
    });
    expect(settingsChanges({ ...base, inheritedBaseUrl: 'https://gateway.example' }).map((c) => c.path.join('.'))).toEqual([
      'apiKeyHelper',
    ]);
    expect(settingsChanges({ ...base, baseUrl: 'https://gateway.example', inheritedBaseUrl: undefined })).toContainEqual({
      path: ['env', 'ANTHROPIC_BASE_URL'],
      value: 'https://gateway.example',
    });
  });

  it("goes with a provider switch when KeyTray wrote it, with the model names it wrote; the user's own stay", () => {
    const current = {
      ANTHROPIC_BASE_URL: 'https://api.deepseek.com/anthropic',
      ANTHROPIC_MODEL: 'deepseek-chat',
      ANTHROPIC_DEFAULT_HAIKU_MODEL: 'users-own',
    };
    const changes = settingsChanges({
      ...base,
      current,
      inheritedBaseUrl: undefined,
      keytrayWrote: new Set(['ANTHROPIC_BASE_URL', 'ANTHROPIC_MODEL']),
    });
    expect(changes).toContainEqual({ path: ['env', 'ANTHROPIC_BASE_URL'], value: undefined });
    expect(changes).toContainEqual({ path: ['env', 'ANTHROPIC_MODEL'], value: undefined });
    expect(changes.map((c) => c.path.join('.'))).not.toContain('env.ANTHROPIC_DEFAULT_HAIKU_MODEL');
  });

  it("writes the provider's model names into Claude Code's variables", () => {
    const changes = settingsChanges({
      ...base,
      provider: 'deepseek',
      baseUrl: 'https://api.deepseek.com/anthropic',
      inheritedBaseUrl: undefined,
      models: { model: 'deepseek-chat', haiku: 'deepseek-chat', subagent: 'deepseek-reasoner' },
    });
    expect(Object.fromEntries(changes.map((c) => [c.path.join('.'), c.value]))).toEqual({
      apiKeyHelper: base.command,
      'env.ANTHROPIC_BASE_URL': 'https://api.deepseek.com/anthropic',
      'env.ANTHROPIC_MODEL': 'deepseek-chat',
      'env.ANTHROPIC_DEFAULT_HAIKU_MODEL': 'deepseek-chat',
      'env.CLAUDE_CODE_SUBAGENT_MODEL': 'deepseek-reasoner',
    });
  });
});
