import { describe, expect, it } from 'vitest';
import { labelProblem, normalizeSecret } from '../../shared/key-input';

describe('labelProblem', () => {
  it.each(['work', 'personal-2', 'a', 'Team_A.prod', 'x'.repeat(64)])('accepts %s', (label) => {
    expect(labelProblem(label)).toBeNull();
  });

  it.each(['', 'a/b', '../etc', ' work', 'work laptop', '-flag', '.hidden', 'x'.repeat(65), 'naïve', 'a\nb'])(
    'refuses %j with a sentence',
    (label) => {
      expect(labelProblem(label)).toMatch(/is not allowed: use letters, digits/);
    },
  );
});

describe('normalizeSecret', () => {
  it('drops the newline echo adds and surrounding blanks', () => {
    expect(normalizeSecret('sk-ant-api03-abc\n')).toEqual({ ok: true, secret: 'sk-ant-api03-abc' });
    expect(normalizeSecret('  sk-ant-api03-abc \r\n')).toEqual({ ok: true, secret: 'sk-ant-api03-abc' });
  });

  it('refuses empty input', () => {
    expect(normalizeSecret('\n')).toEqual({ ok: false, problem: 'The key is empty: nothing was stored.' });
    expect(normalizeSecret('')).toMatchObject({ ok: false });
  });

  it('refuses inner whitespace and control characters without quoting the secret', () => {
    for (const raw of ['sk-ant one', 'sk-ant\none', 'sk-ant\u0000x', 'sk\u007fx', 'sk\tx']) {
      const result = normalizeSecret(raw);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problem).not.toContain('sk');
    }
  });

  it('refuses absurdly long input', () => {
    expect(normalizeSecret('k'.repeat(8193)).ok).toBe(false);
    expect(normalizeSecret('k'.repeat(8192)).ok).toBe(true);
  });
});

describe('pasted assignments and quotes', () => {
  it.each([
    ['ANTHROPIC_API_KEY=sk-ant-api03-abc_DEF-123', 'sk-ant-api03-abc_DEF-123', 'the assignment "ANTHROPIC_API_KEY="'],
    ['export OPENAI_API_KEY="sk-proj-abc123"', 'sk-proj-abc123', 'the assignment "OPENAI_API_KEY=" and the quotes around it'],
    ["'sk-ant-api03-quoted'", 'sk-ant-api03-quoted', 'the quotes around it'],
    ['GEMINI_API_KEY = AIzaSomething', 'AIzaSomething', 'the assignment "GEMINI_API_KEY="'],
  ])('%s is stored as the key alone, and says what was stripped', (raw, secret, what) => {
    expect(normalizeSecret(raw)).toEqual({ ok: true, secret, stripped: `KeyTray stored the key without ${what}.` });
  });

  it.each(['ABSKQmVkcm9ja0FQSUtleS1hYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ej0=', 'AKIAEXAMPLE0000000:secret/with+slashes=', 'token='])(
    'leaves a key that merely holds "=" as it is: %s',
    (raw) => {
      expect(normalizeSecret(raw)).toEqual({ ok: true, secret: raw });
    },
  );
});
