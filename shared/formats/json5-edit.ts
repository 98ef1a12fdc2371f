/**
 * Edits to JSON5 files (OpenClaw's openclaw.json) that keep everything the
 * user wrote: comments, unquoted keys, trailing commas, quotes, indentation
 * and line endings. Pure. `json5` (the reference parser) reads the value and
 * finds where a file stops being JSON5; @croct/json5-parser, a lossless
 * parser that reports every node's position, says where each value is, so
 * an edit splices only the bytes it changes.
 */
import {
  JsonArrayNode,
  JsonIdentifierNode,
  JsonObjectNode,
  JsonParser,
  JsonPrimitiveNode,
  type JsonPropertyNode,
  type JsonValueNode,
} from '@croct/json5-parser';
import JSON5 from 'json5';
import { maskSecret } from '../mask';
import type { Change, FormatParse } from './file-format';
import { LOOKS_LIKE_KEY, SECRET_NAME } from './secret-names';

type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/** Names whose string values are credentials in JSON5 configs (OpenClaw's `apiKey`, `token`, `password`), beside the shared ones. */
const JSON5_SECRET_NAME = /^(api_?key|token|password|secret|key)$/i;

/** JSON5, as OpenClaw reads it. An empty file counts as `{}`. The problem names the position, never the text. */
export function parseJson5Text(text: string): FormatParse {
  if (text.trim() === '') return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON5.parse(text);
  } catch (error) {
    const { lineNumber, columnNumber } = error as { lineNumber?: number; columnNumber?: number };
    return { ok: false, problem: describeProblem(error), line: lineNumber ?? 1, column: columnNumber ?? 1 };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problem: 'the top level must be an object ({ … })', line: 1, column: 1 };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** json5's message quotes the character it stopped at: only its kind is kept. */
function describeProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  if (message.includes('invalid end of input')) return 'the file ends too early';
  if (message.includes('invalid identifier character')) return 'a character not allowed in a name';
  if (message.includes('invalid character')) return 'an unexpected character';
  return 'something JSON5 does not allow';
}

/**
 * Applies the changes. Only the bytes of the changed values (or the inserted
 * properties) change; a new property follows the object's style (quoted or
 * bare keys, trailing comma or not, one line or many). Removing a property
 * also removes each object it leaves empty.
 */
export function editJson5Text(text: string, changes: Change[]): string {
  const created = text.trim() === '';
  const { unit, eol } = layoutOf(text);
  let next = created ? '{}' : text;
  for (const change of changes) next = applyChange(next, change as { path: string[]; value: Value | undefined }, unit, eol);
  if (created && !next.endsWith(eol)) next += eol;
  return next;
}

function layoutOf(text: string): { unit: string; eol: string } {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indented = text.split(/\r?\n/).find((line) => /^[ \t]+\S/.test(line));
  if (indented?.startsWith('\t')) return { unit: '\t', eol };
  const width = indented ? (/^ +/.exec(indented)?.[0].length ?? 2) : 2;
  return { unit: ' '.repeat(Math.min(width, 8)), eol };
}

function rootOf(text: string): JsonObjectNode {
  let root: JsonValueNode;
  try {
    root = JsonParser.parse(text);
  } catch (error) {
    const at = (error as { location?: { start?: { line?: number; column?: number } } }).location?.start;
    throw new Error(
      `its JSON5 editor cannot follow the text at line ${at?.line ?? 1}, column ${at?.column ?? 1} (a bare key that is a reserved word, a \\x escape, or a '…"…' string)`,
    );
  }
  if (!(root instanceof JsonObjectNode)) throw new Error('the file must hold an object');
  return root;
}

function keyOf(property: JsonPropertyNode): string {
  return String(property.key.toJSON());
}

const start = (node: { location: { start: { index: number } } }) => node.location.start.index;
const end = (node: { location: { end: { index: number } } }) => node.location.end.index;

