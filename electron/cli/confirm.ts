/**
 * Asking before a change, on a terminal only: scripts and pipes are never
 * held up by a question nobody will answer.
 */
import { createInterface } from 'node:readline/promises';

/** Whether a person is at the terminal to answer. */
export function interactive(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY);
}

/** Asks a yes/no question on stderr; anything but y or yes is no. */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
