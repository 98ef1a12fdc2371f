/**
 * Edits to dotenv files (Gemini CLI's `~/.gemini/.env`) that keep every other
 * line as it was: comments, blank lines, quoting, `export` prefixes. Values
 * are read with `dotenv`, the parser Gemini CLI itself uses; it reports no
 * positions, so an assignment's line is found by its name and then checked
 * against what `dotenv` reads from the whole file: a value that spans lines
 * (a quoted multi-line value) is left to the user rather than cut in half.
 *
 * A change's path is one variable name; undefined removes its assignments.
 */
import { parse } from 'dotenv';
import type { Change, FormatParse } from '../../../shared/formats/file-format';
import { LOOKS_LIKE_KEY, SECRET_NAME } from '../../../shared/formats/secret-names';
import { maskSecret } from '../../../shared/mask';

/** dotenv's own syntax for a name, and the start of an assignment line. */
const NAME = /^[\w.-]+$/;

export function parseDotenvText(text: string): FormatParse {
  // dotenv skips what it cannot read instead of failing; so does every tool that reads the file.
  return { ok: true, value: parse(text) };
}

export function editDotenvText(text: string, changes: Change[]): string {
  let next = text;
  for (const change of changes) {
    const [name, ...rest] = change.path;
    if (name === undefined || rest.length > 0 || !NAME.test(name))
      throw new Error(`not a dotenv variable path: ${change.path.join('.')}`);
    next = change.value === undefined ? removeVariable(next, name) : setVariable(next, name, String(change.value));
  }
  return next;
}

interface Assignment {
  /** Offsets of the whole line, its newline excluded. */
  start: number;
  end: number;
  /** What the line alone assigns. */
  value: string;
}

function assignments(text: string, name: string): Assignment[] {
  const found: Assignment[] = [];
  const starts = new RegExp(`^[ \\t]*(?:export[ \\t]+)?${name.replace(/[.-]/g, '\\$&')}(?:[ \\t]*=|:[ \\t])`, 'gm');
  for (let match = starts.exec(text); match; match = starts.exec(text)) {
    const start = match.index;
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline > 0 && text[newline - 1] === '\r' ? newline - 1 : newline;
    const value = parse(text.slice(start, end))[name];
    if (value !== undefined) found.push({ start, end, value });
  }
  const whole = parse(text)[name];
  const last = found[found.length - 1];
  if (whole !== undefined && last?.value !== whole) {
    throw new DotenvEditError(`the value of ${name} spans several lines, so KeyTray leaves it to you`);
  }
  return found;
}

export class DotenvEditError extends Error {}

/** The line (from 1) of the assignment dotenv reads for `name`, or null (absent, or spanning lines). */
export function assignmentLine(text: string, name: string): number | null {
  try {
    const last = assignments(text, name).at(-1);
    return last ? text.slice(0, last.start).split('\n').length : null;
  } catch {
    return null;
  }
}

function setVariable(text: string, name: string, value: string): string {
  const line = `${name}=${renderValue(value)}`;
  const last = assignments(text, name).at(-1);
  if (last) {
    const exported = /^[ \t]*export[ \t]+/.exec(text.slice(last.start, last.end))?.[0] ?? '';
    return text.slice(0, last.start) + exported + line + text.slice(last.end);
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return `${text}${text === '' || text.endsWith('\n') ? '' : eol}${line}${eol}`;
}

function removeVariable(text: string, name: string): string {
  let next = text;
  for (const { start, end } of assignments(text, name).reverse()) {
    const newline = next.indexOf('\n', end);
    next = next.slice(0, start) + next.slice(newline < 0 ? end : newline + 1);
  }
  return next;
}

/** Unquoted when dotenv reads it back unchanged, double-quoted otherwise. */
function renderValue(value: string): string {
  if (/^[A-Za-z0-9_./:@%+,=-]*$/.test(value)) return value;
  if (/["\r\n]/.test(value)) throw new DotenvEditError('a value with quotes or line breaks cannot be written to a dotenv file');
  return `"${value}"`;
}

/** The text with credential values masked, for diffs. */
export function redactDotenvText(text: string): string {
  return text.replace(
    /^([ \t]*(?:export[ \t]+)?([\w.-]+)[ \t]*=[ \t]*)(["'`]?)([^\r\n#"'`]*)\3/gm,
    (line, head, name, quote, value) =>
      value !== '' && (SECRET_NAME.test(name) || LOOKS_LIKE_KEY.test(value))
        ? `${head}${quote}${maskSecret(value)}${quote}`
        : line,
  );
}