function applyChange(text: string, change: { path: string[]; value: Value | undefined }, unit: string, eol: string): string {
  const root = rootOf(text);
  const chain: JsonPropertyNode[] = [];
  let object: JsonObjectNode = root;
  // New keys follow the file's habit: bare when its first key is.
  const fileBare = bare(root);
  for (let depth = 0; depth < change.path.length; depth++) {
    const name = change.path[depth] as string;
    const property = object.properties.find((p) => keyOf(p) === name);
    if (!property) {
      if (change.value === undefined) return text;
      return insertProperty(text, object, name, nest(change.path.slice(depth + 1), change.value), unit, eol, fileBare);
    }
    chain.push(property);
    if (depth === change.path.length - 1) break;
    if (!(property.value instanceof JsonObjectNode)) {
      // Something that is not an object stands where one is needed: replace it whole.
      if (change.value === undefined) return text;
      const built = nest(change.path.slice(depth + 1), change.value);
      return splice(
        text,
        start(property.value),
        end(property.value),
        renderIn(text, object, built, indentAt(text, start(property.value)), unit, eol, fileBare),
      );
    }
    object = property.value;
  }
  const target = chain[chain.length - 1] as JsonPropertyNode;
  if (change.value !== undefined) {
    const holder = chain.length > 1 ? (chain[chain.length - 2]?.value as JsonObjectNode) : root;
    return splice(
      text,
      start(target.value),
      end(target.value),
      renderIn(text, holder, change.value, indentAt(text, start(target)), unit, eol, fileBare),
    );
  }
  // Remove the property, then every object it leaves empty (but the root).
  const holderOf = (index: number): JsonObjectNode =>
    (index > 0 ? (chain[index - 1] as JsonPropertyNode).value : root) as JsonObjectNode;
  let remove = chain.length - 1;
  while (remove > 0 && holderOf(remove).properties.length === 1) remove--;
  const property = chain[remove] as JsonPropertyNode;
  const holder = holderOf(remove);
  return removeProperty(text, holder, property);
}

function nest(path: string[], value: Value): Value {
  return path.reduceRight<Value>((inner, segment) => ({ [segment]: inner }), value);
}

/** Whether an object writes its keys bare (`name: 1`): its first key does. */
function bare(object: JsonObjectNode): boolean {
  const first = object.properties[0];
  return first ? first.key instanceof JsonIdentifierNode : false;
}

/** Whether the object ends with a comma after its last property. */
function trailingComma(text: string, object: JsonObjectNode): { at: number } | null {
  const last = object.properties[object.properties.length - 1];
  if (!last) return null;
  const at = skipBlank(text, end(last), end(object) - 1);
  return text[at] === ',' ? { at } : null;
}

/** The first index at or after `from` (before `limit`) that is not whitespace or a comment. */
function skipBlank(text: string, from: number, limit: number): number {
  let i = from;
  while (i < limit) {
    const c = text[i] as string;
    if (/\s/.test(c)) i++;
    else if (text.startsWith('//', i)) {
      const next = text.indexOf('\n', i);
      i = next < 0 ? limit : next;
    } else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? limit : close + 2;
    } else break;
  }
  return i;
}

/** Where the line holding `from` ends, when only spaces and a comment follow `from` on it; else null. */
function restOfLine(text: string, from: number): number | null {
  let i = from;
  while (text[i] === ' ' || text[i] === '\t') i++;
  if (text.startsWith('//', i)) {
    const next = text.indexOf('\n', i);
    i = next < 0 ? text.length : text[next - 1] === '\r' ? next - 1 : next;
  } else if (text.startsWith('/*', i)) {
    const close = text.indexOf('*/', i + 2);
    if (close < 0 || text.slice(i, close).includes('\n')) return null;
    i = close + 2;
    while (text[i] === ' ' || text[i] === '\t') i++;
  }
  if (i >= text.length) return text.length;
  if (text[i] === '\r' && text[i + 1] === '\n') return i;
  return text[i] === '\n' ? i : null;
}

function insertProperty(
  text: string,
  object: JsonObjectNode,
  name: string,
  value: Value,
  unit: string,
  eol: string,
  fileBare: boolean,
): string {
  const props = object.properties;
  const last = props[props.length - 1];
  const objectIndent = indentAt(text, start(object));
  const keyStyle = last ? bare(object) : fileBare;
  if (!last) {
    const inner = objectIndent + unit;
    const body = `${eol}${inner}${renderKey(name, keyStyle)}: ${render(value, inner, unit, eol, keyStyle)}${eol}${objectIndent}`;
    return splice(text, start(object) + 1, end(object) - 1, body);
  }
  const entry = (indent: string) => `${renderKey(name, keyStyle)}: ${render(value, indent, unit, eol, keyStyle)}`;
  const comma = trailingComma(text, object);
  const inline = !text.slice(start(object), end(object)).includes('\n');
  if (inline) {
    const oneLine = `${renderKey(name, keyStyle)}: ${renderInline(value, keyStyle)}`;
    if (comma) return splice(text, comma.at + 1, comma.at + 1, ` ${oneLine},`);
    return splice(text, end(last), end(last), `, ${oneLine}`);
  }
  const indent = indentAt(text, start(last));
  if (comma) {
    const lineEnd = restOfLine(text, comma.at + 1);
    const at = lineEnd ?? comma.at + 1;
    return splice(text, at, at, `${eol}${indent}${entry(indent)},`);
  }
  // A comma after the last property, then the new one on a line of its own, after any comment that ends that line.
  const lineEnd = restOfLine(text, end(last));
  const withComma = splice(text, end(last), end(last), ',');
  const at = lineEnd === null ? end(last) + 1 : lineEnd + 1;
  return splice(withComma, at, at, `${eol}${indent}${entry(indent)}`);
}

