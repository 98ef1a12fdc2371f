/**
 * Edits to TOML files (Codex's config.toml) that keep everything the user
 * wrote: comments, order, blank lines and quoting of every other key. Pure
 * (text in, text out) on top of toml-eslint-parser, whose syntax tree gives
 * each table and key-value its source range; only the changed key-values
 * (or inserted lines) change.
 *
 * A change's path is the table path then the key: `['model_provider']` is a
 * top-level key, `['model_providers', 'keytray', 'auth', 'command']` the
 * `command` key of `[model_providers.keytray.auth]`. A value of undefined
 * removes the key; a table whose last key goes is removed with its header.
 */
import { type AST, getStaticTOMLValue, ParseError, parseTOML } from 'toml-eslint-parser';
import { maskSecret } from '../mask';
import type { Change, FormatParse, Scalar } from './file-format';
import { LOOKS_LIKE_KEY, SECRET_NAME } from './secret-names';

export type TomlValue = Scalar | Scalar[];

export function parseTomlText(text: string): FormatParse {
  try {
    const ast = parseTOML(text, { tomlVersion: '1.0.0' });
    const value = getStaticTOMLValue(ast) as Record<string, unknown>;
    return { ok: true, value };
  } catch (error) {
    if (error instanceof ParseError) {
      // The parser's message names the rule broken, never the text around it.
      return { ok: false, problem: error.message.replace(/\.$/, ''), line: error.lineNumber, column: error.column + 1 };
    }
    throw error;
  }
}

export function editTomlText(text: string, changes: Change[]): string {
  let next = text;
  for (const change of changes) next = applyChange(next, change.path, change.value as TomlValue | undefined);
  return next;
}

/** The key-value at `path`, wherever it is written (a table's body, a dotted key, an inline table), or null. */
function findKeyValue(ast: AST.TOMLProgram, path: string[]): AST.TOMLKeyValue | null {
  const top = ast.body[0];
  const want = path.join('\u0000');
  let found: AST.TOMLKeyValue | null = null;
  const visit = (kv: AST.TOMLKeyValue, prefix: (string | number)[]) => {
    const full = [...prefix, ...kv.key.keys.map(keyName)];
    if (full.join('\u0000') === want) found = kv;
    else if (kv.value.type === 'TOMLInlineTable') for (const inner of kv.value.body) visit(inner, full);
  };
  for (const node of top.body) {
    if (node.type === 'TOMLKeyValue') visit(node, []);
    else if (node.kind === 'standard') for (const kv of node.body) visit(kv, node.resolvedKey);
  }
  return found;
}

function keyName(key: AST.TOMLBare | AST.TOMLQuoted): string {
  return key.type === 'TOMLBare' ? key.name : key.value;
}

function standardTable(ast: AST.TOMLProgram, path: string[]): AST.TOMLTable | null {
  const want = path.join('\u0000');
  for (const node of ast.body[0].body) {
    if (node.type === 'TOMLTable' && node.kind === 'standard' && node.resolvedKey.join('\u0000') === want) return node;
  }
  return null;
}

function applyChange(text: string, path: string[], value: TomlValue | undefined): string {
  const ast = parseTOML(text, { tomlVersion: '1.0.0' });
  const existing = findKeyValue(ast, path);
  if (existing) {
    if (value === undefined) return removeKeyValue(text, existing);
    return splice(text, existing.value.range[0], existing.value.range[1] - existing.value.range[0], renderValue(value));
  }
  if (value === undefined) return text;
  const tablePath = path.slice(0, -1);
  const key = path[path.length - 1] as string;
  const line = `${renderKey(key)} = ${renderValue(value)}`;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  if (tablePath.length === 0) return insertTopLevel(text, ast, line, eol);
  const table = standardTable(ast, tablePath);
  if (table) return insertAfter(text, table.body[table.body.length - 1] ?? table, line, eol);
  assertNoOtherDefinition(ast, tablePath);
  // A new table at the end of the file, set off by a blank line.
  const body = text.replace(/[ \t]*(\r?\n[ \t]*)*$/, '');
  const header = `[${tablePath.map(renderKey).join('.')}]`;
  return `${body}${body === '' ? '' : `${eol}${eol}`}${header}${eol}${line}${eol}`;
}

/** A key can't be added under a table that is written some other way (inline, dotted, an array of tables). */
function assertNoOtherDefinition(ast: AST.TOMLProgram, tablePath: string[]): void {
  for (let depth = 1; depth <= tablePath.length; depth++) {
    const prefix = tablePath.slice(0, depth);
    const kv = findKeyValue(ast, prefix);
    if (kv) {
      throw new TomlEditError(
        `"${prefix.join('.')}" is written as a value (${kv.value.type === 'TOMLInlineTable' ? 'an inline table' : 'not a table'}) on line ${kv.loc.start.line}, so KeyTray cannot add [${tablePath.join('.')}] beside it`,
      );
    }
    for (const node of ast.body[0].body) {
      if (node.type === 'TOMLTable' && node.kind === 'array' && node.resolvedKey.join('\u0000') === prefix.join('\u0000')) {
        throw new TomlEditError(`"${prefix.join('.')}" is an array of tables (line ${node.loc.start.line})`);
      }
    }
  }
}

