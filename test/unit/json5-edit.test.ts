import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editJson5Text, parseJson5Text, redactJson5Text } from '../../shared/formats/json5-edit';
import { maskSecret } from '../../shared/mask';

const CONFIG = `// My OpenClaw config
{
  agents: { defaults: { model: { primary: 'anthropic/claude-sonnet-4-6' } } },
  /* providers I use */
  models: {
    providers: {
      mine: { baseUrl: "https://example.test/v1", }, // keep me
    },
  },
}
`;

const set = (path: string[], value: unknown) => ({ path, value });

describe('parseJson5Text', () => {
  it('reads comments, bare keys, single quotes and trailing commas', () => {
    expect(parseJson5Text(CONFIG)).toEqual({
      ok: true,
      value: {
        agents: { defaults: { model: { primary: 'anthropic/claude-sonnet-4-6' } } },
        models: { providers: { mine: { baseUrl: 'https://example.test/v1' } } },
      },
    });
    expect(parseJson5Text('  \n')).toEqual({ ok: true, value: {} });
  });

  it('says where a file stops being JSON5, and never quotes it', () => {
    const secret = 'sk-proj-abcdefghijklmnopqrstuvwxyz';
    const parsed = parseJson5Text(`{\n  apiKey: ${secret}\n}`);
    expect(parsed).toMatchObject({ ok: false, line: 2, column: 11 });
    expect(JSON.stringify(parsed)).not.toContain('sk-proj');
    expect(JSON.stringify(parsed)).not.toContain("'");
    expect(parseJson5Text('[1, 2]')).toMatchObject({ ok: false, problem: 'the top level must be an object ({ … })' });
    expect(parseJson5Text('{ a: 1')).toMatchObject({ ok: false, problem: 'the file ends too early' });
  });
});

describe('editJson5Text', () => {
  it('adds a property in the style of its object: bare keys, trailing comma, after a comment ending the line', () => {
    const after = editJson5Text(CONFIG, [
      set(['models', 'providers', 'openai', 'apiKey'], { source: 'exec', provider: 'kt', id: 'value' }),
    ]);
    expect(after).toBe(
      CONFIG.replace(
        '// keep me\n',
        '// keep me\n      openai: {\n        apiKey: {\n          source: "exec",\n          provider: "kt",\n          id: "value"\n        }\n      },\n',
      ),
    );
  });

  it('adds a comma before a new last property when the object has none, keeping the comment where it was', () => {
    const text = '{\n  a: 1 // one\n}\n';
    expect(editJson5Text(text, [set(['b'], 2)])).toBe('{\n  a: 1, // one\n  b: 2\n}\n');
    expect(editJson5Text('{"a": 1}', [set(['b'], [1, 'x'])])).toBe('{"a": 1, "b": [1, "x"]}');
    expect(editJson5Text('{a: 1,}', [set(['b'], true)])).toBe('{a: 1, b: true,}');
  });

  it('replaces only the value of an existing property, quotes and comments around it kept', () => {
    expect(editJson5Text(CONFIG, [set(['models', 'providers', 'mine', 'baseUrl'], 'http://127.0.0.1:1/v1')])).toBe(
      CONFIG.replace('"https://example.test/v1"', '"http://127.0.0.1:1/v1"'),
    );
  });

  it('removes what it added, byte for byte, and each object it leaves empty', () => {
    for (const text of [CONFIG, '{\n  a: 1 // one\n}\n', '{"a": 1}', '{a: 1,}', '{}', '{\r\n\t"a": 1\r\n}\r\n', '']) {
      const changes = [
        set(['secrets', 'providers', 'keytray-openai'], { source: 'exec', command: '/x/helper', args: ['openai'] }),
        set(['models', 'providers', 'openai', 'apiKey'], { source: 'exec', provider: 'keytray-openai', id: 'value' }),
        set(['models', 'providers', 'openai', 'baseUrl'], 'http://127.0.0.1:1/v1'),
      ];
      const added = editJson5Text(text, changes);
      expect(parseJson5Text(added).ok).toBe(true);
      const removed = editJson5Text(
        added,
        changes.map((c) => ({ ...c, value: undefined })),
      );
      expect(removed).toBe(text === '' ? '{}\n' : text);
    }
  });

  it('refuses, with a sentence and a position but never the text, what its parser cannot follow', () => {
    for (const text of ['{\n  in: 1,\n}', '{ a: \'say "hi"\' }', '{ a: "\\x41" }']) {
      expect(parseJson5Text(text).ok).toBe(true);
      expect(() => editJson5Text(text, [set(['b'], 1)])).toThrow(/cannot follow the text at line \d+, column \d+/);
    }
    expect(redactJson5Text("{ apiKey: 'sk-\"abcdefghijklmnopqrstuvwx' }")).not.toContain('abcdefgh');
  });

  it('creates a file that ends with a newline', () => {
    expect(editJson5Text('', [set(['a'], 1)])).toBe('{\n  "a": 1\n}\n');
  });
});

