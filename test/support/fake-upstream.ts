/**
 * Fake OpenAI (Responses API and Chat Completions) and Gemini API upstreams on
 * 127.0.0.1 that record what arrives, for the agents' conformance suites. Each
 * answers with a real reply ("pong") in the shape its CLI expects, streamed
 * as server-sent events.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface FakeUpstream {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

type Answer = (method: string, path: string, res: ServerResponse, headers: IncomingHttpHeaders, body: string) => void;

async function startFake(answer: Answer): Promise<FakeUpstream> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      answer(req.method ?? '', (req.url ?? '').split('?')[0] ?? '', res, req.headers, Buffer.concat(chunks).toString('utf8'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const sse = (res: ServerResponse, events: unknown[]) => {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const event of events) res.write(`data: ${JSON.stringify(event)}\n\n`);
  res.end();
};

/** The model Codex is told to use, and the catalogue entry that keeps it from warning. */
export const CODEX_MODEL = 'gpt-5.4';
const MODEL_ENTRY = {
  slug: CODEX_MODEL,
  display_name: CODEX_MODEL,
  supported_reasoning_levels: [],
  shell_type: 'shell_command',
  visibility: 'list',
  supported_in_api: true,
  priority: 1,
  support_verbosity: false,
  truncation_policy: { mode: 'tokens', limit: 10000 },
  experimental_supported_tools: [],
  model_messages: { instructions_template: 'You are a fake model.' },
};

/** The Responses API as `codex exec` uses it: GET /v1/models, POST /v1/responses (SSE). */
export function startFakeOpenAI(): Promise<FakeUpstream> {
  return startFake((method, path, res) => {
    if (method === 'GET' && path.endsWith('/v1/models')) {
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ models: [MODEL_ENTRY] }));
    }
    if (method === 'POST' && path.endsWith('/v1/responses')) {
      const message = { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'pong', annotations: [] }] };
      return sse(res, [
        { type: 'response.created', response: { id: 'resp_1', status: 'in_progress', model: CODEX_MODEL } },
        // Added and delta events too: OpenCode's OpenAI SDK builds the text from them.
        {
          type: 'response.output_item.added',
          output_index: 0,
          item: { type: 'message', id: 'msg_1', status: 'in_progress', role: 'assistant', content: [] },
        },
        { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'pong' },
        { type: 'response.output_item.done', output_index: 0, item: { ...message, id: 'msg_1', status: 'completed' } },
        {
          type: 'response.completed',
          response: {
            id: 'resp_1',
            status: 'completed',
            model: CODEX_MODEL,
            output: [message],
            usage: {
              input_tokens: 1,
              input_tokens_details: { cached_tokens: 0 },
              output_tokens: 1,
              output_tokens_details: { reasoning_tokens: 0 },
              total_tokens: 2,
            },
          },
        },
      ]);
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"fake upstream: no such route"}}');
  });
}

/** The Gemini API as `gemini -p` uses it (with a model given, no routing step): streamGenerateContent (SSE). */
export function startFakeGemini(): Promise<FakeUpstream> {
  return startFake((method, path, res) => {
    if (method === 'POST' && path.endsWith(':streamGenerateContent')) {
      return sse(res, [
        {
          candidates: [{ content: { role: 'model', parts: [{ text: 'pong' }] }, finishReason: 'STOP', index: 0 }],
          usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 },
        },
      ]);
    }
    if (method === 'POST' && path.endsWith(':generateContent')) {
      const text = JSON.stringify({ complexity_reasoning: 'simple', complexity_score: 1 });
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP' }] }));
    }
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end('{"error":{"code":404,"message":"fake upstream: no such route"}}');
  });
}

/**
 * OpenAI-shaped chat completions, as claude-code-router, OpenClaw's
 * `openai-completions` and OpenCode's OpenAI-compatible providers call them (`…/chat/completions`, OpenRouter's
 * under `/api/v1`): streamed (SSE chunks then [DONE]) or as one JSON answer.
 * A request whose `Authorization: Bearer` carries a key in `rejected` gets a
 * 401, as a revoked key does; with `status`, every request gets that status
 * and an error that echoes the credential, as some upstreams do (the text an
 * agent may then write to its own logs).
 */
export function startFakeChatCompletions(status?: number): Promise<FakeUpstream & { rejected: Set<string> }> {
  const rejected = new Set<string>();
  return startFake((method, path, res, headers, body) => {
    if (method !== 'POST' || !path.endsWith('/chat/completions')) {
      return void res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"error":{"message":"fake upstream: no such route"}}');
    }
    if (status) {
      return void res.writeHead(status, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: { message: `Incorrect API key provided: ${headers.authorization ?? ''}`, type: 'invalid_request_error' },
        }),
      );
    }
    const bearer = /^Bearer (.*)$/.exec(headers.authorization ?? '')?.[1];
    if (bearer !== undefined && rejected.has(bearer)) {
      return void res
        .writeHead(401, { 'content-type': 'application/json' })
        .end('{"error":{"message":"fake upstream: this key was revoked","type":"invalid_request_error"}}');
    }
    let stream = false;
    try {
      stream = (JSON.parse(body) as { stream?: boolean }).stream === true;
    } catch {}
    const base = { id: 'chatcmpl-1', created: 1, model: 'fake-model' };
    const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
    if (!stream) {
      const message = { role: 'assistant', content: 'pong' };
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(
          JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: 'stop' }], usage }),
        );
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const chunk = (choice: unknown, extra = {}) =>
      `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [choice], ...extra })}\n\n`;
    res.write(chunk({ index: 0, delta: { role: 'assistant', content: 'pong' }, finish_reason: null }));
    res.write(chunk({ index: 0, delta: {}, finish_reason: 'stop' }, { usage }));
    res.end('data: [DONE]\n\n');
  }).then((fake) => Object.assign(fake, { rejected }));
}
