/**
 * Getting a secret from the user: a prompt with echo off on a terminal, or
 * whatever is piped to stdin. The secret is never echoed or logged.
 */
import { KeyTrayError } from '../../shared/errors';

const MAX_PIPED_BYTES = 64 * 1024;

export async function readSecret(prompt: string): Promise<string> {
  return process.stdin.isTTY ? promptHidden(prompt) : readPiped();
}

async function readPiped(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_PIPED_BYTES)
      throw new KeyTrayError('usage', 'More than 64 KiB arrived on stdin, which no API key is: nothing was stored.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  // Echo goes off before the prompt shows: a fast typist (or a paste) must not be echoed.
  stdin.setRawMode(true);
  process.stderr.write(prompt);
  stdin.setEncoding('utf8');
  stdin.resume();
  let typed = '';
  return new Promise((resolve, reject) => {
    const finish = (outcome: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      outcome();
    };
    const onData = (data: string) => {
      for (const char of data) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish(() => resolve(typed));
        if (char === '\u0003') return finish(() => reject(new KeyTrayError('usage', 'Cancelled: nothing was stored.')));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stdin.on('data', onData);
  });
}
