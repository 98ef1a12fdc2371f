/**
 * A fake Anthropic Messages API on 127.0.0.1 that records what arrives: the
 * upstream for tests, so no test ever talks to a real provider. It answers
 * POST /v1/messages with a real message ("pong"), streamed as server-sent
 * events when asked to stream, and everything else with a JSON 404.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeAnthropic {
  url: string;
  requests: RecordedRequest[];
  /** The requests that asked for a model's answer (Messages API or Bedrock invoke). */
  inferenceRequests(): RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeAnthropic(): Promise<FakeAnthropic> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (req.method === 'POST' && path.endsWith('/v1/messages/count_tokens')) {
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"input_tokens":10}');
      }
      if (req.method === 'POST' && path.endsWith('/v1/messages')) return answer(res, body);
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `fake upstream: no ${req.method} ${path}` } }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inferenceRequests: () =>
      requests.filter((r) => r.method === 'POST' && /\/v1\/messages(\?|$)|\/model\/[^/]+\/invoke/.test(r.url)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(res: import('node:http').ServerResponse, body: string): void {
  let request: { stream?: boolean; model?: string } = {};
  try {
    request = JSON.parse(body);
  } catch {
    // An unreadable body still gets a message: the headers are what tests look at.
  }
  const model = request.model ?? 'claude-fake';
  const id = `msg_fake_${Date.now()}`;
  const usage = { input_tokens: 10, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  if (!request.stream) {
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_fake' });
    res.end(
      JSON.stringify({
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [{ type: 'text', text: 'pong' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage,
      }),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': 'req_fake' });
  const event = (type: string, data: object) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  event('message_start', {
    message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage },
  });
  event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'pong' } });
  event('content_block_stop', { index: 0 });
  event('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } });
  event('message_stop', {});
  res.end();
}