function removeProperty(text: string, object: JsonObjectNode, property: JsonPropertyNode): string {
  const siblings = object.properties;
  const index = siblings.indexOf(property);
  const previous = siblings[index - 1];
  const following = siblings[index + 1];
  const lineStart = text.lastIndexOf('\n', start(property) - 1) + 1;
  const ownLine = /^[ \t]*$/.test(text.slice(lineStart, start(property)));
  let after = skipSpaces(text, end(property));
  const hasComma = text[after] === ',';
  if (hasComma) after += 1;
  const lineEnd = ownLine ? restOfLine(text, after) : null;

  if (!previous && !following) {
    // The only property: the object becomes `{}` when nothing else (a comment) is inside.
    const inside = text.slice(start(object) + 1, end(object) - 1);
    const rest = inside.slice(0, start(property) - start(object) - 1) + inside.slice(after - start(object) - 1);
    if (rest.trim() === '') return splice(text, start(object) + 1, end(object) - 1, '');
  }
  if (ownLine && lineEnd !== null) {
    // The whole line(s) go; when the property was last with no comma, so does the comma before it.
    const cutEnd = text.startsWith('\r\n', lineEnd) ? lineEnd + 2 : text[lineEnd] === '\n' ? lineEnd + 1 : lineEnd;
    let out = splice(text, lineStart, cutEnd, '');
    if (!hasComma && !following && previous) {
      const commaAt = skipBlank(out, end(previous), lineStart);
      if (out[commaAt] === ',') out = splice(out, commaAt, commaAt + 1, '');
    }
    return out;
  }
  if (!previous) return splice(text, start(property), skipSpaces(text, after), '');
  if (!hasComma) return splice(text, end(previous), end(property), '');
  // Between two properties on one line: from after the comma that ends the previous one to after this one's.
  const previousComma = skipBlank(text, end(previous), start(property));
  return splice(text, previousComma + 1, after, '');
}

function skipSpaces(text: string, from: number): number {
  let i = from;
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function renderKey(name: string, bareKeys: boolean): string {
  return bareKeys && IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/** A value in JSON5, nested lines indented under `indent`; arrays of scalars on one line. */
function render(value: Value, indent: string, unit: string, eol: string, bareKeys: boolean): string {
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    const inner = indent + unit;
    return `[${eol}${value.map((v) => inner + render(v, inner, unit, eol, bareKeys)).join(`,${eol}`)}${eol}${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const inner = indent + unit;
    const lines = entries.map(([k, v]) => `${inner}${renderKey(k, bareKeys)}: ${render(v, inner, unit, eol, bareKeys)}`);
    return `{${eol}${lines.join(`,${eol}`)}${eol}${indent}}`;
  }
  return JSON.stringify(value);
}

/** A value for a place in `object`: on one line when the object is written on one line. */
function renderIn(
  text: string,
  object: JsonObjectNode,
  value: Value,
  indent: string,
  unit: string,
  eol: string,
  bareKeys: boolean,
) {
  if (!text.slice(start(object), end(object)).includes('\n')) return renderInline(value, bareKeys);
  return render(value, indent, unit, eol, bareKeys);
}

/** A value in JSON5 on one line, for an object written on one line. */
function renderInline(value: Value, bareKeys: boolean): string {
  if (Array.isArray(value)) return `[${value.map((v) => renderInline(v, bareKeys)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${renderKey(k, bareKeys)}: ${renderInline(v, bareKeys)}`);
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  }
  return JSON.stringify(value);
}

function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
}

function splice(text: string, from: number, to: number, content: string): string {
  return text.slice(0, from) + content + text.slice(to);
}

/**
 * The text with every credential-like string value masked, for diffs and
 * previews; a text it cannot follow is shown as a sentence, never as itself.
 */
export function redactJson5Text(text: string): string {
  if (text.trim() === '') return text;
  let root: JsonValueNode;
  try {
    root = JsonParser.parse(text);
  } catch {
    return '(a JSON5 text KeyTray cannot show safely)\n';
  }
  const spans: { from: number; to: number; value: string }[] = [];
  const visit = (node: JsonValueNode, name: string | null) => {
    if (node instanceof JsonObjectNode) for (const p of node.properties) visit(p.value, keyOf(p));
    else if (node instanceof JsonArrayNode) for (const element of node.elements) visit(element, null);
    else if (node instanceof JsonPrimitiveNode && typeof node.value === 'string' && node.value !== '') {
      const secretName = name !== null && (SECRET_NAME.test(name) || JSON5_SECRET_NAME.test(name));
      if (secretName || LOOKS_LIKE_KEY.test(node.value)) spans.push({ from: start(node), to: end(node), value: node.value });
    }
  };
  visit(root, null);
  let out = text;
  for (const span of spans.reverse()) out = splice(out, span.from, span.to, JSON.stringify(maskSecret(span.value)));
  return out;
}
