/**
 * One fake upstream on 127.0.0.1 for the three APIs, whose every answer
 * reports a fresh random token usage, in each API's own shape: Anthropic's
 * Messages (streamed and JSON), OpenAI's Responses (streamed, as Codex uses
 * it; plus GET /v1/models for Codex) and chat completions (JSON, or streamed
 * with the usage in the last chunk when stream_options.include_usage asks),
 * Gemini's generateContent (JSON) and streamGenerateContent (SSE). It keeps
 * what it reported, normalised the way each provider bills it, so a test can
 * compare KeyTray's sums with the upstream's own, to the token. `failFirst`
 * makes the next answers fail (429 or 5xx) before they succeed.
 */
import { randomInt } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CODEX_MODEL } from './fake-upstream';

export interface Reported {
  path: string;
  /** The credential that arrived (x-api-key, Bearer or x-goog-api-key). */
  credential: string;
  userAgent: string;
  acceptEncoding: string;
  model: string;
  status: number;
  /** Billed counts: input at the base rate, cache reads and writes, output. Null for a request that failed. */
  tokens: { input: number; output: number; cacheRead: number; cacheWrite: number } | null;
}

export interface FakeUsageUpstream {
  url: string;
  reported: Reported[];
  /** The next answers' statuses, before the upstream answers normally again. */
  failNext: number[];
  /** Whether a failing answer is preceded by a 103 Early Hints (a byte the client has already seen). */
  hintFailures: boolean;
  close(): Promise<void>;
}

const n = (max: number) => randomInt(1, max);

export async function startFakeUsageUpstream(): Promise<FakeUsageUpstream> {
  const reported: Reported[] = [];
  const failNext: number[] = [];
  const state = { hintFailures: false };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      let body: { model?: string; stream?: boolean; stream_options?: { include_usage?: boolean } } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {}
      const base = {
        path,
        credential: credentialOf(req.headers),
        userAgent: req.headers['user-agent'] ?? '',
        acceptEncoding: String(req.headers['accept-encoding'] ?? ''),
      };
      if (req.method === 'GET' && path.endsWith('/v1/models')) return json(res, 200, { models: [MODEL_ENTRY], data: [] });
      if (req.method !== 'POST') return json(res, 404, { error: { message: 'fake upstream: no such route' } });
      const failure = failNext.shift();
      if (failure) {
        reported.push({ ...base, model: body.model ?? '', status: failure, tokens: null });
        if (state.hintFailures) res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
        return json(res, failure, { type: 'error', error: { type: 'overloaded_error', message: 'fake upstream: try later' } });
      }
      if (path.endsWith('/v1/messages')) return anthropic(res, base, body, reported);
      if (path.endsWith('/v1/responses')) return responses(res, base, body, reported);
      if (path.endsWith('/chat/completions')) return chat(res, base, body, reported);
      const gemini = /\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(path);
      if (gemini) return geminiAnswer(res, base, gemini[1] as string, gemini[2] === 'streamGenerateContent', reported);
      json(res, 404, { error: { message: 'fake upstream: no such route' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    reported,
    failNext,
    get hintFailures() {
      return state.hintFailures;
    },
    set hintFailures(on: boolean) {
      state.hintFailures = on;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Base = Pick<Reported, 'path' | 'credential' | 'userAgent' | 'acceptEncoding'>;

function credentialOf(headers: IncomingHttpHeaders): string {
  const bearer = /^Bearer (.*)$/.exec(headers.authorization ?? '')?.[1];
  return String(headers['x-api-key'] ?? headers['x-goog-api-key'] ?? bearer ?? '');
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

/** Server-sent events, each written on its own so they arrive in several chunks. */
function sse(res: ServerResponse, events: [string | null, unknown][], tail = ''): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const [event, data] of events) res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
  res.end(tail);
}

function anthropic(res: ServerResponse, base: Base, body: { model?: string; stream?: boolean }, reported: Reported[]): void {
  const model = body.model ?? 'claude-fake';
  const usage = {
    input_tokens: n(5000),
    cache_creation_input_tokens: n(3000),
    cache_read_input_tokens: n(20000),
    output_tokens: n(800),
  };
  reported.push({
    ...base,
    model,
    status: 200,
    tokens: {
      input: usage.input_tokens,
      output: usage.output_tokens,
      cacheRead: usage.cache_read_input_tokens,
      cacheWrite: usage.cache_creation_input_tokens,
    },
  });
  const message = { id: 'msg_u', type: 'message', role: 'assistant', model, stop_sequence: null };
  if (!body.stream) {
    return void json(res, 200, { ...message, content: [{ type: 'text', text: 'pong' }], stop_reason: 'end_turn', usage });
  }
  sse(res, [
    [
      'message_start',
      { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } },
    ],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'pong' } }],
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    [
      'message_delta',
      {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: usage.output_tokens },
      },
    ],
    ['message_stop', { type: 'message_stop' }],
  ]);
}

