/**
 * Fake OpenAI (Responses API) and Gemini API upstreams on 127.0.0.1 that
 * record what arrives, for the Codex and Gemini CLI conformance suites. Each
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

type Answer = (method: string, path: string, res: ServerResponse) => void;

async function startFake(answer: Answer): Promise<FakeUpstream> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      answer(req.method ?? '', (req.url ?? '').split('?')[0] ?? '', res);
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

/** The Chat Completions API as OpenClaw's `openai-completions` uses it: POST /v1/chat/completions, streamed or not. */
export function startFakeChatCompletions(): Promise<FakeUpstream> {
  return startFake((method, path, res) => {
    if (method === 'POST' && path.endsWith('/chat/completions')) {
      const chunk = (delta: object, finish: string | null) => ({
        id: 'chatcmpl_1',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'fake',
        choices: [{ index: 0, delta, finish_reason: finish }],
      });
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(`data: ${JSON.stringify(chunk({ role: 'assistant', content: 'pong' }, null))}\n\n`);
      res.write(
        `data: ${JSON.stringify({ ...chunk({}, 'stop'), usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })}\n\n`,
      );
      return void res.end('data: [DONE]\n\n');
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"fake upstream: no such route"}}');
  });
}
