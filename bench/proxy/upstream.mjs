// The bench's upstream: HTTPS with a throw-away certificate, as real providers
// speak TLS. POST /v1/messages answers a small JSON message with its usage, as
// the Messages API does; with ?drip=<ms> it streams server-sent events shaped
// like Anthropic's (message_start with the usage, deltas, message_delta with
// the output count), the first after <ms>, then every 20 ms. The usage is
// what the proxy reads when it counts (the "usage off" column does not).
import { readFileSync } from 'node:fs';
import https from 'node:https';

const [certDir] = process.argv.slice(2);
const usage = '{"input_tokens":1200,"cache_creation_input_tokens":0,"cache_read_input_tokens":4096,"output_tokens":1}';
const server = https.createServer(
  { key: readFileSync(`${certDir}/server.key`), cert: readFileSync(`${certDir}/server.crt`), keepAliveTimeout: 60_000 },
  (req, res) => {
    req.resume();
    req.on('end', () => {
      const query = new URL(req.url, 'https://x').searchParams;
      const drip = query.get('drip');
      if (!drip) {
        const body = `{"id":"msg_bench","type":"message","role":"assistant","model":"claude-sonnet-5","content":[{"type":"text","text":"pong"}],"stop_reason":"end_turn","usage":${usage}}`;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        return res.end(body);
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const events = Math.max(2, Number(query.get('events') ?? 5));
      let sent = 0;
      const tick = () => {
        if (res.destroyed) return;
        if (sent === 0)
          res.write(
            `event: message_start\ndata: {"type":"message_start","message":{"id":"msg_bench","type":"message","role":"assistant","model":"claude-sonnet-5","content":[],"usage":${usage}}}\n\n`,
          );
        else if (sent === events - 1)
          res.write(
            `event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":${sent}}}\n\n`,
          );
        else
          res.write(
            `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${sent}"}}\n\n`,
          );
        if (++sent >= events) return res.end();
        setTimeout(tick, 20);
      };
      setTimeout(tick, Number(drip));
    });
  },
);
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
