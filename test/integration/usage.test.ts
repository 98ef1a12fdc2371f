/**
 * Usage accounting end to end: the real Claude Code (`claude -p`), Codex
 * (`codex exec`) and Gemini CLI (`gemini -p`) in proxy mode, and scripted
 * streamed and non-streamed requests, through `keytray proxy` to one fake
 * upstream that reports a fresh random usage in every answer. After a clean
 * stop, `keytray usage --json` must equal, to the token, what the upstream
 * reported: by key, by agent, by model and by day; costs from the shipped
 * table and from the user's prices file; no key in the usage file.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costOf, PRICES, priceFor } from '../../shared/prices';
import type { UsageRow, UsageSummary } from '../../shared/usage';
import { agentEnv, filesUnder, keytrayIn } from '../support/agent-world';
import { claudeBinary } from '../support/claude';
import { runCli } from '../support/cli';
import { startCliProxy } from '../support/cli-proxy';
import { CODEX_MODEL } from '../support/fake-upstream';
import { type FakeUsageUpstream, type Reported, startFakeUsageUpstream } from '../support/fake-usage-upstream';
import { fakeAnthropicKey, fakeGeminiKey, fakeOpenAIKey, makeTestEnv } from '../support/test-env';

const require = createRequire(import.meta.url);
const codexBin = () => join(dirname(require.resolve('@openai/codex/package.json')), 'bin', 'codex.js');
function geminiBin(): string {
  const pkg = dirname(require.resolve('@google/gemini-cli/package.json'));
  const { bin } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { bin: string | Record<string, string> };
  return join(pkg, typeof bin === 'string' ? bin : (bin.gemini ?? ''));
}

let upstream: FakeUsageUpstream;
beforeAll(async () => {
  upstream = await startFakeUsageUpstream();
});
afterAll(async () => {
  await upstream.close();
});

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(command, args, { env, cwd, timeout: 90_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

/** What the upstream reported, summed as `keytray usage` sums it. */
function sums(reported: Reported[]) {
  const row = { requests: reported.length, failed: 0, unreported: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  for (const r of reported) {
    if (r.status >= 400) row.failed++;
    else if (!r.tokens) row.unreported++;
    else {
      row.input += r.tokens.input;
      row.output += r.tokens.output;
      row.cacheRead += r.tokens.cacheRead;
      row.cacheWrite += r.tokens.cacheWrite;
    }
  }
  return row;
}

function counts(row: UsageRow | undefined) {
  if (!row) return undefined;
  const { requests, failed, unreported, input, output, cacheRead, cacheWrite } = row;
  return { requests, failed, unreported, input, output, cacheRead, cacheWrite };
}

describe('keytray usage against what the upstream reported', () => {
  it('matches to the token, by key, agent, model and day, for real agents and scripted requests', async () => {
    const t = makeTestEnv();
    const codexHome = join(t.root, '.codex');
    const geminiDir = join(t.root, '.gemini');
    const project = join(t.root, 'project');
    for (const dir of [codexHome, geminiDir, project]) mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(codexHome, 'config.toml'),
      `model = "${CODEX_MODEL}"\n\n[analytics]\nenabled = false\n\n[features]\nplugins = false\nshell_snapshot = false\n`,
    );
    writeFileSync(
      join(geminiDir, 'settings.json'),
      '{ "privacy": { "usageStatisticsEnabled": false }, "telemetry": { "enabled": false }, "general": { "enableAutoUpdate": false, "enableAutoUpdateNotification": false } }\n',
    );
    const env = agentEnv(t, {
      CODEX_HOME: codexHome,
      GEMINI_CLI_TRUST_WORKSPACE: 'true',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_CODE_MAX_RETRIES: '0',
    });
    const cli = keytrayIn(env);
    const keys = { anthropic: fakeAnthropicKey(), openai: fakeOpenAIKey(), gemini: fakeGeminiKey() };
    for (const [provider, key] of Object.entries(keys)) {
      await cli(['keys', 'add', provider, '--label', 'work'], key);
      await cli(['provider', 'set', provider, '--base-url', upstream.url]);
    }
    const proxy = await startCliProxy(env);
    const runs: Record<string, Reported[]> = {};
    let exitCode: number | null = null;
    try {
      await cli(['configure', 'claude-code', '--mode', 'proxy']);
      await cli(['configure', 'codex', '--mode', 'proxy']);
      await cli(['configure', 'gemini-cli']);

      const agents: [string, () => Promise<{ code: number; stdout: string; stderr: string }>][] = [
        ['claude-code', () => run(claudeBinary(), ['-p', 'hi'], env, t.root)],
        [
          'codex',
          () => run(process.execPath, [codexBin(), 'exec', '--skip-git-repo-check', '--ephemeral', 'say hi'], env, t.root),
        ],
        ['gemini-cli', () => run(process.execPath, [geminiBin(), '-p', 'say hi', '-m', 'gemini-test'], env, project)],
      ];
      for (const [agent, start] of agents) {
        const before = upstream.reported.length;
        const reply = await start();
        expect(reply.code, `${agent}: ${reply.stderr}`).toBe(0);
        expect(reply.stdout).toContain('pong');
        runs[agent] = upstream.reported.slice(before);
        expect(runs[agent]?.length, agent).toBeGreaterThan(0);
      }

      // Scripted requests, as any other client would send them, with the install's token.
      const token = (await cli(['key', '--proxy-token'])).stdout;
      const before = upstream.reported.length;
      const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
        const res = await fetch(`http://127.0.0.1:${proxy.port}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
          body: JSON.stringify(body),
        });
        expect(res.status, path).toBe(200);
        return res.text();
      };
      const hi = [{ role: 'user', content: 'hi' }];
      expect(await post('/anthropic/v1/messages', { model: 'claude-sonnet-5', max_tokens: 10, messages: hi })).toContain('pong');
      expect(
        await post(
          '/anthropic/v1/messages',
          { model: 'claude-sonnet-5-20260101', stream: true, max_tokens: 10, messages: hi },
          { 'accept-encoding': 'gzip, br' },
        ),
      ).toContain('message_stop');
      expect(await post('/openai/v1/chat/completions', { model: 'gpt-5.4-mini', messages: hi })).toContain('pong');
      const include = { model: 'gpt-5.4-nano', stream: true, stream_options: { include_usage: true }, messages: hi };
      expect(await post('/openai/v1/chat/completions', include, { 'accept-encoding': 'gzip' })).toContain('[DONE]');
      // A stream that did not ask for usage: answered, counted as a request, its tokens unknown.
      expect(await post('/openai/v1/chat/completions', { model: 'gpt-5.4-nano', stream: true, messages: hi })).toContain(
        '[DONE]',
      );
      expect(await post('/gemini/v1beta/models/gemini-3-flash-preview:generateContent', { contents: [] })).toContain('pong');
      runs.unknown = upstream.reported.slice(before);
    } finally {
      exitCode = await proxy.stop();
    }
    // A clean stop wrote every record.
    expect(exitCode).toBe(0);

    const all = Object.values(runs).flat();
    // Every model request went out uncompressed, whatever the client asked: the proxy reads the answers.
    for (const r of all) expect(r.acceptEncoding, r.path).toBe('identity');
    // The keys reached the upstream (the proxy injected them); none of them is in KeyTray's usage file.
    const usageFile = join(t.configHome, 'keytray', 'usage.jsonl');
    expect(statSync(usageFile).mode & 0o777).toBe(0o600);
    const text = readFileSync(usageFile, 'utf8');
    for (const [provider, key] of Object.entries(keys)) {
      expect(
        all.some((r) => r.credential === key),
        provider,
      ).toBe(true);
      expect(text).not.toContain(key);
    }
    for (const file of filesUnder(join(t.configHome, 'keytray')))
      for (const key of Object.values(keys)) expect(file.text.includes(key), file.path).toBe(false);

    const usage = async (...args: string[]): Promise<UsageSummary> =>
      JSON.parse((await cli(['usage', '--json', ...args])).stdout) as UsageSummary;

    // By key: each provider's one key.
    const byKey = await usage('--by', 'key');
    const provider = (r: Reported) =>
      r.credential === keys.anthropic ? 'anthropic' : r.credential === keys.openai ? 'openai' : 'gemini';
    for (const p of ['anthropic', 'openai', 'gemini'])
      expect(counts(byKey.rows.find((row) => row.group === `${p}/work`)), p).toEqual(sums(all.filter((r) => provider(r) === p)));
    expect(byKey.rows).toHaveLength(3);
    expect(counts(byKey.total)).toEqual(sums(all));
    expect(byKey.total.unreported).toBe(1);

    // By agent: each real CLI named by what it sent; the scripted requests by no agent.
    const byAgent = await usage('--by', 'agent');
    for (const [agent, reported] of Object.entries(runs))
      expect(counts(byAgent.rows.find((row) => row.group === agent)), `${agent}: ${reported[0]?.userAgent}`).toEqual(
        sums(reported),
      );
    expect(byAgent.rows).toHaveLength(4);

    // By model, and by day (all of them today).
    const byModel = await usage('--by', 'model');
    for (const model of new Set(all.map((r) => r.model)))
      expect(counts(byModel.rows.find((row) => row.group === model)), model).toEqual(sums(all.filter((r) => r.model === model)));
    const byDay = await usage('--by', 'day', '--since', '24h');
    expect(byDay.rows.map((row) => counts(row))).toEqual([sums(all)]);
    expect((await usage('--since', '2099-01-01')).rows).toEqual([]);

    // Costs: the shipped table prices claude-sonnet-5 (and its dated snapshot); unknown models are unknown, not 0.
    const sonnetPrice = priceFor(PRICES, 'anthropic', 'claude-sonnet-5');
    if (!sonnetPrice) throw new Error('the shipped table has no claude-sonnet-5');
    for (const model of ['claude-sonnet-5', 'claude-sonnet-5-20260101']) {
      const tokens = all.find((r) => r.model === model)?.tokens;
      if (!tokens) throw new Error(`no ${model} request`);
      expect(byModel.rows.find((row) => row.group === model)?.costUsd, model).toBeCloseTo(costOf(sonnetPrice, tokens), 5);
    }
    expect(byModel.rows.find((row) => row.group === 'gemini-test')?.costUsd).toBeNull();
    expect(byModel.total.costUsd).toBeNull();
    expect(byModel.total.unpricedModels).toContain('gemini/gemini-test');

    // The user's prices file: every model priced, so every cost is known and exact.
    const mine = { input: 1.5, output: 7, cacheRead: 0.15, cacheWrite: 2 };
    const models: Record<string, Record<string, typeof mine>> = {};
    for (const r of all) {
      models[provider(r)] ??= {};
      (models[provider(r)] as Record<string, typeof mine>)[r.model] = mine;
    }
    writeFileSync(join(t.configHome, 'keytray', 'prices.json'), JSON.stringify({ providers: models }));
    const priced = await usage('--by', 'key');
    expect(priced.pricesOverridden).toBe(true);
    const expectedTotal = all.reduce((sum, r) => sum + (r.tokens && r.status < 400 ? costOf(mine, r.tokens) : 0), 0);
    expect(priced.total.costUsd).toBeCloseTo(expectedTotal, 5);
    expect(priced.total.unpricedModels).toEqual([]);

    // The table, in words, says where usage comes from.
    const table = (await cli(['usage'])).stdout;
    expect(table).toContain('anthropic/work');
    expect(table).toContain("Usage is recorded only for requests through KeyTray's proxy");

    // A prices file that does not fit is a clear error, and the usage file is untouched.
    writeFileSync(join(t.configHome, 'keytray', 'prices.json'), '{"providers":{"openai":{"gpt-5.4":{"input":-1}}}}');
    const refused = await runCli(['usage'], { env });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/prices file .*prices\.json does not fit at providers\.openai\.gpt-5\.4/);
    expect(readFileSync(usageFile, 'utf8')).toBe(text);
  }, 240_000);

  it('keytray proxy --no-usage reads no answer and records nothing', async () => {
    const t = makeTestEnv();
    const env = agentEnv(t);
    const cli = keytrayIn(env);
    await cli(['keys', 'add', 'anthropic', '--label', 'work'], fakeAnthropicKey());
    await cli(['provider', 'set', 'anthropic', '--base-url', upstream.url]);
    const proxy = await startCliProxy(env, ['--no-usage']);
    try {
      const token = (await cli(['key', '--proxy-token'])).stdout;
      const res = await fetch(`http://127.0.0.1:${proxy.port}/anthropic/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': token, 'content-type': 'application/json', 'accept-encoding': 'gzip' },
        body: JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 5, messages: [] }),
      });
      expect(res.status).toBe(200);
      await res.text();
      // Nothing read, so nothing changed: the client's accept-encoding goes through as it was.
      expect(upstream.reported.at(-1)?.acceptEncoding).toBe('gzip');
    } finally {
      expect(await proxy.stop()).toBe(0);
    }
    const summary = JSON.parse((await cli(['usage', '--json'])).stdout) as UsageSummary;
    expect(summary.rows).toEqual([]);
  });
});