export class TomlEditError extends Error {}

/** Top-level keys must come before the first table header: after the last one, or at the top (after leading comments). */
function insertTopLevel(text: string, ast: AST.TOMLProgram, line: string, eol: string): string {
  const nodes = ast.body[0].body;
  const lastTopKey = [...nodes].reverse().find((n): n is AST.TOMLKeyValue => n.type === 'TOMLKeyValue');
  if (lastTopKey) return insertAfter(text, lastTopKey, line, eol);
  const firstTable = nodes[0];
  if (!firstTable) {
    const body = text.replace(/[ \t]*(\r?\n[ \t]*)*$/, '');
    return `${body}${body === '' ? '' : eol}${line}${eol}`;
  }
  // Before the first table, after the comment block that sits right above it (it belongs to the table).
  let at = lineStart(text, firstTable.range[0]);
  while (at > 0) {
    const previous = lineStart(text, at - 1);
    if (!/^[ \t]*#/.test(text.slice(previous, at))) break;
    at = previous;
  }
  return splice(text, at, 0, `${line}${eol}${eol}`);
}

/** Inserts `line` on its own line after `node`'s line, in its indentation. */
function insertAfter(text: string, node: AST.TOMLNode, line: string, eol: string): string {
  const end = lineEnd(text, node.range[1]);
  const indent = /^[ \t]*/.exec(text.slice(lineStart(text, node.range[0])))?.[0] ?? '';
  const ownIndent = node.type === 'TOMLTable' ? '' : indent;
  if (end === text.length) return `${text}${text.endsWith('\n') ? '' : eol}${ownIndent}${line}${eol}`;
  return splice(text, end + 1, 0, `${ownIndent}${line}${eol}`);
}

function removeKeyValue(text: string, kv: AST.TOMLKeyValue): string {
  const parent = kv.parent;
  if (parent.type === 'TOMLInlineTable') {
    throw new TomlEditError(`the key on line ${kv.loc.start.line} sits in an inline table; KeyTray leaves those to you`);
  }
  if (parent.type === 'TOMLTable' && parent.body.length === 1 && parent.body[0] === kv) {
    // The table's only key: the table goes with it, with its own comments and the blank line before it.
    let start = lineStart(text, parent.range[0]);
    while (start > 0) {
      const previous = lineStart(text, start - 1);
      if (!/^[ \t]*(#.*)?\r?\n?$/.test(text.slice(previous, start))) break;
      start = previous;
    }
    const end = lineEnd(text, parent.range[1]);
    const removed = cut(text, start, Math.min(end + 1, text.length));
    return start === 0 ? removed.replace(/^(\r?\n)+/, '') : removed;
  }
  const start = lineStart(text, kv.range[0]);
  const end = lineEnd(text, kv.range[1]);
  return cut(text, start, Math.min(end + 1, text.length));
}

function lineStart(text: string, offset: number): number {
  // lastIndexOf reads a negative start as 0, and would find a newline at 0 for offset 0.
  return offset <= 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1;
}

/** The offset of the newline ending the line that holds `offset` (text.length on the last line). */
function lineEnd(text: string, offset: number): number {
  const at = text.indexOf('\n', offset);
  return at < 0 ? text.length : at;
}

export function renderKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

export function renderValue(value: TomlValue): string {
  if (Array.isArray(value)) return `[${value.map((v) => renderValue(v)).join(', ')}]`;
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/** The text with every credential-like string value masked, for diffs. */
export function redactTomlText(text: string): string {
  let ast: AST.TOMLProgram;
  try {
    ast = parseTOML(text, { tomlVersion: '1.0.0' });
  } catch {
    return text.replace(/=\s*(["'])[^"'\n]*\1/g, '= "…"');
  }
  const spans: { range: [number, number]; value: string }[] = [];
  const visitValue = (node: AST.TOMLContentNode, name: string) => {
    if (node.type === 'TOMLValue' && node.kind === 'string') {
      if (node.value !== '' && (SECRET_NAME.test(name) || LOOKS_LIKE_KEY.test(node.value)))
        spans.push({ range: node.range, value: node.value });
    } else if (node.type === 'TOMLArray') for (const e of node.elements) visitValue(e, name);
    else if (node.type === 'TOMLInlineTable')
      for (const kv of node.body) visitValue(kv.value, keyName(kv.key.keys.at(-1) as AST.TOMLBare));
  };
  for (const node of ast.body[0].body) {
    for (const kv of node.type === 'TOMLKeyValue' ? [node] : node.body)
      visitValue(kv.value, keyName(kv.key.keys.at(-1) as AST.TOMLBare));
  }
  let out = text;
  for (const span of spans.sort((a, b) => b.range[0] - a.range[0])) {
    out = splice(out, span.range[0], span.range[1] - span.range[0], JSON.stringify(maskSecret(span.value)));
  }
  return out;
}

function splice(text: string, offset: number, length: number, content: string): string {
  return text.slice(0, offset) + content + text.slice(offset + length);
}

function cut(text: string, from: number, to: number): string {
  return text.slice(0, from) + text.slice(to);
}
