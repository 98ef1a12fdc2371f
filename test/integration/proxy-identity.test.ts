/**
 * The proxy's identity: nothing hands a proxy token to a listener on the
 * proxy's port before it proves it is KeyTray's own (an HMAC of a fresh
 * challenge under the install's token). A program squatting the port while
 * the proxy is down gets a challenge and nothing else; `status` names it.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { startCliProxy } from '../support/cli-proxy';
import { freePort } from '../support/ports';
import { fakeAnthropicKey, fakeGeminiKey, makeTestEnv } from '../support/test-env';

/** A listener that records every byte it is sent and answers like a plausible HTTP server. */
async function squat(port: number, answer: string) {
  const received: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (d: Buffer) => {
      received.push(d);
      socket.end(answer);
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    received: () => Buffer.concat(received).toString('latin1'),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe("the proxy's identity", () => {
  it('the helper hands a proxy token only to KeyTray’s own proxy, and status names a squatter', async () => {
    const t = makeTestEnv();
    const env = t.env;
    await runCli(['keys', 'add', 'anthropic', '--label', 'work'], { env, input: fakeAnthropicKey() });
    const port = await freePort();
    expect((await runCli(['proxy', 'port', String(port)], { env })).code).toBe(0);
    const configured = await runCli(['configure', 'claude-code', '--mode', 'proxy'], { env });
    expect(configured.code, configured.stderr).toBe(0);
    const token = await t.vault().proxyToken();

    // Nothing listens: no token, and a sentence saying so.
    const down = await runCli(['key', '--proxy-token'], { env });
    expect(down).toMatchObject({ code: 3, stdout: '' });
    expect(down.stderr).toBe(
      `keytray key: KeyTray's proxy is not running on 127.0.0.1:${port}. Start the KeyTray app, or run \`keytray proxy\`.\n`,
    );

    // A squatter, even one that answers 200 with a made-up proof, gets a challenge and no token.
    for (const answer of [
      'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 76\r\n\r\n{"proof":"0000000000000000000000000000000000000000000000000000000000000000"}',
      'HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n',
      '',
    ]) {
      const squatter = await squat(port, answer);
      try {
        const refused = await runCli(['key', '--proxy-token'], { env });
        expect(refused).toMatchObject({ code: 5, stdout: '' });
        expect(refused.stderr).toContain(`Something that is not KeyTray's proxy is listening on 127.0.0.1:${port}`);
        const status = JSON.parse((await runCli(['status', '--agent', 'claude-code', '--json'], { env })).stdout);
        expect(status.warnings.map((w: { code: string }) => w.code)).toContain('proxy-impostor');
        expect(squatter.received()).toMatch(/^GET \/\.keytray\/identity\?c=[0-9a-f]{64} HTTP\/1\.1\r\n/);
        expect(squatter.received()).not.toContain(token);
        expect(squatter.received()).not.toContain(token.slice(4, 20));
      } finally {
        await squatter.close();
      }
    }

    // KeyTray's proxy (moved to a port of its own, configuration along) proves itself: the token is printed.
    const proxy = await startCliProxy(env);
    try {
      expect(await runCli(['key', '--proxy-token'], { env })).toEqual({ code: 0, stdout: token, stderr: '' });
      const status = JSON.parse((await runCli(['status', '--agent', 'claude-code', '--json'], { env })).stdout);
      expect(status.warnings.map((w: { code: string }) => w.code)).not.toContain('proxy-impostor');
      expect(status.warnings.map((w: { code: string }) => w.code)).not.toContain('proxy-not-running');
    } finally {
      proxy.stop();
    }
  });
});

describe('keytray proxy rotate-token', () => {
  it('replaces the install token: old tokens and route tokens are refused at once, files holding one are rewritten', async () => {
    const t = makeTestEnv();
    const env = t.env;
    const upstream = createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
    await runCli(['keys', 'add', 'anthropic', '--label', 'work'], { env, input: fakeAnthropicKey() });
    await runCli(['keys', 'add', 'gemini', '--label', 'g'], { env, input: fakeGeminiKey() });
    for (const provider of ['anthropic', 'gemini']) await runCli(['provider', 'set', provider, '--base-url', base], { env });
    const proxy = await startCliProxy(env);
    try {
      expect((await runCli(['configure', 'gemini-cli'], { env })).code).toBe(0);
      const dotenv = join(t.root, '.gemini', '.env');
      const routeToken = () => /GEMINI_API_KEY=(\S+)/.exec(readFileSync(dotenv, 'utf8'))?.[1] as string;
      const oldInstall = (await runCli(['key', '--proxy-token'], { env })).stdout;
      const oldRoute = routeToken();
      const ask = (path: string, header: string, token: string) =>
        fetch(`http://127.0.0.1:${proxy.port}${path}`, { headers: { [header]: token } }).then((r) => r.status);
      expect(await ask('/anthropic/v1/models', 'x-api-key', oldInstall)).toBe(200);
      expect(await ask('/gemini/v1beta/models', 'x-goog-api-key', oldRoute)).toBe(200);

      const rotated = await runCli(['proxy', 'rotate-token', '--json'], { env });
      expect(rotated.code, rotated.stderr).toBe(0);
      expect(JSON.parse(rotated.stdout)).toMatchObject({
        rotated: true,
        proxy: 'keytray',
        files: [{ agent: 'gemini-cli', path: dotenv }],
      });
      expect(rotated.stdout).not.toContain(oldRoute);

      expect(await ask('/anthropic/v1/models', 'x-api-key', oldInstall)).toBe(401);
      expect(await ask('/gemini/v1beta/models', 'x-goog-api-key', oldRoute)).toBe(401);
      const newInstall = (await runCli(['key', '--proxy-token'], { env })).stdout;
      expect(newInstall).toMatch(/^ktp_/);
      expect(newInstall).not.toBe(oldInstall);
      expect(routeToken()).not.toBe(oldRoute);
      expect(await ask('/anthropic/v1/models', 'x-api-key', newInstall)).toBe(200);
      expect(await ask('/gemini/v1beta/models', 'x-goog-api-key', routeToken())).toBe(200);
    } finally {
      proxy.stop();
      upstream.close();
    }
  });
});
