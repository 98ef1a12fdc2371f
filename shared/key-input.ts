/**
 * Rules for what a user may type as a key label and as a secret. Pure, so the
 * CLI, the vault and the window apply the same ones.
 */

const LABEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const LABEL_RULE = "letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters";

/** A sentence saying what is wrong with the label, or null when it is fine. */
export function labelProblem(label: string): string | null {
  if (LABEL_PATTERN.test(label)) return null;
  const shown = JSON.stringify(label.length > 70 ? `${label.slice(0, 64)}…` : label);
  return `The label ${shown} is not allowed: use ${LABEL_RULE}.`;
}

export type SecretCheck = { ok: true; secret: string; stripped?: string } | { ok: false; problem: string };

/**
 * Normalises a secret as it arrives from a prompt, a pipe or a form: the
 * surrounding whitespace (the newline `echo` adds, a stray space from a paste)
 * is dropped; anything that cannot be part of a key on one line is refused.
 * The problem sentence never quotes the secret.
 */
export function normalizeSecret(raw: string): SecretCheck {
  let secret = raw.trim();
  // What people paste from a shell profile or a .env: `export NAME=value`, `NAME="value"`, or a quoted key.
  // Only a variable's name in capitals with an underscore counts: a base64 key may hold "=" after letters.
  const stripped: string[] = [];
  const assignment = /^(?:export\s+)?([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\s*=\s*(\S.*)$/s.exec(secret);
  if (assignment) {
    stripped.push(`the assignment "${assignment[1]}="`);
    secret = (assignment[2] ?? '').trim();
  }
  const quoted = /^(["'`])(.*)\1$/s.exec(secret);
  if (quoted) {
    stripped.push('the quotes around it');
    secret = (quoted[2] ?? '').trim();
  }
  if (secret.length === 0) return { ok: false, problem: 'The key is empty: nothing was stored.' };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\s\u0000-\u001f\u007f]/.test(secret)) {
    return {
      ok: false,
      problem:
        'The key contains spaces, line breaks or control characters, which no API key has: nothing was stored. Paste the key alone, on one line.',
    };
  }
  if (secret.length > 8192) {
    return { ok: false, problem: 'The key is longer than 8192 characters, which no API key is: nothing was stored.' };
  }
  return {
    ok: true,
    secret,
    ...(stripped.length > 0 ? { stripped: `KeyTray stored the key without ${stripped.join(' and ')}.` } : {}),
  };
}
