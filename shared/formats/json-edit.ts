/**
 * Edits to other tools' JSON settings files that keep everything the user
 * wrote: every other key, its order, the indentation and line endings. Pure
 * (text in, text out) on top of jsonc-parser, the editor VS Code uses for its
 * own settings.
 */
import {
  findNodeAtLocation,
  type Node as JsonNode,
  type ParseError,
  parse,
  parseTree,
  printParseErrorCode,
  visit,
} from 'jsonc-parser';
import { maskSecret } from '../mask';
import { LOOKS_LIKE_KEY, SECRET_NAME } from './secret-names';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** One owned setting: its path, and the value to set (undefined removes it). */
export interface SettingChange {
  path: string[];
  value: JsonValue | undefined;
}

export type ParsedSettings = { ok: true; value: JsonObject } | { ok: false; problem: string; line: number; column: number };

/**
 * Strict JSON, as Claude Code reads it. An empty file counts as `{}`. The
 * problem names the position but never quotes the text: it may hold a key.
 */
export function parseSettingsText(text: string): ParsedSettings {
  if (text.trim() === '') return { ok: true, value: {} };
  const errors: ParseError[] = [];
  // jsonc-parser finds the position of a problem; JSON.parse reads the value, faithfully:
  // jsonc-parser's value drops keys named "__proto__", which Claude Code would see.
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first) {
    const { line, column } = position(text, first.offset);
    return { ok: false, problem: describeError(printParseErrorCode(first.error)), line, column };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'something JSON does not allow', line: 1, column: 1 };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problem: 'the top level must be an object ({ … })', line: 1, column: 1 };
  }
  return { ok: true, value: value as JsonObject };
}

/**
 * JSON with comments, as Gemini CLI reads its settings.json (trailing commas
 * still stop it; OpenCode's opencode.json allows them: `trailingCommas`).
 * The value is jsonc-parser's: comments have no JSON.parse.
 */
export function parseJsoncText(text: string, trailingCommas = false): ParsedSettings {
  if (text.trim() === '') return { ok: true, value: {} };
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, {
    disallowComments: false,
    allowTrailingComma: trailingCommas,
    allowEmptyContent: false,
  });
  const first = errors[0];
  if (first) {
    const { line, column } = position(text, first.offset);
    return { ok: false, problem: describeError(printParseErrorCode(first.error)), line, column };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problem: 'the top level must be an object ({ … })', line: 1, column: 1 };
  }
  return { ok: true, value: value as JsonObject };
}

/**
 * Applies the changes. Only the bytes of the changed values (or the inserted
 * properties) change: a new property is written in the file's own indentation
 * and line endings, on one line in an object written on one line.
 */
export function editSettingsText(text: string, changes: SettingChange[]): string {
  const created = text.trim() === '';
  const { unit, eol } = layoutOf(text);
  let next = created ? '{}' : text;
  for (const change of changes) next = applyChange(next, change, unit, eol);
  // A file KeyTray creates ends with a newline, like one a person saves.
  if (created && !next.endsWith(eol)) next += eol;
  return next;
}

/** The file's own indentation unit and line ending (two spaces and \\n for a new file). */
export function layoutOf(text: string): { unit: string; eol: string } {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indented = text.split(/\r?\n/).find((line) => /^[ \t]+\S/.test(line));
  if (indented?.startsWith('\t')) return { unit: '\t', eol };
  const width = indented ? (/^ +/.exec(indented)?.[0].length ?? 2) : 2;
  return { unit: ' '.repeat(Math.min(width, 8)), eol };
}

function applyChange(text: string, change: SettingChange, unit: string, eol: string): string {
  const root = parseTree(text);
  if (root?.type !== 'object') throw new Error('settings text must hold an object');
  let node: JsonNode = root;
  let depth = 0;
  for (; depth < change.path.length; depth++) {
    const child = findNodeAtLocation(node, [change.path[depth] as string]);
    if (!child) break;
    if (depth < change.path.length - 1 && child.type !== 'object') {
      // Something that is not an object stands where one is needed: replace it whole.
      if (change.value === undefined) return text;
      const built = nest(change.path.slice(depth + 1), change.value);
      return splice(text, child.offset, child.length, render(built, indentAt(text, child.offset), unit, eol));
    }
    node = child;
  }
  if (depth === change.path.length) {
    if (change.value === undefined) return removeProperty(text, node);
    return splice(text, node.offset, node.length, render(change.value, indentAt(text, node.offset), unit, eol));
  }
  if (change.value === undefined) return text;
  const name = change.path[depth] as string;
  return insertProperty(text, node, name, nest(change.path.slice(depth + 1), change.value), unit, eol);
}

