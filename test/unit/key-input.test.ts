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
