/**
 * "Test key" against local fake upstreams: accepted, refused (with the
 * upstream's words, the key scrubbed out), unreachable; SigV4 for AWS.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { testKey } from '../../electron/core/vault/key-test';
import { runCli } from '../support/cli';
import { fakeAnthropicKey, makeTestEnv } from '../support/test-env';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function upstream(answer: (req: IncomingMessage) => [number, object]): Promise<string> {
  const server = createServer((req, res) => {
    const [status, body] = answer(req);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('test key', () => {
  it("reports an accepted key, and a refused one in the upstream's words without the key", async () => {
    const t = makeTestEnv();
    const vault = t.vault();
    const good = fakeAnthropicKey();
    const bad = fakeAnthropicKey();
    const url = await upstream((req) =>
      req.headers['x-api-key'] === good && req.url === '/v1/models?limit=1' && req.headers['anthropic-version']
        ? [200, { data: [] }]
        : [
            401,
            { type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key ${req.headers['x-api-key']}` } },
          ],
    );
    await vault.add('anthropic', 'good', good);
    await vault.add('anthropic', 'bad', bad);
    await vault.configureProvider('anthropic', { baseUrl: url });
    expect(await testKey(vault, 'anthropic', 'good')).toMatchObject({
      ok: true,
      status: 200,
      message: 'Anthropic accepted the key.',
    });
    const refused = await testKey(vault, 'anthropic', 'bad');
    expect(refused).toMatchObject({ ok: false, status: 401, message: `invalid x-api-key sk-ant-…${bad.slice(-4)}` });
    expect(JSON.stringify(refused)).not.toContain(bad);

    const cli = await runCli(['keys', 'test', 'anthropic', 'bad', '--json'], { env: t.env });
    // Its own exit status: a refused key is an answer, not a bug (1).
    expect(cli.code).toBe(8);
    expect(cli.stdout).not.toContain(bad);
  });

  it('never follows a redirect with the key attached', async () => {
    const t = makeTestEnv();
    const vault = t.vault();
    const key = fakeAnthropicKey();
    const elsewhere: IncomingMessage[] = [];
    const target = await upstream((req) => {
      elsewhere.push(req);
      return [200, { data: [] }];
    });
    const redirecting = createServer((_req, res) => res.writeHead(302, { location: `${target}/v1/models` }).end());
    servers.push(redirecting);
    await new Promise<void>((r) => redirecting.listen(0, '127.0.0.1', r));
    await vault.add('anthropic', 'work', key);
    await vault.configureProvider('anthropic', { baseUrl: `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}` });
    const result = await testKey(vault, 'anthropic', 'work');
    expect(result).toMatchObject({ ok: false, status: 302 });
    expect(result.message).toContain(
      `answered with a redirect to ${target}; KeyTray does not follow a redirect with a key attached.`,
    );
    expect(elsewhere).toEqual([]);
  });

  it('says when the upstream cannot be reached', async () => {
    const t = makeTestEnv();
    const vault = t.vault();
    await vault.add('openai', 'x', 'sk-proj-abcdefghijklmnopqrstuvwxyz0123');
    const closed = await upstream(() => [200, {}]);
    servers.pop()?.close();
    await vault.configureProvider('openai', { baseUrl: closed });
    expect(await testKey(vault, 'openai', 'x')).toMatchObject({
      ok: false,
      status: null,
      message: `${new URL(closed).host} could not be reached (ECONNREFUSED).`,
    });
  });

  it('signs the test request for AWS keys', async () => {
    const t = makeTestEnv();
    const vault = t.vault();
    let seen: IncomingMessage | undefined;
    const url = await upstream((req) => {
      seen = req;
      return [200, {}];
    });
    await vault.configureProvider('anthropic-aws', { region: 'us-east-1', workspaceId: 'wrkspc_t', baseUrl: url });
    await vault.add('anthropic-aws', 'keys', 'AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', {
      auth: 'sigv4-keys',
    });
    expect((await testKey(vault, 'anthropic-aws', 'keys')).ok).toBe(true);
    expect(String(seen?.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/aws-external-anthropic\//,
    );
    expect(seen?.headers['anthropic-workspace-id']).toBe('wrkspc_t');
  });
});
