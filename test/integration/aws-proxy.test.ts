/**
 * AWS mode through the proxy: stored API keys injected, stored access keys
 * turned into SigV4 signatures that botocore (Debian's python3-botocore, an
 * implementation independent of the AWS SDK signer KeyTray uses) verifies.
 */
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningProxy, startProxy } from '../../electron/core/proxy/proxy';
import { makeTestEnv } from '../support/test-env';

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** Every header line as sent, repeats included. */
  raw: string[];
  body: Buffer;
}

const closers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c.close();
});

async function upstream(): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        raw: req.rawHeaders,
        body: Buffer.concat(chunks),
      });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: message_start\ndata: {}\n\n');
      res.end('event: message_stop\ndata: {}\n\n');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push({ close: () => new Promise((r) => server.close(() => r())) });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function post(port: number, path: string, token: string, body: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((done, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => done(text));
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

function botocoreVerdict(
  seen: Seen,
  creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  region: string,
  service: string,
  mustSign: string[],
): Promise<string> {
  return new Promise((done, fail) => {
    const child = execFile('/usr/bin/python3', [resolve('test/support/verify_sigv4.py')], (error, stdout, stderr) => {
      if (error && !stdout) fail(new Error(stderr));
      else done(stdout.trim());
    });
    child.stdin?.end(
      JSON.stringify({
        method: seen.method,
        path: seen.path,
        headers: seen.headers,
        body: seen.body.toString('base64'),
        region,
        service,
        mustSign,
        ...creds,
      }),
    );
  });
}

async function setup(provider: 'anthropic-aws' | 'bedrock', secret: string, auth: 'api-key' | 'sigv4-keys') {
  const t = makeTestEnv();
  const vault = t.vault();
  const up = await upstream();
  await vault.configureProvider(provider, {
    region: 'eu-west-1',
    baseUrl: up.url,
    ...(provider === 'anthropic-aws' ? { workspaceId: 'wrkspc_01TEST' } : {}),
  });
  await vault.add(provider, 'aws', secret, { auth });
  const proxy: RunningProxy = await startProxy({ vault, port: 0 });
  closers.push(proxy);
  return { up, proxy, token: await vault.proxyToken() };
}

const KEYS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const BODY = JSON.stringify({
  model: 'claude-sonnet-4-5',
  max_tokens: 64,
  stream: true,
  messages: [{ role: 'user', content: 'hi' }],
});

describe('Claude Platform on AWS through the proxy', () => {
  it('signs a streaming request with SigV4 for aws-external-anthropic, workspace included, and botocore agrees', async () => {
    const { up, proxy, token } = await setup('anthropic-aws', `${KEYS.accessKeyId}:${KEYS.secretAccessKey}`, 'sigv4-keys');
    const reply = await post(proxy.port, '/anthropic-aws/v1/messages?beta=true', token, BODY, {
      'anthropic-version': '2023-06-01',
    });
    expect(reply).toContain('message_stop');
    const seen = up.seen[0] as Seen;
    expect(seen.path).toBe('/v1/messages?beta=true');
    expect(seen.headers['anthropic-workspace-id']).toBe('wrkspc_01TEST');
    expect(seen.headers['x-api-key']).toBeUndefined();
    expect(seen.body.toString()).toBe(BODY);
    expect(String(seen.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/aws-external-anthropic\/aws4_request/,
    );
    expect(String(seen.headers.authorization)).not.toContain(token);
    expect(
      await botocoreVerdict(seen, KEYS, 'eu-west-1', 'aws-external-anthropic', ['host', 'anthropic-workspace-id', 'x-amz-date']),
    ).toBe('ok');
  });

  it('sends host once, and none of the client’s own x-amz-* headers, on a signed route', async () => {
    const { up, proxy, token } = await setup('anthropic-aws', `${KEYS.accessKeyId}:${KEYS.secretAccessKey}`, 'sigv4-keys');
    await post(proxy.port, '/anthropic-aws/v1/messages', token, BODY, {
      'anthropic-version': '2023-06-01',
      'x-amz-security-token': 'forged-session',
      'x-amz-target': 'SomethingElse',
      'x-amz-date': '19700101T000000Z',
    });
    const seen = up.seen[0] as Seen;
    const names = seen.raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(names.filter((n) => n === 'host')).toHaveLength(1);
    expect(names.filter((n) => n === 'x-amz-date')).toHaveLength(1);
    expect(seen.headers['x-amz-security-token']).toBeUndefined();
    expect(seen.headers['x-amz-target']).toBeUndefined();
    expect(seen.headers['x-amz-date']).not.toBe('19700101T000000Z');
    expect(await botocoreVerdict(seen, KEYS, 'eu-west-1', 'aws-external-anthropic', ['host', 'x-amz-date'])).toBe('ok');
  });

  it('includes the session token of temporary credentials', async () => {
    const temp = {
      accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
      secretAccessKey: KEYS.secretAccessKey,
      sessionToken: 'FwoGZXIvYXdzEJr//////////wEaDHeSessionTokenForTests',
    };
    const { up, proxy, token } = await setup(
      'anthropic-aws',
      `${temp.accessKeyId}:${temp.secretAccessKey}:${temp.sessionToken}`,
      'sigv4-keys',
    );
    await post(proxy.port, '/anthropic-aws/v1/messages', token, BODY);
    const seen = up.seen[0] as Seen;
    expect(seen.headers['x-amz-security-token']).toBe(temp.sessionToken);
    expect(await botocoreVerdict(seen, temp, 'eu-west-1', 'aws-external-anthropic', ['x-amz-security-token'])).toBe('ok');
  });

  it('injects a stored AWS API key as x-api-key', async () => {
    const apiKey = 'aws-external-anthropic-api-key-0123456789abcdef';
    const { up, proxy, token } = await setup('anthropic-aws', apiKey, 'api-key');
    await post(proxy.port, '/anthropic-aws/v1/messages', token, BODY);
    expect(up.seen[0]?.headers['x-api-key']).toBe(apiKey);
    expect(up.seen[0]?.headers.authorization).toBeUndefined();
    expect(up.seen[0]?.headers['anthropic-workspace-id']).toBe('wrkspc_01TEST');
  });
});

describe('Bedrock through the proxy', () => {
  it('signs for the bedrock service, model IDs with colons included, and botocore agrees', async () => {
    const { up, proxy, token } = await setup('bedrock', `${KEYS.accessKeyId}:${KEYS.secretAccessKey}`, 'sigv4-keys');
    await post(
      proxy.port,
      '/bedrock/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke-with-response-stream',
      token,
      BODY,
    );
    const seen = up.seen[0] as Seen;
    expect(seen.path).toBe('/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke-with-response-stream');
    expect(await botocoreVerdict(seen, KEYS, 'eu-west-1', 'bedrock', ['host', 'x-amz-date'])).toBe('ok');
  });

  it('sends a stored Bedrock API key as a bearer token', async () => {
    const apiKey = `ABSK${'Q'.repeat(60)}`;
    const { up, proxy, token } = await setup('bedrock', apiKey, 'api-key');
    await post(proxy.port, '/bedrock/model/x/invoke', token, BODY);
    expect(up.seen[0]?.headers.authorization).toBe(`Bearer ${apiKey}`);
  });

  it('a wrong secret fails botocore: the check can fail', async () => {
    const { up, proxy, token } = await setup('bedrock', `${KEYS.accessKeyId}:${KEYS.secretAccessKey}`, 'sigv4-keys');
    await post(proxy.port, '/bedrock/model/x/invoke', token, BODY);
    const verdict = await botocoreVerdict(
      up.seen[0] as Seen,
      { ...KEYS, secretAccessKey: 'another/secret/key/entirely/000000000000' },
      'eu-west-1',
      'bedrock',
      [],
    );
    expect(verdict).toBe('signature does not verify');
  });
});
