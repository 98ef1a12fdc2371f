import { type AddressInfo, createServer } from 'node:net';

/** A port on 127.0.0.1 that was free a moment ago, for servers that must be told their port. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
