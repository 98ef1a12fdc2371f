import { createServer } from 'node:net';

/**
 * A port on 127.0.0.1 that is free now, for servers that must be told their
 * port before they start. It is drawn below the kernel's ephemeral range, so
 * no socket that asks the kernel for any port (every fake upstream, every
 * client connection) can take it in the meantime; only another draw could,
 * one chance in thousands, and a draw that finds it taken draws again.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await bindable(port)) return port;
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
