/**
 * Reads token usage out of a model's answer as it streams through the proxy,
 * without buffering or copying the stream: each body view is searched in
 * place (Buffer.indexOf) for the two keys that matter, `"usage…"` and
 * `"model…"`, and only the small JSON value after a matching key is copied
 * out and parsed (at most MAX_OBJECT bytes). The same search works for a
 * server-sent event stream and for a plain JSON answer, and for a key or an
 * object split across chunks at any byte: the scanner is a byte state
 * machine that carries at most one partial key and one small value.
 *
 * What it finds, by API (the last value of each field wins, since the later
 * events repeat or complete the earlier ones):
 * - Anthropic: `message_start.message.usage` (input_tokens,
 *   cache_creation_input_tokens, cache_read_input_tokens, output_tokens),
 *   then `message_delta.usage.output_tokens` (cumulative); a JSON answer's
 *   `usage`.
 * - OpenAI: chat completions' `usage` (prompt_tokens, completion_tokens,
 *   prompt_tokens_details.cached_tokens; streamed only in the last chunk when
 *   the client asked with stream_options.include_usage), and the Responses
 *   API's `response.completed` `response.usage` (input_tokens,
 *   output_tokens, input_tokens_details.cached_tokens).
 * - Gemini: `usageMetadata` (promptTokenCount, candidatesTokenCount,
 *   cachedContentTokenCount, thoughtsTokenCount), last one wins.
 *
 * A key inside a JSON string cannot match: its quotes would be escaped. A
 * `"usage":null` (the Responses API's first events) is passed over.
 */
import type { TokenCounts } from '../../../shared/usage';

/** The largest usage object or model name copied out; anything longer is not a usage object. */
const MAX_OBJECT = 4096;
const MAX_MODEL = 200;
/** The longest key read after its opening quote (`usageMetadata`, `modelVersion`). */
const MAX_KEY = 16;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;

/** The two key prefixes searched for, with their opening quote. */
const USAGE_PREFIX = Buffer.from('"usage', 'latin1');
const MODEL_PREFIX = Buffer.from('"model', 'latin1');

enum Step {
  /** Searching for a key. */
  Search,
  /** Inside a key that began with one of the prefixes: reading it to its closing quote. */
  Key,
  /** After the key: white space, then a colon. */
  Colon,
  /** After the colon: white space, then the value's first byte. */
  Value,
  /** Copying a usage object up to its closing brace. */
  Object,
  /** Copying a model name up to its closing quote. */
  Model,
}

export class UsageScanner {
  private step = Step.Search;
  /** How many bytes of a prefix the previous view ended with (a key split across views). */
  private partialUsage = 0;
  private partialModel = 0;
  /** The key being read, after its prefix. */
  private key = '';
  private wantsUsage = false;
  /** The value being copied (small: one usage object or one model name). */
  private value: number[] = [];
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Every usage field seen, flattened (`prompt_tokens_details.cached_tokens`): the last value wins. */
  private readonly fields = new Map<string, number>();
  /** The first model name the answer gave. */
  model: string | null = null;

  /** Reads one view of the (decoded) body. Never throws; never keeps `bytes`. */
  push(bytes: Buffer): void {
    let i = 0;
    const length = bytes.length;
    // A prefix split across views: does this view carry on with it?
    if (this.partialUsage || this.partialModel) {
      const haveUsage = this.partialUsage;
      const haveModel = this.partialModel;
      this.partialUsage = 0;
      this.partialModel = 0;
      const usage = this.continues(bytes, USAGE_PREFIX, haveUsage);
      const model = this.model === null ? this.continues(bytes, MODEL_PREFIX, haveModel) : 0;
      // The whole view was more of a prefix, still not complete.
      if (this.partialUsage || this.partialModel) return;
      if (usage) i = this.startKey(true, usage);
      else if (model) i = this.startKey(false, model);
    }
    while (i < length) {
      if (this.step === Step.Search) {
        const usage = bytes.indexOf(USAGE_PREFIX, i);
        const model = this.model === null ? bytes.indexOf(MODEL_PREFIX, i) : -1;
        if (usage < 0 && model < 0) {
          this.partialUsage = endsWithPrefix(bytes, USAGE_PREFIX);
          if (this.model === null) this.partialModel = endsWithPrefix(bytes, MODEL_PREFIX);
          return;
        }
        const isUsage = usage >= 0 && (model < 0 || usage < model);
        i = (isUsage ? usage : model) + USAGE_PREFIX.length;
        this.startKey(isUsage, 0);
        continue;
      }
      i = this.consume(bytes, i);
    }
  }

  /** The counts the answer reported, or null when it reported none. */
  counts(): TokenCounts | null {
    const f = this.fields;
    if (f.size === 0) return null;
    const n = (name: string) => f.get(name) ?? 0;
    if (f.has('promptTokenCount') || f.has('candidatesTokenCount')) {
      const cached = n('cachedContentTokenCount');
      return {
        input: Math.max(0, n('promptTokenCount') - cached),
        output: n('candidatesTokenCount') + n('thoughtsTokenCount'),
        cacheRead: cached,
        cacheWrite: 0,
      };
    }
    if (f.has('prompt_tokens') || f.has('completion_tokens')) {
      const cached = n('prompt_tokens_details.cached_tokens');
      return {
        input: Math.max(0, n('prompt_tokens') - cached),
        output: n('completion_tokens'),
        cacheRead: cached,
        cacheWrite: 0,
      };
    }
    if (f.has('input_tokens_details.cached_tokens')) {
      // The Responses API: input_tokens counts the cached ones too.
      const cached = n('input_tokens_details.cached_tokens');
      return { input: Math.max(0, n('input_tokens') - cached), output: n('output_tokens'), cacheRead: cached, cacheWrite: 0 };
    }
    if (f.has('input_tokens') || f.has('output_tokens')) {
      // Anthropic: input_tokens leaves out what was written to or read from the cache.
      return {
        input: n('input_tokens'),
        output: n('output_tokens'),
        cacheRead: n('cache_read_input_tokens'),
        cacheWrite: n('cache_creation_input_tokens'),
      };
    }
    return null;
  }