describe('redactJson5Text', () => {
  it('masks credential values by name or shape, wherever they are, and nothing else', () => {
    const key = 'sk-proj-abcdefghijklmnopqrstuvwx';
    const text = `{\n  models: { providers: { o: { apiKey: '${key}', baseUrl: "https://x" } } },\n  gateway: { auth: { token: "0123456789abcdef" } },\n  other: ["${key}"],\n}\n`;
    const redacted = redactJson5Text(text);
    expect(redacted).not.toContain(key);
    expect(redacted).not.toContain('0123456789abcdef');
    expect(redacted).toContain(JSON.stringify(maskSecret(key)));
    expect(redacted).toContain('baseUrl: "https://x"');
    expect(redactJson5Text('{ apiKey: nope')).not.toContain('nope');
  });
});

// Configs as people write them: bare or quoted keys, comments, trailing commas, either line ending, nesting.
// The editor's parser (@croct/json5-parser 0.2.2) refuses bare keys that are reserved words: a separate test pins that refusal.
const RESERVED = new Set([
  'in',
  'if',
  'do',
  'for',
  'new',
  'var',
  'try',
  'let',
  'case',
  'else',
  'enum',
  'null',
  'this',
  'true',
  'void',
  'with',
  'break',
  'catch',
  'class',
  'const',
  'false',
  'super',
  'throw',
  'while',
  'yield',
  'delete',
  'export',
  'import',
  'public',
  'return',
  'static',
  'switch',
  'typeof',
  'default',
  'extends',
  'finally',
  'package',
  'private',
  'continue',
  'debugger',
  'function',
  'implements',
  'interface',
  'protected',
  'instanceof',
]);
const name = fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,7}$/).filter((n) => !RESERVED.has(n));
const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null));
const configArb = fc
  .record({
    top: fc.dictionary(name, fc.oneof(scalar, fc.dictionary(name, scalar, { maxKeys: 3 })), { maxKeys: 5 }),
    bareKeys: fc.boolean(),
    comments: fc.boolean(),
    trailing: fc.boolean(),
    crlf: fc.boolean(),
    inline: fc.boolean(),
  })
  .map(({ top, bareKeys, comments, trailing, crlf, inline }) => {
    const eol = crlf ? '\r\n' : '\n';
    const key = (k: string) => (bareKeys ? k : JSON.stringify(k));
    const value = (v: unknown): string =>
      v !== null && typeof v === 'object'
        ? `{ ${Object.entries(v)
            .map(([k, x]) => `${key(k)}: ${JSON.stringify(x)}`)
            .join(', ')} }`
        : JSON.stringify(v);
    const entries = Object.entries(top).map(([k, v]) => `${key(k)}: ${value(v)}`);
    // An empty object reads back as `{}` (written over two lines, KeyTray cannot tell it from `{}` once it held something).
    if (inline || entries.length === 0) return `{${entries.join(', ')}${trailing && entries.length ? ',' : ''}}`;
    const lines = entries.map((e, i) => `  ${e}${i < entries.length - 1 || trailing ? ',' : ''}${comments ? ' // note' : ''}`);
    return [...(comments ? ['// written by hand'] : []), '{', ...lines, '}', ''].join(eol);
  });

describe('editJson5Text on any config', () => {
  it("sets KeyTray's entries, keeps every other value, and removing them gives the text back byte for byte", () => {
    fc.assert(
      fc.property(configArb, (text) => {
        const before = parseJson5Text(text);
        expect(before.ok).toBe(true);
        if (!before.ok || 'secrets' in before.value || 'models' in before.value) return;
        const changes = [
          set(['secrets', 'providers', 'keytray-anthropic'], { source: 'exec', command: '/x/helper', jsonOnly: false }),
          set(['models', 'providers', 'anthropic', 'apiKey'], { source: 'exec', provider: 'keytray-anthropic', id: 'value' }),
        ];
        const after = editJson5Text(text, changes);
        const parsed = parseJson5Text(after);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        const { secrets, models, ...rest } = parsed.value;
        expect(rest).toEqual(before.value);
        expect(secrets).toEqual({
          providers: { 'keytray-anthropic': { source: 'exec', command: '/x/helper', jsonOnly: false } },
        });
        expect(models).toEqual({
          providers: { anthropic: { apiKey: { source: 'exec', provider: 'keytray-anthropic', id: 'value' } } },
        });
        const removed = editJson5Text(
          after,
          changes.map((c) => ({ ...c, value: undefined })),
        );
        expect(removed).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('masks nothing but credentials: redaction keeps the text when no value looks like one', () => {
    fc.assert(
      fc.property(configArb, (text) => {
        const parsed = parseJson5Text(text);
        if (!parsed.ok) return;
        const redacted = redactJson5Text(text);
        expect(parseJson5Text(redacted).ok).toBe(true);
        expect(Object.keys((parseJson5Text(redacted) as { value: object }).value)).toEqual(Object.keys(parsed.value));
      }),
      { numRuns: 200 },
    );
  });
});
