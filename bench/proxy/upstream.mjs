// The bench's upstream: HTTPS with a throw-away certificate, as real providers
// speak TLS. POST /v1/messages answers a small JSON message; with ?drip=<ms>
// it streams server-sent events, the first after <ms>, then every 20 ms.
import { readFileSync } from 'node:fs';
import https from 'node:https';

const [certDir] = process.argv.slice(2);
const server = https.createServer(
  { key: readFileSync(`${certDir}/server.key`), cert: readFileSync(`${certDir}/server.crt`), keepAliveTimeout: 60_000 },
  (req, res) => {
    req.resume();
    req.on('end', () => {
      const drip = new URL(req.url, 'https://x').searchParams.get('drip');
      if (!drip) {
        const body = '{"id":"msg_bench","type":"message","role":"assistant","content":[{"type":"text","text":"pong"}]}';
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        return res.end(body);
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let sent = 0;
      const tick = () => {
        if (res.destroyed) return;
        res.write(`event: content_block_delta\ndata: {"n":${sent}}\n\n`);
        if (++sent >= Number(new URL(req.url, 'https://x').searchParams.get('events') ?? 5)) return res.end();
        setTimeout(tick, 20);
      };
      setTimeout(tick, Number(drip));
    });
  },
);
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
