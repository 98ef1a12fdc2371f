import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editTomlText, parseTomlText, redactTomlText } from '../../shared/formats/toml-edit';

const CONFIG = `# My Codex config
model = "gpt-5" # the good one

[features]
web_search = true

# a provider of my own
[model_providers.mine]
name = "Mine"
base_url = "https://example.test/v1"
`;

const set = (path: string[], value: unknown) => ({ path, value });

describe('editTomlText', () => {
  it('adds a top-level key after the last one, before the first table', () => {
    expect(editTomlText(CONFIG, [set(['model_provider'], 'keytray')])).toBe(
      CONFIG.replace('# the good one\n', '# the good one\nmodel_provider = "keytray"\n'),
    );
  });

  it('adds a top-level key above the first table and its comment when there is none', () => {
    const text = '# a comment\n[features]\nx = 1\n';
    expect(editTomlText(text, [set(['model_provider'], 'keytray')])).toBe(
      'model_provider = "keytray"\n\n# a comment\n[features]\nx = 1\n',
    );
  });

  it('appends new tables at the end, set off by a blank line', () => {
    const after = editTomlText(CONFIG, [
      set(['model_providers', 'keytray', 'name'], 'KeyTray'),
      set(['model_providers', 'keytray', 'auth', 'command'], '/bin/helper'),
      set(['model_providers', 'keytray', 'auth', 'args'], ['openai', 'work']),
    ]);
    expect(after).toBe(
      `${CONFIG}\n[model_providers.keytray]\nname = "KeyTray"\n\n[model_providers.keytray.auth]\ncommand = "/bin/helper"\nargs = ["openai", "work"]\n`,
    );
  });

  it('replaces only the value of an existing key, wherever it is written', () => {
    expect(editTomlText(CONFIG, [set(['model_providers', 'mine', 'base_url'], 'http://127.0.0.1:1/v1')])).toBe(
      CONFIG.replace('https://example.test/v1', 'http://127.0.0.1:1/v1'),
    );
    const dotted = 'model_providers.mine.name = "Mine" # keep\n';
    expect(editTomlText(dotted, [set(['model_providers', 'mine', 'name'], 'Other')])).toBe(
      'model_providers.mine.name = "Other" # keep\n',
    );
  });

  it('removes a key, and a table with its last key', () => {
    const added = editTomlText(CONFIG, [
      set(['model_provider'], 'keytray'),
      set(['model_providers', 'keytray', 'name'], 'KeyTray'),
    ]);
    expect(
      editTomlText(added, [set(['model_provider'], undefined), set(['model_providers', 'keytray', 'name'], undefined)]),
    ).toBe(CONFIG);
  });

  it('keeps CRLF line endings', () => {
    const text = 'model = "a"\r\n[x]\r\ny = 1\r\n';
    expect(editTomlText(text, [set(['x', 'z'], 2)])).toBe('model = "a"\r\n[x]\r\ny = 1\r\nz = 2\r\n');
  });

  it('refuses to add under a table written inline', () => {
    expect(() =>
      editTomlText('model_providers = { mine = { name = "M" } }\n', [set(['model_providers', 'k', 'name'], 'K')]),
    ).toThrow(/inline table/);
  });

  it('reports a syntax error with its position, never the text', () => {
    const parsed = parseTomlText('a = 1\nb = "sk-secret-value\n');
    expect(parsed).toMatchObject({ ok: false, line: 2 });
    expect(JSON.stringify(parsed)).not.toContain('sk-secret');
  });

  it('masks credential values in a diff', () => {
    const text =
      'experimental_bearer_token = "abcdefghijklmnopqrstuvwxyz"\nkey = "sk-proj-abcdefghijklmnopqrstuvwx"\nname = "x"\n';
    const redacted = redactTomlText(text);
    expect(redacted).not.toContain('abcdefghijklmnopqrstuvwxyz');
    expect(redacted).not.toContain('sk-proj-abcdefghijklmnopqrstuvwx');
    expect(redacted).toContain('name = "x"');
  });
});

// Config files as people write them: top-level keys, tables, comments, either line ending.
const bare = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);
const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean());
const configArb = fc
  .record({
    top: fc.dictionary(bare, scalar, { maxKeys: 4 }),
    tables: fc.dictionary(bare, fc.dictionary(bare, scalar, { minKeys: 1, maxKeys: 3 }), { maxKeys: 3 }),
    comments: fc.boolean(),
    crlf: fc.boolean(),
  })
  .map(({ top, tables, comments, crlf }) => {
    const render = (v: unknown) => JSON.stringify(v);
    const lines: string[] = [];
    if (comments) lines.push('# written by hand');
    for (const [k, v] of Object.entries(top)) lines.push(`${k} = ${render(v)}${comments ? ' # note' : ''}`);
    for (const [t, body] of Object.entries(tables)) {
      if (t in top) continue;
      lines.push('', `[${t}]`);
      for (const [k, v] of Object.entries(body)) lines.push(`${k} = ${render(v)}`);
    }
    return lines.join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '\n');
  });

describe('editTomlText on any config', () => {
  it("sets KeyTray's provider and model_provider, keeps every other value, and removing them restores the text", () => {
    fc.assert(
      fc.property(configArb, (text) => {
        const before = parseTomlText(text);
        if (!before.ok) return;
        const changes = [
          set(['model_provider'], 'keytray'),
          set(['model_providers', 'keytray', 'name'], 'KeyTray'),
          set(['model_providers', 'keytray', 'auth', 'command'], '/x/helper'),
        ];
        if ('model_provider' in before.value || 'model_providers' in before.value) return;
        const after = editTomlText(text, changes);
        const parsed = parseTomlText(after);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        const { model_provider, model_providers, ...rest } = parsed.value;
        expect(rest).toEqual(before.value);
        expect(model_provider).toBe('keytray');
        expect(model_providers).toEqual({ keytray: { name: 'KeyTray', auth: { command: '/x/helper' } } });
        const removed = editTomlText(
          after,
          changes.map((c) => ({ ...c, value: undefined })),
        );
        expect(parseTomlText(removed)).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });
});
