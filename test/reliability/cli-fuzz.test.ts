/**
 * The CLI with hostile arguments and stdin: every run ends with a documented
 * exit status and a sentence, never a stack trace, and nothing is stored.
 */
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { makeTestEnv } from '../support/test-env';

const RUNS = Number(process.env.FUZZ_CLI_RUNS ?? 80);

const word = fc.oneof(
  fc.constantFrom(
    'keys',
    'add',
    'use',
    'remove',
    'rename',
    'show',
    'list',
    'key',
    'provider',
    'set',
    'unset',
    'store',
    'doctor',
    'configure',
    'claude-code',
    'status',
    'exec',
    'proxy',
    'log',
  ),
  fc.constantFrom(
    'anthropic',
    'openai',
    'bedrock',
    'anthropic-aws',
    'nope',
    '__proto__',
    'constructor',
    '../../etc/passwd',
    'a/b',
    '',
  ),
  fc.constantFrom(
    '--label',
    '--json',
    '--reveal',
    '--replace',
    '--base-url',
    '--region',
    '--scope',
    '--cwd',
    '--mode',
    '--auth',
    '--profile',
    '--port',
    '--last',
    '--dry-run',
    '--undo',
    '-h',
    '--',
  ),
  fc.string({ maxLength: 30 }),
  fc.string({ minLength: 1000, maxLength: 5000 }),
);

const hostile = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('../../etc', 'a/b', '__proto__', '', ' ', 'x'.repeat(70), 'ok', 'work'),
);
const provider = fc.constantFrom('anthropic', 'openai', 'anthropic-aws', 'bedrock', 'nope');
/** Commands the right shape, with hostile values where the user types. */
const shaped = fc.oneof(
  fc.tuple(provider, hostile).map(([p, l]) => ['keys', 'add', p, '--label', l]),
  fc
    .tuple(provider, hostile, hostile)
    .map(([p, r, w]) => ['keys', 'add', p, '--label', 'k', '--region', r, '--workspace', w, '--auth', 'sigv4']),
  fc.tuple(provider, hostile).map(([p, l]) => ['keys', 'use', p, l]),
  fc.tuple(provider, hostile).map(([p, l]) => ['keys', 'show', p, l, '--json']),
  fc.tuple(provider, hostile).map(([p, u]) => ['provider', 'set', p, '--base-url', u]),
  fc.tuple(hostile, hostile).map(([scope, cwd]) => ['configure', 'claude-code', '--scope', scope, '--cwd', cwd, '--dry-run']),
  fc.tuple(hostile).map(([cwd]) => ['status', '--cwd', cwd, '--json']),
  fc.tuple(provider, hostile).map(([p, l]) => ['key', p, l]),
);

describe('the CLI under hostile input', () => {
  it(`answers every run with a documented status and no stack trace (${RUNS} runs)`, async () => {
    const t = makeTestEnv();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.array(word, { maxLength: 7 }), shaped), fc.string({ maxLength: 200 }), async (args, input) => {
        // exec would run whatever it is given, and proxy would listen: both are exercised elsewhere.
        fc.pre(!args.includes('exec') && !(args[0] === 'proxy' && args[1] !== 'log'));
        const result = await runCli(args, { env: t.env, input });
        statuses.set(result.code ?? -1, (statuses.get(result.code ?? -1) ?? 0) + 1);
        expect([0, 2, 3, 4, 5, 6, 7, 8]).toContain(result.code);
        expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
        expect(result.stderr).not.toMatch(/TypeError|ReferenceError|Cannot read propert/);
      }),
      { numRuns: RUNS },
    );
    console.log(`cli fuzz: ${RUNS} runs, exit statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(existsSync(t.fileStorePath)).toBe(false);
  }, 120_000);
});
