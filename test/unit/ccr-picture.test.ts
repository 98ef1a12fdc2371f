/**
 * claude-code-router's rules as data in, picture out, and the list-element
 * edits its config.json needs. The conformance suite holds the main cases to
 * the real ccr; these pin the corners.
 */
import { describe, expect, it } from 'vitest';
import {
  CCR_KEY_PLACEHOLDER,
  type CcrInputs,
  computeCcrPicture,
  expandReferences,
  logsHeaders,
} from '../../shared/agents/claude-code-router/picture';
import { editWithElements, elementSegment, parseLenientJsonText } from '../../shared/formats/json-elements';

const inputs = (over: Partial<CcrInputs>): CcrInputs => ({
  cwd: '/home/me',
  configPath: '/home/me/.claude-code-router/config.json',
  providers: [],
  keytrayTransformer: false,
  topLevelSecrets: [],
  configReadableByOthers: false,
  env: {},
  envOrigin: 'env:process',
  logsDir: '/home/me/.claude-code-router/logs',
  logsWithCredential: [],
  tmpSettingsFiles: [],
  localToken: 'ktccr_local',
  logLevel: 'info',
  ...over,
});
/** `${NAME}`, as ccr's config writes a reference. */
const ref = (name: string) => `\${${name}}`;
const codes = (i: CcrInputs) => computeCcrPicture(i).warnings.map((w) => w.code);

describe('the claude-code-router picture', () => {
  it("a plaintext api_key wins and is named, masked; KeyTray's placeholder never counts as a key", () => {
    const key = 'sk-proj-aaaaaaaaaaaaaaaaaaaaaaaaaaaa1234';
    const picture = computeCcrPicture(
      inputs({
        routerDefault: 'mine,m',
        providers: [{ name: 'mine', baseUrl: 'https://x/v1/chat/completions', apiKey: key, uses: [] }],
      }),
    );
    expect(picture).toMatchObject({ provider: 'mine', destination: 'https://x/v1/chat/completions', winner: 'api_key' });
    expect(picture.warnings.map((w) => w.code)).toEqual(['plaintext-key-in-settings']);
    expect(JSON.stringify(picture)).not.toContain('aaaaaaaaaaaa');
    const placeholder = computeCcrPicture(
      inputs({ routerDefault: 'k,m', providers: [{ name: 'k', apiKey: CCR_KEY_PLACEHOLDER, uses: [] }] }),
    );
    expect(placeholder.warnings.map((w) => w.code)).toEqual(['no-credential']);
  });

  it('a $VAR api_key is resolved from the environment, masked; unset, ccr sends the text as written', () => {
    const set = computeCcrPicture(
      inputs({
        routerDefault: 'mine,m',
        providers: [{ name: 'mine', apiKey: ref('MINE_KEY'), uses: [] }],
        env: { MINE_KEY: 'sk-proj-bbbbbbbbbbbbbbbbbbbbbbbbbbbb5678' },
      }),
    );
    expect(set.headers.authorization).toMatchObject({ source: `api_key ${ref('MINE_KEY')}`, masked: 'sk-proj-…5678' });
    expect(set.warnings.find((w) => w.code === 'env-reference-key')?.message).toContain('MINE_KEY = sk-proj-…5678');
    const unset = computeCcrPicture(
      inputs({ routerDefault: 'mine,m', providers: [{ name: 'mine', apiKey: '$MINE_KEY', uses: [] }] }),
    );
    expect(unset.headers.authorization?.masked).toBeNull();
    expect(unset.warnings.find((w) => w.code === 'env-reference-key')?.message).toContain('MINE_KEY is unset');
    expect(expandReferences(`a-$A-${ref('B')}`, { A: '1' })).toEqual({
      value: `a-1-${ref('B')}`,
      names: ['A', 'B'],
      unset: ['B'],
    });
  });

  it('the debug log leaks unless LOG is false or LOG_LEVEL is above debug', () => {
    expect(logsHeaders(undefined, undefined)).toBe(true);
    expect(logsHeaders(true, 'debug')).toBe(true);
    expect(logsHeaders(true, 'trace')).toBe(true);
    expect(logsHeaders(false, undefined)).toBe(false);
    expect(logsHeaders(undefined, 'info')).toBe(false);
    expect(codes(inputs({ logLevel: undefined }))).toContain('ccr-debug-log');
  });

  it('no APIKEY, a config others can read, logs holding a key, /tmp settings files, a route to nowhere', () => {
    expect(codes(inputs({ localToken: undefined }))).toContain('ccr-no-apikey');
    expect(codes(inputs({ configReadableByOthers: true }))).toContain('ccr-config-readable');
    expect(codes(inputs({ logsWithCredential: ['/l/ccr-1.log'] }))).toContain('ccr-logs-hold-key');
    expect(codes(inputs({ tmpSettingsFiles: ['/tmp/claude-code-router/ccr-settings-ab.json'] }))).toContain('ccr-tmp-settings');
    expect(codes(inputs({ routerDefault: 'gone,m' }))).toEqual(['provider-misconfigured']);
    expect(codes(inputs({ topLevelSecrets: [{ name: 'OPENAI_API_KEY', value: 'sk-cccccccccccccccccccc' }] }))).toContain(
      'plaintext-key-in-settings',
    );
  });

  it("KeyTray's transformer shadows the provider's own api_key; a failing helper is said", () => {
    const provider = { name: 'keytray', apiKey: 'sk-proj-dddddddddddddddddddddddd9999', uses: ['keytray'] };
    const picture = computeCcrPicture(
      inputs({
        routerDefault: 'keytray,m',
        providers: [provider],
        keytrayTransformer: true,
        helper: { masked: 'sk-proj-…0000', keytray: { provider: 'openai', label: 'work' } },
      }),
    );
    expect(picture.winner).toBe('keytray transformer');
    expect(picture.tiers.map((t) => [t.source, t.state])).toEqual([
      ['keytray transformer', 'wins'],
      ['api_key', 'shadowed'],
    ]);
    const failing = computeCcrPicture(
      inputs({
        routerDefault: 'keytray,m',
        providers: [{ ...provider, apiKey: CCR_KEY_PLACEHOLDER }],
        keytrayTransformer: true,
        helper: { masked: null, keytray: { provider: 'openai', label: 'work' }, problem: 'the keychain has no secret' },
      }),
    );
    expect(failing.warnings.map((w) => w.code)).toEqual(['helper-will-fail']);
  });
});