  private startKey(isUsage: boolean, at: number): number {
    this.step = Step.Key;
    this.wantsUsage = isUsage;
    // The part of the key after the prefix, filled by consume().
    this.key = '';
    return at;
  }

  /** How many bytes at the start of `bytes` complete a prefix of which `have` bytes were seen; 0 if they don't. */
  private continues(bytes: Buffer, prefix: Buffer, have: number): number {
    if (have === 0) return 0;
    const need = prefix.length - have;
    if (bytes.length < need) {
      // Still not complete: a view shorter than the rest of the prefix (byte-by-byte delivery).
      for (let k = 0; k < bytes.length; k++) if (bytes[k] !== prefix[have + k]) return 0;
      if (prefix === USAGE_PREFIX) this.partialUsage = have + bytes.length;
      else this.partialModel = have + bytes.length;
      return 0;
    }
    for (let k = 0; k < need; k++) if (bytes[k] !== prefix[have + k]) return 0;
    return need;
  }

  /** Runs the state machine over bytes from `i` until it is searching again or the view ends. */
  private consume(bytes: Buffer, i: number): number {
    const length = bytes.length;
    while (i < length && this.step !== Step.Search) {
      const byte = bytes[i++] as number;
      switch (this.step) {
        case Step.Key:
          if (byte === QUOTE) {
            this.step = this.keyWanted() ? Step.Colon : Step.Search;
            // Not wanted: the closing quote could open the next key, so look at it again.
            if (this.step === Step.Search) i--;
          } else if (byte === BACKSLASH || this.key.length >= MAX_KEY) {
            this.step = Step.Search;
          } else this.key += String.fromCharCode(byte);
          break;
        case Step.Colon:
          if (byte === COLON) this.step = Step.Value;
          else if (!isSpace(byte)) this.step = Step.Search;
          break;
        case Step.Value:
          if (isSpace(byte)) break;
          if (this.wantsUsage && byte === OPEN) {
            this.step = Step.Object;
            this.value = [byte];
            this.depth = 1;
            this.inString = false;
            this.escaped = false;
          } else if (!this.wantsUsage && byte === QUOTE) {
            this.step = Step.Model;
            this.value = [];
            this.escaped = false;
          } else {
            this.step = Step.Search;
            i--;
          }
          break;
        case Step.Object:
          this.value.push(byte);
          if (this.value.length > MAX_OBJECT) this.abandon();
          else if (this.inString) {
            if (this.escaped) this.escaped = false;
            else if (byte === BACKSLASH) this.escaped = true;
            else if (byte === QUOTE) this.inString = false;
          } else if (byte === QUOTE) this.inString = true;
          else if (byte === OPEN) this.depth++;
          else if (byte === CLOSE && --this.depth === 0) {
            this.takeUsage();
            this.abandon();
          }
          break;
        case Step.Model:
          if (this.escaped) {
            this.escaped = false;
            this.value.push(byte);
          } else if (byte === BACKSLASH) {
            this.escaped = true;
            this.value.push(byte);
          } else if (byte === QUOTE) {
            this.takeModel();
            this.abandon();
          } else {
            this.value.push(byte);
            if (this.value.length > MAX_MODEL) this.abandon();
          }
          break;
      }
    }
    return i;
  }

  private keyWanted(): boolean {
    return this.wantsUsage ? this.key === '' || this.key === 'Metadata' : this.key === '' || this.key === 'Version';
  }

  private abandon(): void {
    this.step = Step.Search;
    this.value = [];
  }

  private takeUsage(): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(this.value).toString('utf8'));
    } catch {
      return;
    }
    flatten(parsed, '', this.fields);
  }

  private takeModel(): void {
    try {
      const name = JSON.parse(`"${Buffer.from(this.value).toString('utf8')}"`) as string;
      if (name) this.model = name;
    } catch {
      // Not a JSON string after all: keep looking.
    }
  }
}

/** Numeric fields of a usage object, one level of nesting, as `outer.inner`. */
function flatten(value: unknown, prefix: string, into: Map<string, number>): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  for (const [name, field] of Object.entries(value)) {
    if (typeof field === 'number' && Number.isFinite(field) && field >= 0) into.set(prefix + name, Math.round(field));
    else if (prefix === '' && typeof field === 'object') flatten(field, `${name}.`, into);
  }
}

/** How many bytes at the end of `bytes` are the start of `prefix` (0 if none). */
function endsWithPrefix(bytes: Buffer, prefix: Buffer): number {
  const longest = Math.min(prefix.length - 1, bytes.length);
  for (let k = longest; k > 0; k--) {
    if (bytes[bytes.length - k] !== prefix[0]) continue;
    let all = true;
    for (let j = 1; j < k; j++)
      if (bytes[bytes.length - k + j] !== prefix[j]) {
        all = false;
        break;
      }
    if (all) return k;
  }
  return 0;
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}