function nest(path: string[], value: JsonValue): JsonValue {
  return path.reduceRight<JsonValue>((inner, segment) => ({ [segment]: inner }), value);
}

function insertProperty(text: string, object: JsonNode, name: string, value: JsonValue, unit: string, eol: string): string {
  const props = object.children ?? [];
  const objectIndent = indentAt(text, object.offset);
  const last = props[props.length - 1];
  if (!last) {
    const inner = objectIndent + unit;
    const body = `${eol}${inner}${JSON.stringify(name)}: ${render(value, inner, unit, eol)}${eol}${objectIndent}`;
    return splice(text, object.offset + 1, object.length - 2, body);
  }
  const inline = !text.slice(object.offset, object.offset + object.length).includes('\n');
  if (inline) return splice(text, last.offset + last.length, 0, `, ${JSON.stringify(name)}: ${JSON.stringify(value)}`);
  const indent = indentAt(text, last.offset);
  return splice(
    text,
    last.offset + last.length,
    0,
    `,${eol}${indent}${JSON.stringify(name)}: ${render(value, indent, unit, eol)}`,
  );
}

function removeProperty(text: string, value: JsonNode): string {
  const property = value.parent;
  const siblings = property?.parent?.children ?? [];
  const index = property ? siblings.indexOf(property) : -1;
  if (!property || index < 0) return text;
  const previous = siblings[index - 1];
  const following = siblings[index + 1];
  if (previous) return cut(text, previous.offset + previous.length, property.offset + property.length);
  if (following) return cut(text, property.offset, following.offset);
  const object = property.parent as JsonNode;
  return splice(text, object.offset + 1, object.length - 2, '');
}

/** A value as JSON, nested lines indented under `indent`. */
function render(value: JsonValue, indent: string, unit: string, eol: string): string {
  return JSON.stringify(value, null, unit).split('\n').join(`${eol}${indent}`);
}

/** The whitespace that starts the line holding `offset`. */
function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
}

function splice(text: string, offset: number, length: number, content: string): string {
  return text.slice(0, offset) + content + text.slice(offset + length);
}

function cut(text: string, from: number, to: number): string {
  return text.slice(0, from) + text.slice(to);
}

/**
 * The text with every credential-like string value masked, for diffs and
 * previews. Offsets come from the parser, so only values are touched.
 */
export function redactSettingsText(text: string): string {
  const spans: { offset: number; length: number; value: string }[] = [];
  let property: string | null = null;
  visit(text, {
    onObjectProperty: (name) => {
      property = name;
    },
    onLiteralValue: (value, offset, length) => {
      if (typeof value === 'string' && value !== '' && ((property && SECRET_NAME.test(property)) || LOOKS_LIKE_KEY.test(value))) {
        spans.push({ offset, length, value });
      }
      property = null;
    },
    onObjectBegin: () => {
      property = null;
    },
    onArrayBegin: () => {
      property = null;
    },
  });
  let out = text;
  for (const span of spans.reverse()) {
    out = `${out.slice(0, span.offset)}${JSON.stringify(maskSecret(span.value))}${out.slice(span.offset + span.length)}`;
  }
  return out;
}

export function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

export function describeError(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'an unexpected character',
    InvalidNumberFormat: 'a malformed number',
    PropertyNameExpected: 'a property name was expected',
    ValueExpected: 'a value was expected',
    ColonExpected: 'a colon was expected',
    CommaExpected: 'a comma was expected',
    CloseBraceExpected: 'a closing brace was expected',
    CloseBracketExpected: 'a closing bracket was expected',
    EndOfFileExpected: 'the file should end here',
    InvalidCommentToken: 'comments are not allowed in JSON',
    UnexpectedEndOfComment: 'an unfinished comment',
    UnexpectedEndOfString: 'an unfinished string',
    UnexpectedEndOfNumber: 'an unfinished number',
    InvalidUnicode: 'a bad unicode escape',
    InvalidEscapeCharacter: 'a bad escape character',
    InvalidCharacter: 'a character not allowed in a string',
  };
  return words[code] ?? code;
}
