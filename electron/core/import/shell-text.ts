/**
 * Reading shell startup files for plaintext keys, line by line, never
 * evaluating them. An assignment counts only when it is a whole line holding
 * one literal value (quoted or bare, no `$`, no backquote): anything the
 * shell would have to expand is not a key on disk. Here-documents are read
 * past, never into: their lines are data for a command, not assignments.
 */
import { CREDENTIAL_NAME, looksLikeKey } from '../../../shared/import/judge-provider';
import { maskSecret } from '../../../shared/mask';

export type ShellDialect = 'sh' | 'fish' | 'csh';

export interface ShellAssignment {
  /** 1-based. */
  line: number;
  name: string;
  value: string;
}

const VALUE = `(?:'([^'\\n]*)'|"([^"$\`\\\\\\n]*)"|([^\\s'"$\`\\\\;#&|<>()]+))`;
const TAIL = `\\s*;?\\s*(?:#.*)?$`;
const ASSIGNMENT: Record<ShellDialect, RegExp> = {
  // NAME=v, export NAME=v, declare -x NAME=v, typeset -x NAME=v, readonly NAME=v
  sh: new RegExp(`^\\s*(?:(?:export|readonly|declare|typeset)(?:\\s+-[a-zA-Z]+)*\\s+)?([A-Za-z_][A-Za-z0-9_]*)=${VALUE}${TAIL}`),
  // set -gx NAME v
  fish: new RegExp(`^\\s*set\\s+(?:-[a-zA-Z]+\\s+)*([A-Za-z_][A-Za-z0-9_]*)\\s+${VALUE}${TAIL}`),
  // setenv NAME v
  csh: new RegExp(`^\\s*setenv\\s+([A-Za-z_][A-Za-z0-9_]*)\\s+${VALUE}${TAIL}`),
};

/** `cmd <<EOF`, `<<-'EOF'`, `<<"EOF"`; not a here-string (`<<<`). */
const HEREDOC = /(?<!<)<<(-?)\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\2/;

export function dialectOf(path: string): ShellDialect {
  if (/\.fish$/.test(path)) return 'fish';
  if (/(^|\/)\.t?cshrc$|(^|\/)\.login$/.test(path)) return 'csh';
  return 'sh';
}

/** Every whole-line literal assignment to a credential-looking name whose value looks like a key. */
export function shellAssignments(text: string, dialect: ShellDialect): ShellAssignment[] {
  const found: ShellAssignment[] = [];
  const lines = text.split('\n');
  let heredoc: { word: string; tabs: boolean } | null = null;
  lines.forEach((raw, index) => {
    const content = raw.replace(/\r$/, '');
    if (heredoc) {
      const candidate = heredoc.tabs ? content.replace(/^\t+/, '') : content;
      if (candidate === heredoc.word) heredoc = null;
      return;
    }
    if (/^\s*#/.test(content)) return;
    const opens = dialect === 'sh' ? HEREDOC.exec(content) : null;
    if (opens?.[3]) {
      heredoc = { word: opens[3], tabs: opens[1] === '-' };
      return;
    }
    const match = ASSIGNMENT[dialect].exec(content);
    if (!match?.[1]) return;
    const value = match[2] ?? match[3] ?? match[4] ?? '';
    if (CREDENTIAL_NAME.test(match[1]) && looksLikeKey(value)) found.push({ line: index + 1, name: match[1], value });
  });
  return found;
}

/** The files a startup file sources (`source f`, `. f`), as written: the caller resolves and bounds them. */
export function sourcedPaths(text: string, dialect: ShellDialect): string[] {
  const pattern =
    dialect === 'sh'
      ? /^\s*(?:source|\.)\s+(['"]?)([^'"\s;&|]+)\1\s*(?:#.*)?$/
      : dialect === 'fish'
        ? /^\s*source\s+(['"]?)([^'"\s;&|]+)\1\s*(?:#.*)?$/
        : /^\s*source\s+(['"]?)([^'"\s;&|]+)\1\s*(?:#.*)?$/;
  return text
    .split('\n')
    .map((line) => pattern.exec(line.replace(/\r$/, ''))?.[2])
    .filter((p): p is string => p !== undefined);
}

/**
 * The text with each chosen assignment line replaced by a marker comment that
 * says where the key went, and nothing of the key. Where a comment alone
 * would leave a block empty (`then` … `fi`), `noop` puts the shell's no-op
 * command before the comment, so the file still parses.
 */
export function withoutAssignments(
  text: string,
  replaced: { line: number; marker: string }[],
  dialect: ShellDialect,
  noop = false,
): string {
  const lines = text.split('\n');
  for (const { line, marker } of replaced) {
    const current = lines[line - 1];
    if (current === undefined) continue;
    const indent = /^\s*/.exec(current)?.[0] ?? '';
    const cr = current.endsWith('\r') ? '\r' : '';
    const prefix = noop && dialect === 'sh' ? ': ' : '';
    lines[line - 1] = `${indent}${prefix}# ${marker}${cr}`;
  }
  return lines.join('\n');
}

/** The text with every key-looking value assigned in it masked, for diffs (and to seal the backup). */
export function redactShellText(text: string): string {
  const lines = text.split('\n');
  return lines
    .map((line) => {
      for (const dialect of ['sh', 'fish', 'csh'] as const) {
        const [found] = shellAssignments(line, dialect);
        if (found) return line.replace(found.value, maskSecret(found.value));
      }
      return line;
    })
    .join('\n');
}