/** The model Codex is told to use, and the catalogue entry that keeps it from warning. */
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

function responses(res: ServerResponse, base: Base, body: { model?: string }, reported: Reported[]): void {
  const model = body.model ?? CODEX_MODEL;
  const cached = n(4000);
  const usage = {
    input_tokens: cached + n(6000),
    input_tokens_details: { cached_tokens: cached },
    output_tokens: n(900),
    output_tokens_details: { reasoning_tokens: 0 },
  };
  reported.push({
    ...base,
    model,
    status: 200,
    tokens: { input: usage.input_tokens - cached, output: usage.output_tokens, cacheRead: cached, cacheWrite: 0 },
  });
  const message = { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'pong', annotations: [] }] };
  sse(res, [
    ['response.created', { type: 'response.created', response: { id: 'resp_u', status: 'in_progress', model, usage: null } }],
    [
      'response.output_item.added',
      {
        type: 'response.output_item.added',
        output_index: 0,
        item: { type: 'message', id: 'msg_1', status: 'in_progress', role: 'assistant', content: [] },
      },
    ],
    [
      'response.output_text.delta',
      { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'pong' },
    ],
    [
      'response.output_item.done',
      { type: 'response.output_item.done', output_index: 0, item: { ...message, id: 'msg_1', status: 'completed' } },
    ],
    [
      'response.completed',
      {
        type: 'response.completed',
        response: { id: 'resp_u', status: 'completed', model, output: [message], usage: { ...usage, total_tokens: 0 } },
      },
    ],
  ]);
}

function chat(
  res: ServerResponse,
  base: Base,
  body: { model?: string; stream?: boolean; stream_options?: { include_usage?: boolean } },
  reported: Reported[],
): void {
  const model = body.model ?? 'fake-model';
  const cached = n(2000);
  const usage = { prompt_tokens: cached + n(3000), completion_tokens: n(700), prompt_tokens_details: { cached_tokens: cached } };
  const withUsage = !body.stream || body.stream_options?.include_usage === true;
  reported.push({
    ...base,
    model,
    status: 200,
    tokens: withUsage
      ? { input: usage.prompt_tokens - cached, output: usage.completion_tokens, cacheRead: cached, cacheWrite: 0 }
      : null,
  });
  const head = { id: 'chatcmpl-u', created: 1, model };
  if (!body.stream) {
    return void json(res, 200, {
      ...head,
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'pong' }, finish_reason: 'stop' }],
      usage,
    });
  }
  const chunk = { ...head, object: 'chat.completion.chunk' };
  sse(
    res,
    [
      [null, { ...chunk, choices: [{ index: 0, delta: { role: 'assistant', content: 'pong' }, finish_reason: null }] }],
      [null, { ...chunk, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }],
      ...(withUsage ? ([[null, { ...chunk, choices: [], usage }]] as [null, unknown][]) : []),
    ],
    'data: [DONE]\n\n',
  );
}

function geminiAnswer(res: ServerResponse, base: Base, model: string, stream: boolean, reported: Reported[]): void {
  const cached = n(1000);
  const final = {
    promptTokenCount: cached + n(4000),
    candidatesTokenCount: n(500),
    cachedContentTokenCount: cached,
    thoughtsTokenCount: n(300),
  };
  reported.push({
    ...base,
    model,
    status: 200,
    tokens: {
      input: final.promptTokenCount - cached,
      output: final.candidatesTokenCount + final.thoughtsTokenCount,
      cacheRead: cached,
      cacheWrite: 0,
    },
  });
  const answer = (text: string, usageMetadata: unknown, finishReason?: string) => ({
    candidates: [{ content: { role: 'model', parts: [{ text }] }, index: 0, ...(finishReason ? { finishReason } : {}) }],
    usageMetadata,
    modelVersion: model,
  });
  if (!stream) return void json(res, 200, answer('pong', final, 'STOP'));
  // Gemini repeats usageMetadata in every chunk; the last one is the total.
  sse(res, [
    [null, answer('po', { promptTokenCount: final.promptTokenCount, candidatesTokenCount: 1 })],
    [null, answer('ng', final, 'STOP')],
  ]);
}
