/**
 * The proxy's usage scanner, fed the shapes each API really sends (captured
 * from the providers' documented streams and the agents' fake upstreams),
 * whole, split at every byte, and byte by byte: the counts must not depend on
 * where the network cut the stream.
 */
import { describe, expect, it } from 'vitest';
import { UsageScanner } from '../../electron/core/proxy/usage-scanner';
import type { TokenCounts } from '../../shared/usage';

const sse = (events: [string | null, unknown][]) =>
  events.map(([event, data]) => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`).join('');

const anthropicStream = sse([
  [
    'message_start',
    {
      type: 'message_start',
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-5',
        content: [],
        usage: {
          input_tokens: 2095,
          cache_creation_input_tokens: 120,
          cache_read_input_tokens: 1800,
          output_tokens: 1,
          service_tier: 'standard',
        },
      },
    },
  ],
  [
    'content_block_start',
    { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't', name: 'x', input: {} } },
  ],
  // A tool's input that names "usage" and "model": inside a JSON string, so escaped, never a match.
  [
    'content_block_delta',
    {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'input_json_delta', partial_json: '{"usage": {"input_tokens": 999}, "model": "evil"}' },
    },
  ],
  ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'the word "usage": {' } }],
  ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 503 } }],
  ['message_stop', { type: 'message_stop' }],
]);

const anthropicJson = JSON.stringify(
  {
    id: 'msg_2',
    type: 'message',
    role: 'assistant',
    model: 'claude-haiku-4-5-20251001',
    content: [{ type: 'text', text: 'pong' }],
    usage: { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 6 },
  },
  null,
  2,
);

const chatStream = `${sse([
  [
    null,
    {
      id: 'c',
      object: 'chat.completion.chunk',
      model: 'gpt-5.4-mini',
      choices: [{ index: 0, delta: { content: 'po' } }],
      usage: null,
    },
  ],
  [
    null,
    {
      id: 'c',
      object: 'chat.completion.chunk',
      model: 'gpt-5.4-mini',
      choices: [{ index: 0, delta: { content: 'ng' } }],
      usage: null,
    },
  ],
  [
    null,
    {
      id: 'c',
      object: 'chat.completion.chunk',
      model: 'gpt-5.4-mini',
      choices: [],
      usage: { prompt_tokens: 1200, completion_tokens: 40, total_tokens: 1240, prompt_tokens_details: { cached_tokens: 1024 } },
    },
  ],
])}data: [DONE]\n\n`;

const responsesStream = sse([
  ['response.created', { type: 'response.created', response: { id: 'r', model: 'gpt-5.4', status: 'in_progress', usage: null } }],
  ['response.output_text.delta', { type: 'response.output_text.delta', delta: 'pong' }],
  [
    'response.completed',
    {
      type: 'response.completed',
      response: {
        id: 'r',
        model: 'gpt-5.4',
        output: [{ type: 'message', content: [{ type: 'output_text', text: 'x'.repeat(3000) }] }],
        usage: {
          input_tokens: 5000,
          input_tokens_details: { cached_tokens: 4096 },
          output_tokens: 300,
          output_tokens_details: { reasoning_tokens: 200 },
          total_tokens: 5300,
        },
      },
    },
  ],
]);

const geminiStream = sse([
  [
    null,
    {
      candidates: [{ content: { role: 'model', parts: [{ text: 'po' }] } }],
      usageMetadata: { promptTokenCount: 900, candidatesTokenCount: 2, totalTokenCount: 902 },
      modelVersion: 'gemini-3-flash-preview',
    },
  ],
  [
    null,
    {
      candidates: [{ content: { role: 'model', parts: [{ text: 'ng' }] }, finishReason: 'STOP' }],
      usageMetadata: {
        promptTokenCount: 900,
        candidatesTokenCount: 7,
        cachedContentTokenCount: 512,
        thoughtsTokenCount: 30,
        totalTokenCount: 937,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: 900 }],
      },
      modelVersion: 'gemini-3-flash-preview',
    },
  ],
]);

const cases: { name: string; body: string; counts: TokenCounts | null; model: string | null }[] = [
  {
    name: 'Anthropic stream',
    body: anthropicStream,
    counts: { input: 2095, cacheWrite: 120, cacheRead: 1800, output: 503 },
    model: 'claude-sonnet-5',
  },
  {
    name: 'Anthropic JSON',
    body: anthropicJson,
    counts: { input: 12, cacheWrite: 0, cacheRead: 0, output: 6 },
    model: 'claude-haiku-4-5-20251001',
  },
  {
    name: 'OpenAI chat stream',
    body: chatStream,
    counts: { input: 176, cacheWrite: 0, cacheRead: 1024, output: 40 },
    model: 'gpt-5.4-mini',
  },
  {
    name: 'OpenAI Responses stream',
    body: responsesStream,
    counts: { input: 904, cacheWrite: 0, cacheRead: 4096, output: 300 },
    model: 'gpt-5.4',
  },
  {
    name: 'Gemini stream',
    body: geminiStream,
    counts: { input: 388, cacheWrite: 0, cacheRead: 512, output: 37 },
    model: 'gemini-3-flash-preview',
  },
  {
    name: 'an error',
    body: '{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}',
    counts: null,
    model: null,
  },
  {
    name: 'a chat stream without usage',
    body: sse([[null, { model: 'm', choices: [], usage: null }]]),
    counts: null,
    model: 'm',
  },
];

function scan(views: Buffer[]): UsageScanner {
  const scanner = new UsageScanner();
  for (const view of views) scanner.push(view);
  return scanner;
}

describe('the usage scanner', () => {
  for (const { name, body, counts, model } of cases) {
    const bytes = Buffer.from(body, 'utf8');
    it(`${name}: whole`, () => {
      const scanner = scan([bytes]);
      expect(scanner.counts()).toEqual(counts);
      expect(scanner.model).toBe(model);
    });

    it(`${name}: split in two at every byte`, () => {
      for (let cut = 0; cut <= bytes.length; cut++) {
        const scanner = scan([bytes.subarray(0, cut), bytes.subarray(cut)]);
        expect(scanner.counts(), `cut at ${cut}`).toEqual(counts);
        expect(scanner.model, `cut at ${cut}`).toBe(model);
      }
    });

    it(`${name}: byte by byte`, () => {
      const views: Buffer[] = [];
      for (let i = 0; i < bytes.length; i++) views.push(bytes.subarray(i, i + 1));
      const scanner = scan(views);
      expect(scanner.counts()).toEqual(counts);
      expect(scanner.model).toBe(model);
    });
  }

  it('leaves the bytes it reads as they were', () => {
    const bytes = Buffer.from(anthropicStream);
    const before = Buffer.from(bytes);
    scan([bytes.subarray(0, 100), bytes.subarray(100)]);
    expect(bytes.equals(before)).toBe(true);
  });

  it('passes over a usage object too large to be one', () => {
    const big = `{"usage":{"input_tokens":1,"pad":"${'x'.repeat(5000)}"},"model":"m"}`;
    const scanner = scan([Buffer.from(big)]);
    expect(scanner.counts()).toBeNull();
  });
});
