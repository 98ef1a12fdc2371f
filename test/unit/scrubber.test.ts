/**
 * The scrubber that keeps the injected key out of answers, piece by piece:
 * every split of an answer into two or three pieces gives the same bytes out
 * as the whole answer masked at once, and no piece out holds the key.
 */
import { describe, expect, it } from 'vitest';
import { SecretScrubber, scrubbed } from '../../electron/core/proxy/scrubber';

const KEY = 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
const secrets = scrubbed([KEY, 'x-second-secret-value']);

function run(pieces: string[]): string[] {
  const scrubber = new SecretScrubber(secrets);
  const out = pieces.map((piece) => scrubber.push(Buffer.from(piece, 'latin1')).toString('latin1'));
  out.push(scrubber.flush().toString('latin1'));
  return out;
}

const masked = (text: string) => text.replaceAll(KEY, '*'.repeat(KEY.length)).replaceAll('x-second-secret-value', '*'.repeat(21));

describe('SecretScrubber', () => {
  const answers = [
    `{"error":"bad key ${KEY}"}`,
    `${KEY}`,
    `sk-ant-${KEY}sk-ant-api03-Ab`, // a real key between two of its own prefixes
    `ends with a prefix of the key: ${KEY.slice(0, 20)}`,
    `ends with a prefix of the other one: x-second-secret`,
    `s${KEY}ss-x-second-secret-valuesk`,
    'nothing here but an s',
    // Longer than what is searched in JavaScript: Buffer.indexOf's side of the search.
    `${'x'.repeat(2100)}${KEY}${'y'.repeat(50)}${KEY}`,
  ];

  it.each(answers)('gives out what masking the whole answer gives, however it is cut in two (%s)', (answer) => {
    for (let cut = 0; cut <= answer.length; cut++) {
      const out = run([answer.slice(0, cut), answer.slice(cut)]);
      expect(out.join('')).toBe(masked(answer));
      for (const piece of out) expect(piece).not.toContain(KEY);
    }
  });

  it('holds back no more than a tail that could still be the key, and gives it back at the end', () => {
    const scrubber = new SecretScrubber(secrets);
    expect(scrubber.push(Buffer.from('abc sk-ant-api03-Ab', 'latin1')).toString('latin1')).toBe('abc ');
    expect(scrubber.push(Buffer.from('X', 'latin1')).toString('latin1')).toBe('sk-ant-api03-AbX');
    expect(scrubber.push(Buffer.from('tail sk-', 'latin1')).toString('latin1')).toBe('tail ');
    expect(scrubber.flush().toString('latin1')).toBe('sk-');
  });

  it('masks a key cut in three', () => {
    const answer = `before ${KEY} after`;
    for (let a = 0; a <= answer.length; a += 3)
      for (let b = a; b <= answer.length; b += 5) {
        const out = run([answer.slice(0, a), answer.slice(a, b), answer.slice(b)]);
        expect(out.join('')).toBe(masked(answer));
        for (const piece of out) expect(piece).not.toContain(KEY);
      }
  });
});