describe('list elements in config.json', () => {
  const named = elementSegment('name', 'keytray');
  it('appends to a list written on many lines, replaces in place, and removes exactly the element', () => {
    const text = '{\n  "Providers": [\n    { "name": "a" },\n    { "name": "b" }\n  ]\n}\n';
    const added = editWithElements(text, [{ path: ['Providers', named], value: { name: 'keytray', n: 1 } }]);
    expect(added).toBe(
      '{\n  "Providers": [\n    { "name": "a" },\n    { "name": "b" },\n    {\n      "name": "keytray",\n      "n": 1\n    }\n  ]\n}\n',
    );
    const replaced = editWithElements(added, [{ path: ['Providers', named], value: { name: 'keytray', n: 2 } }]);
    expect(replaced).toContain('"n": 2');
    expect(editWithElements(replaced, [{ path: ['Providers', named], value: undefined }])).toBe(text);
  });

  it('first, only and inline elements; a missing list is created', () => {
    const first = '{ "P": [{ "name": "keytray" }, { "name": "b" }] }';
    expect(editWithElements(first, [{ path: ['P', named], value: undefined }])).toBe('{ "P": [{ "name": "b" }] }');
    expect(editWithElements('{ "P": [{ "name": "keytray" }] }', [{ path: ['P', named], value: undefined }])).toBe('{ "P": [] }');
    expect(editWithElements('{ "P": [{ "name": "a" }] }', [{ path: ['P', named], value: { name: 'keytray' } }])).toBe(
      '{ "P": [{ "name": "a" }, {"name":"keytray"}] }',
    );
    expect(editWithElements('{\n  "x": 1\n}\n', [{ path: ['P', named], value: { name: 'keytray' } }])).toBe(
      '{\n  "x": 1,\n  "P": [\n    {\n      "name": "keytray"\n    }\n  ]\n}\n',
    );
    expect(editWithElements('{ "x": 1 }', [{ path: ['P', named], value: undefined }])).toBe('{ "x": 1 }');
  });

  it('reads comments and trailing commas as JSON5 does, and names the place of an error without quoting', () => {
    expect(parseLenientJsonText('{ // c\n "a": [1,], }').ok).toBe(true);
    const bad = parseLenientJsonText('{\n  "APIKEY": "sk-secret-value",\n  "x": [ }\n');
    expect(bad).toMatchObject({ ok: false, line: 3 });
    expect(JSON.stringify(bad)).not.toContain('sk-secret');
  });
});
