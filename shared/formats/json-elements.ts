/**
 * Settings files whose entries live in arrays of objects (claude-code-router's
 * `Providers` and `transformers`): a path segment `[name=value]` picks the
 * array element whose `name` property is `value`. Setting it replaces that
 * element whole (or appends it, creating the array when missing); removing it
 * cuts exactly that element and its separator. Every other byte stays. Other
 * changes are plain object paths, as in json-edit. Pure.
 */
import { findNodeAtLocation, type Node as JsonNode, parseTree } from 'jsonc-parser';
import { editSettingsText, type JsonValue, layoutOf, type ParsedSettings, parseJsoncText } from './json-edit';

/** `[prop=value]`: the element of an array of objects whose `prop` is `value`. */
const ELEMENT = /^\[([A-Za-z_][A-Za-z0-9_]*)=(.*)\]$/s;

export function elementSegment(property: string, value: string): string {
  return `[${property}=${value}]`;
}

/** JSON with comments and trailing commas, as a JSON5 reader takes them (claude-code-router reads JSON5). */
export function parseLenientJsonText(text: string): ParsedSettings {
  return parseJsoncText(text, true);
}

export function editWithElements(text: string, changes: { path: string[]; value: JsonValue | undefined }[]): string {
  let next = text;
  for (const change of changes) {
    const at = change.path.findIndex((segment) => ELEMENT.test(segment));
    if (at < 0) {
      next = editSettingsText(next, [change]);
      continue;
    }
    if (at !== change.path.length - 1) throw new Error('an array element can only be set or removed whole');
    next = editElement(next, change.path.slice(0, at), change.path[at] as string, change.value);
  }
  return next;
}

/** The element a selector names, as parsed; undefined when absent. */
export function findElement(root: unknown, arrayPath: string[], selector: string): unknown {
  const match = ELEMENT.exec(selector);
  let node: unknown = root;
  for (const segment of arrayPath) node = (node as Record<string, unknown> | undefined)?.[segment];
  if (!match || !Array.isArray(node)) return undefined;
  return node.find((e) => typeof e === 'object' && e !== null && (e as Record<string, unknown>)[match[1] as string] === match[2]);
}

function editElement(text: string, arrayPath: string[], selector: string, value: JsonValue | undefined): string {
  const [, property, wanted] = ELEMENT.exec(selector) as RegExpExecArray;
  const source = text.trim() === '' ? '{}' : text;
  const root = parseTree(source);
  if (root?.type !== 'object') throw new Error('settings text must hold an object');
  const array = findNodeAtLocation(root, arrayPath);
  if (!array) {
    if (value === undefined) return text;
    return editSettingsText(text, [{ path: arrayPath, value: [value] }]);
  }
  if (array.type !== 'array') throw new Error(`${arrayPath.join('.')} is not a list`);
  const elements = array.children ?? [];
  const index = elements.findIndex((e) => {
    const prop = e.type === 'object' ? findNodeAtLocation(e, [property as string]) : undefined;
    return prop?.type === 'string' && prop.value === wanted;
  });
  const { unit, eol } = layoutOf(source);
  if (index >= 0) {
    const element = elements[index] as JsonNode;
    if (value !== undefined) {
      return splice(source, element.offset, element.length, render(value, indentAt(source, element.offset), unit, eol));
    }
    const previous = elements[index - 1];
    const following = elements[index + 1];
    if (previous)
      return splice(
        source,
        previous.offset + previous.length,
        element.offset + element.length - (previous.offset + previous.length),
        '',
      );
    if (following) return splice(source, element.offset, following.offset - element.offset, '');
    return splice(source, array.offset + 1, array.length - 2, '');
  }
  if (value === undefined) return text;
  const last = elements[elements.length - 1];
  const arrayIndent = indentAt(source, array.offset);
  if (!last) {
    const inner = arrayIndent + unit;
    return splice(
      source,
      array.offset + 1,
      array.length - 2,
      `${eol}${inner}${render(value, inner, unit, eol)}${eol}${arrayIndent}`,
    );
  }
  if (!source.slice(array.offset, array.offset + array.length).includes('\n')) {
    return splice(source, last.offset + last.length, 0, `, ${JSON.stringify(value)}`);
  }
  const indent = indentAt(source, last.offset);
  return splice(source, last.offset + last.length, 0, `,${eol}${indent}${render(value, indent, unit, eol)}`);
}

function render(value: JsonValue, indent: string, unit: string, eol: string): string {
  return JSON.stringify(value, null, unit).split('\n').join(`${eol}${indent}`);
}

function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
}

function splice(text: string, offset: number, length: number, content: string): string {
  return text.slice(0, offset) + content + text.slice(offset + length);
}
