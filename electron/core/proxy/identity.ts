/**
 * Whether the listener on the proxy's port is KeyTray's own, before anything
 * hands it a token: it must answer a fresh challenge with an HMAC under the
 * install's token (proxy-token.ts). Raw HTTP over a socket, so the key
 * helper, which asks on every run, loads no HTTP module.
 */
import { connect } from 'node:net';
import { IDENTITY_PATH, identityProof } from './proxy-token';

/** `keytray`: KeyTray's proxy; `other`: something else listens there; `none`: nothing does. */
export type ProxyIdentity = 'keytray' | 'other' | 'none';

const MAX_ANSWER = 4096;
const DEADLINE_MS = 2000;

export function proxyIdentity(port: number, installToken: string | null): Promise<ProxyIdentity> {
  const crypto = process.getBuiltinModule('node:crypto');
  const challenge = crypto.randomBytes(32).toString('hex');
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = Buffer.alloc(0);
    let connected = false;
    const done = (result: ProxyIdentity) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(DEADLINE_MS, () => done(connected ? 'other' : 'none'));
    socket.once('error', () => done(connected ? 'other' : 'none'));
    socket.once('connect', () => {
      connected = true;
      socket.write(`GET ${IDENTITY_PATH}?c=${challenge} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      answer = Buffer.concat([answer, chunk]);
      if (answer.length > MAX_ANSWER) done('other');
    });
    socket.once('end', () => {
      if (installToken === null) return done('other');
      const text = answer.toString('latin1');
      const proof = /^HTTP\/1\.1 200 [^\r\n]*\r\n[\s\S]*?\r\n\r\n\{"proof":"([0-9a-f]{64})"\}$/.exec(text)?.[1];
      const expected = Buffer.from(identityProof(installToken, challenge), 'latin1');
      const given = Buffer.from(proof ?? '', 'latin1');
      done(given.length === expected.length && crypto.timingSafeEqual(given, expected) ? 'keytray' : 'other');
    });
  });
}

/** The proxy as a picture shows it: running (and KeyTray's), or a squatter on its port. */
export async function proxyState(port: number, installToken: string | null): Promise<{ running: boolean; impostor?: true }> {
  const identity = await proxyIdentity(port, installToken);
  return { running: identity === 'keytray', ...(identity === 'other' ? { impostor: true as const } : {}) };
}
