/**
 * The transformer KeyTray gives claude-code-router: a small CommonJS file in
 * KeyTray's own helper folder, which ccr's server loads (`transformers:
 * [{ path, options }]`). On each request to KeyTray's provider it sets
 * `Authorization: Bearer` to what KeyTray's helper prints (the key, or a
 * proxy token), read through the helper's standard output, never an
 * argument. It keeps the value in memory for five minutes, as Claude Code
 * does with its apiKeyHelper, and forgets it as soon as the upstream answers
 * a request that carried it with a 401, so the next request asks again.
 *
 * ccr 2.0.0 throws on a non-2xx answer before any transformer sees it, so
 * the 401 is noticed where it arrives: the file wraps the server's `fetch`
 * once, and only looks at the status of answers to requests that carried
 * the value it handed out.
 */
import { lstat, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../files/atomic-file';
import { secureHelperFolder } from '../helper-place';

/** `.cjs`: ccr loads it with require(), which a `.js` under a package.json with `"type": "module"` would refuse. */
export const CCR_TRANSFORMER_NAME = 'ccr-keytray-transformer.cjs';

export function ccrTransformerPath(dataDir: string): string {
  return join(dataDir, 'bin', CCR_TRANSFORMER_NAME);
}

export const CCR_TRANSFORMER_TEXT = `// Written by KeyTray: claude-code-router loads it to set the upstream credential
// from KeyTray's helper. KeyTray rewrites it; edits here are lost.
'use strict';
const { execFile } = require('node:child_process');

const KEEP_MS = 5 * 60 * 1000;
const held = new Set();
let fetchWrapped = false;

function forgetOn401() {
  if (fetchWrapped) return;
  fetchWrapped = true;
  const upstreamFetch = globalThis.fetch;
  globalThis.fetch = async function keytrayFetch(input, init) {
    const response = await upstreamFetch.call(this, input, init);
    if (response.status === 401 && held.size > 0) {
      const sent = new Headers(init && init.headers).get('authorization');
      for (const cache of held) if (cache.value !== null && sent === 'Bearer ' + cache.value) cache.value = null;
    }
    return response;
  };
}

module.exports = class KeyTrayCredential {
  constructor(options) {
    this.name = 'keytray';
    this.command = options.command;
    this.args = Array.isArray(options.args) ? options.args.map(String) : [];
    this.cache = { value: null, at: 0 };
    held.add(this.cache);
    forgetOn401();
  }

  credential() {
    const cache = this.cache;
    if (cache.value !== null && Date.now() - cache.at < KEEP_MS) return Promise.resolve(cache.value);
    return new Promise((resolve, reject) => {
      execFile(
        this.command,
        this.args,
        { timeout: 15000, windowsHide: true, shell: process.platform === 'win32' },
        (error, stdout) => {
          const value = String(stdout || '').trim();
          if (error || value === '') {
            reject(new Error("KeyTray's helper gave no credential; run \`keytray status --agent claude-code-router\`."));
            return;
          }
          cache.value = value;
          cache.at = Date.now();
          resolve(value);
        },
      );
    });
  }

  async transformRequestIn(body) {
    const value = await this.credential();
    return { body, config: { headers: { Authorization: 'Bearer ' + value } } };
  }
};
`;

/** Writes the transformer when missing or different (mode 0600, the user's own, in the helper's folder). Returns its path. */
export async function ensureCcrTransformer(dataDir: string): Promise<string> {
  const path = ccrTransformerPath(dataDir);
  const folder = join(dataDir, 'bin');
  await secureHelperFolder(folder);
  const current = await readFile(path, 'utf8').catch(() => null);
  const info = current === null ? null : await lstat(path);
  if (
    current !== CCR_TRANSFORMER_TEXT ||
    !info ||
    !info.isFile() ||
    (info.mode & 0o777) !== 0o600 ||
    (process.getuid && info.uid !== process.getuid())
  ) {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await writeFileAtomic(path, CCR_TRANSFORMER_TEXT, 0o600);
  }
  return path;
}
