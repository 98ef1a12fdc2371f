/**
 * How the CLI speaks: results on stdout (text or `--json`), errors on stderr
 * as one sentence plus the fix, and an exit status from the error's code.
 */
import { exitCodeFor, KeyTrayError } from '../../shared/errors';
import type { RewrittenFile } from '../../shared/ipc';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLines(lines: string[]): void {
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
}

export function warn(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

/** Reports an error and returns the exit status to use. */
export function reportError(error: unknown, json: boolean): number {
  const known =
    error instanceof KeyTrayError
      ? error
      : new KeyTrayError('internal', `KeyTray failed unexpectedly: ${describeInternal(error)}.`, {
          fix: 'Please report this with the command you ran (never include a key).',
        });
  if (json) {
    const body = { error: { code: known.code, message: known.message, ...(known.fix ? { fix: known.fix } : {}) } };
    process.stderr.write(`${JSON.stringify(body)}\n`);
  } else {
    process.stderr.write(`keytray: ${known.message}\n`);
    if (known.fix) process.stderr.write(`  ${known.fix}\n`);
  }
  return exitCodeFor(known.code);
}

/** Internal errors keep their kind, not their text: a message could quote input. */
function describeInternal(error: unknown): string {
  if (error instanceof Error) return `${error.name}${'code' in error ? ` (${String(error.code)})` : ''}`;
  return typeof error;
}

/**
 * Files KeyTray rewrote because something they name changed (a label, the
 * port, the token): each one's diff, or, for one it could not rewrite, what
 * it still `holds`, why, and what to do.
 */
export function rewrittenLines(files: readonly RewrittenFile[], holds: string): string[] {
  return files.flatMap((f) =>
    f.error
      ? [`! ${f.path} still ${holds}: ${f.error.message}`, ...(f.error.fix ? [`  ${f.error.fix}`] : [])]
      : f.diff
        ? [`Updated ${f.path}:`, '', ...f.diff.trimEnd().split('\n'), '']
        : [`${f.path} needed no change.`],
  );
}

/** The exit status after rewriting files: 5 when one of them could not be rewritten. */
export function rewrittenStatus(files: readonly RewrittenFile[]): number {
  return files.some((f) => f.error) ? exitCodeFor('inconsistent') : 0;
}
