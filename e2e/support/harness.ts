/**
 * The renderer in a real browser, on the real core: the built renderer is
 * served on 127.0.0.1, and `window.keytray` is built by an init script whose
 * every call crosses `exposeBinding` into the same handler table Electron's
 * main registers, backed by a vault on the private keyring.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { installCliWrapper } from '../../electron/core/agents/helper-script';
import { createAgents } from '../../electron/core/agents/registry';
import { SettingsWriter } from '../../electron/core/files/settings-writer';
import { createHandlers, type Handlers, invoke } from '../../electron/core/ipc-handlers';
import { ProxyController } from '../../electron/core/proxy/proxy-controller';
import { usageLogPath } from '../../electron/core/usage/usage-log';
import type { ChannelName } from '../../shared/ipc';
import { API_CHANNELS } from '../../shared/ipc-api';
import type { TestEnv } from '../../test/support/test-env';

const RENDERER = resolve('out/renderer');
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

/**
 * The built renderer, served for the spec file that calls this (at its top level): started before its
 * tests, closed after them. Those tests use the private keyring, so the file refuses to run outside it.
 */
export function servedRenderer(): { readonly url: string } {
  let server: Awaited<ReturnType<typeof serveRenderer>> | undefined;
  test.beforeAll(async () => {
    if (process.env.KEYTRAY_PRIVATE_KEYRING !== '1')
      throw new Error('Run with `npm run test:e2e`: it needs the private keyring.');
    server = await serveRenderer();
  });
  test.afterAll(async () => {
    await server?.close();
  });
  return {
    get url() {
      if (!server) throw new Error('the renderer is served from beforeAll on');
      return server.url;
    },
  };
}

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
  /** The environment the app reads (its login-shell environment); tests change it. */
  env: Record<string, string>;
  /** What "copy" put on the clipboard, as main's clipboard would hold it. */
  clipboard: { text: string };
  proxy: ProxyController;
  launchAtLogin: boolean;
  /** What main's folder dialog answers next (a browser has no native dialog): a folder, or null for Cancel. */
  pickedFolder: string | null;
  /** The titles main's folder dialog was opened with. */
  folderDialogs: string[];
  /** The keys main asked the user about before showing them, and the answer the test gives. */
  revealQuestions: string[];
  allowReveal: boolean;
}

export async function connectBridge(page: Page, t: TestEnv): Promise<Bridge> {
  const vault = t.vault();
  const data = join(t.root, '.local', 'share', 'keytray');
  const writer = new SettingsWriter(data, vault);
  const agents = createAgents({
    vault,
    writer,
    dataDir: data,
    metadataPath: t.metadataPath,
    launcher: { runtime: process.execPath, cli: resolve('bin/keytray.cjs') },
    pins: { configDir: dirname(t.metadataPath), keychainService: t.service },
  });
  const clipboard = { text: '' };
  // Usage recorded beside the metadata, as the app does.
  const proxy = new ProxyController(
    vault,
    join(data, 'proxy-log.jsonl'),
    undefined,
    undefined,
    usageLogPath(dirname(t.metadataPath)),
  );
  const bridge: Bridge = {
    payloads: [],
    env: { PATH: '/usr/bin:/bin', HOME: t.root },
    clipboard,
    proxy,
    launchAtLogin: false,
    pickedFolder: null,
    folderDialogs: [],
    revealQuestions: [],
    allowReveal: true,
    handlers: createHandlers({
      vault,
      agents,
      writer,
      dataDir: data,
      situation: async (cwd) => ({
        cwd: cwd ?? t.root,
        env: bridge.env,
        envOrigin: 'env:login-shell',
        home: t.root,
        platform: process.platform,
      }),
      metadataPath: t.metadataPath,
      // Main's native dialog, answered as the test says; every question is kept.
      confirmReveal: async (key) => {
        bridge.revealQuestions.push(key);
        return bridge.allowReveal;
      },
      proxyStatus: () => proxy.status(),
      flushUsage: () => proxy.flushUsage(),
      holdProxy: (held) => proxy.hold(held),
      proxyLogPath: join(data, 'proxy-log.jsonl'),
      clipboard: {
        writeText: (text) => {
          clipboard.text = text;
        },
        readText: () => clipboard.text,
        clear: () => {
          clipboard.text = '';
        },
      },
      clipboardMs: 500,
      pickFolder: async (title) => {
        bridge.folderDialogs.push(title);
        return bridge.pickedFolder;
      },
      installCli: () =>
        installCliWrapper(join(t.root, '.local', 'bin'), { runtime: process.execPath, cli: resolve('bin/keytray.cjs') }),
      // Electron's login items exist only in Electron; the browser tests keep the setting in memory.
      loginItem: {
        get: () => bridge.launchAtLogin,
        set: (on) => {
          bridge.launchAtLogin = on;
        },
      },
      changed: (kind) => {
        void page.evaluate(
          (k) => (window as unknown as { __keytrayPush?: (e: { kind: string }) => void }).__keytrayPush?.({ kind: k }),
          kind,
        );
      },
    }),
  };
  await page.exposeBinding('__keytrayInvoke', async (_source, channel: ChannelName, input: unknown) => {
    const result = await invoke(bridge.handlers, channel, input);
    const payload = JSON.stringify(result);
    bridge.payloads.push(payload);
    // Kept for the secret scan at the end of the run; a reveal is the one deliberate exception.
    if (channel !== 'keys:reveal') {
      mkdirSync('test-results', { recursive: true });
      appendFileSync(join('test-results', 'ipc-payloads.jsonl'), `${JSON.stringify({ channel, payload })}\n`);
    }
    return result;
  });
  await page.addInitScript((apiChannels: Record<string, string>) => {
    const w = window as unknown as {
      __keytrayInvoke: (c: string, i: unknown) => Promise<unknown>;
      __keytrayPush?: (e: { kind: string }) => void;
    };
    const listeners = new Set<(e: { kind: string }) => void>();
    w.__keytrayPush = (event) => {
      for (const l of listeners) l(event);
    };
    const api = Object.fromEntries(
      Object.entries(apiChannels).map(([name, channel]) => [name, (input?: unknown) => w.__keytrayInvoke(channel, input)]),
    );
    Object.defineProperty(window, 'keytray', {
      value: Object.freeze({
        ...api,
        onStateChanged: (listener: (e: { kind: string }) => void) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      }),
    });
  }, API_CHANNELS);
  return bridge;
}

/** A screenshot of the whole page in test-results/screens (the secret scan reads them). */
export async function shot(page: Page, name: string): Promise<void> {
  const dir = join('test-results', 'screens');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/** No full key anywhere the renderer can see: the DOM and every IPC payload. */
export async function expectNoSecret(page: Page, bridge: Bridge, secrets: string[]): Promise<void> {
  const html = await page.content();
  for (const secret of secrets) {
    const middle = secret.slice(13, -4);
    expect(html).not.toContain(middle);
    for (const payload of bridge.payloads.filter((p) => !p.includes('"visibleForMs"'))) expect(payload).not.toContain(middle);
  }
}
