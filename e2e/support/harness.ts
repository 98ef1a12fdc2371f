/**
 * The renderer in a real browser, on the real core: the built renderer is
 * served on 127.0.0.1, and `window.keytray` is built by an init script whose
 * every call crosses `exposeBinding` into the same handler table Electron's
 * main registers, backed by a vault on the private keyring.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { createHandlers, type Handlers, invoke } from '../../electron/core/ipc-handlers';
import type { Vault } from '../../electron/core/vault';
import { API_CHANNELS, type ChannelName } from '../../shared/ipc';

const RENDERER = resolve('out/renderer');
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

export async function serveRenderer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(RENDERER, path === '/' ? 'index.html' : path);
    if (!file.startsWith(RENDERER)) return void res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((done) => server.close(() => done())) };
}

/** Every IPC payload that reached the page, for the no-secret assertions. */
export interface Bridge {
  payloads: string[];
  handlers: Handlers;
}

export async function connectBridge(page: Page, vault: Vault): Promise<Bridge> {
  const bridge: Bridge = { payloads: [], handlers: createHandlers(vault) };
  await page.exposeBinding('__keytrayInvoke', async (_source, channel: ChannelName, input: unknown) => {
    const result = await invoke(bridge.handlers, channel, input);
    bridge.payloads.push(JSON.stringify(result));
    return result;
  });
  await page.addInitScript((apiChannels: Record<string, string>) => {
    const call = (window as unknown as { __keytrayInvoke: (c: string, i: unknown) => Promise<unknown> }).__keytrayInvoke;
    const api = Object.fromEntries(
      Object.entries(apiChannels).map(([name, channel]) => [name, (input?: unknown) => call(channel, input)]),
    );
    Object.defineProperty(window, 'keytray', { value: Object.freeze(api) });
  }, API_CHANNELS);
  return bridge;
}
