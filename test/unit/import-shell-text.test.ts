/**
 * Reading shell startup files for plaintext keys, as data: the shapes people
 * write (quotes, `export` on its own line, `set -a`, fish, csh), what is not a
 * key on disk (expansions, here-documents, comments), and the marker that
 * replaces a line, checked by the real bash (`-n` reads, never runs).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactShellText, shellAssignments, sourcedPaths, withoutAssignments } from '../../electron/core/import/shell-text';
import { judgeProvider } from '../../shared/import/judge-provider';
import { fakeAnthropicKey, fakeGeminiKey, fakeOpenAIKey } from '../support/test-env';

const bashReads = (text: string) => {
  try {
    execFileSync('bash', ['-n'], { input: text, stdio: ['pipe', 'ignore', 'ignore'] });
    return true;
  } catch {
    return false;
  }
};

describe('shellAssignments', () => {
  it('finds whole-line literal assignments in every quoting, with their lines', () => {
    const [a, b, c, d, e] = [fakeAnthropicKey(), fakeOpenAIKey(), fakeGeminiKey(), fakeOpenAIKey(), fakeAnthropicKey()];
    const text = [
      '# keys',
      `export ANTHROPIC_API_KEY="${a}"`,
      `OPENAI_API_KEY='${b}'  # work`,
      'export OPENAI_API_KEY',
      'set -a',
      `GEMINI_API_KEY=${c};`,
      'set +a',
      `  declare -x OPENROUTER_API_KEY=${d}`,
      `typeset -x ANTHROPIC_AUTH_TOKEN=${e}`,
    ].join('\n');
    expect(shellAssignments(text, 'sh')).toEqual([
      { line: 2, name: 'ANTHROPIC_API_KEY', value: a },
      { line: 3, name: 'OPENAI_API_KEY', value: b },
      { line: 6, name: 'GEMINI_API_KEY', value: c },
      { line: 8, name: 'OPENROUTER_API_KEY', value: d },
      { line: 9, name: 'ANTHROPIC_AUTH_TOKEN', value: e },
    ]);
  });

  it('leaves what is not a key on disk: expansions, commands, comments, short values, other names, here-documents', () => {
    const key = fakeAnthropicKey();
    const text = [
      'export ANTHROPIC_API_KEY="$(secret-tool lookup x y)"',
      'export ANTHROPIC_API_KEY=$MY_KEY',
      `export OPENAI_API_KEY="\${OTHER}suffix12345678901234567890"`,
      `# export ANTHROPIC_API_KEY=${key}`,
      'export GEMINI_API_KEY=short',
      `export PATH=${key}`,
      `export ANTHROPIC_API_KEY=${key} other=1`,
      'cat > ~/.env <<EOF',
      `ANTHROPIC_API_KEY=${key}`,
      'EOF',
      "cat <<-'END'",
      `\texport ANTHROPIC_API_KEY=${key}`,
      '\tEND',
      `grep x <<< "${key}"`,
    ].join('\n');
    expect(shellAssignments(text, 'sh')).toEqual([]);
    // After a here-document ends, assignments count again.
    expect(shellAssignments(`${text}\nexport ANTHROPIC_API_KEY=${key}\n`, 'sh')).toEqual([
      { line: 15, name: 'ANTHROPIC_API_KEY', value: key },
    ]);
  });

  it('reads fish and csh', () => {
    const key = fakeOpenAIKey();
    expect(shellAssignments(`set -gx OPENAI_API_KEY '${key}'\n`, 'fish')).toEqual([
      { line: 1, name: 'OPENAI_API_KEY', value: key },
    ]);
    expect(shellAssignments(`setenv OPENAI_API_KEY "${key}"\n`, 'csh')).toEqual([
      { line: 1, name: 'OPENAI_API_KEY', value: key },
    ]);
  });

  it('names the files a startup file sources, as written', () => {
    expect(sourcedPaths('source ~/.secrets\n. "$HOME/.keys"\nif x; then . ~/.a; fi\n', 'sh')).toEqual([
      '~/.secrets',
      '$HOME/.keys',
    ]);
  });
});

describe('withoutAssignments', () => {
  it('replaces exactly the chosen lines with a marker that holds no key, and the file still parses', () => {
    const key = fakeAnthropicKey();
    const text = `a=1\nexport ANTHROPIC_API_KEY="${key}"\r\nb=2\n`;
    const after = withoutAssignments(text, [{ line: 2, marker: 'moved to KeyTray' }], 'sh');
    expect(after).toBe('a=1\n# moved to KeyTray\r\nb=2\n');
    expect(bashReads(after)).toBe(true);
  });

  it('keeps a block that held only the assignment readable with the no-op form', () => {
    const key = fakeOpenAIKey();
    const text = `if [ -f ~/.work ]; then\n  export OPENAI_API_KEY=${key}\nfi\n`;
    expect(bashReads(withoutAssignments(text, [{ line: 2, marker: 'moved' }], 'sh'))).toBe(false);
    const noop = withoutAssignments(text, [{ line: 2, marker: 'moved' }], 'sh', true);
    expect(noop).toBe('if [ -f ~/.work ]; then\n  : # moved\nfi\n');
    expect(bashReads(noop)).toBe(true);
  });
});

describe('redactShellText and judgeProvider', () => {
  it('masks every assigned key, whatever its quoting', () => {
    const key = fakeAnthropicKey();
    const redacted = redactShellText(`export ANTHROPIC_API_KEY="${key}"\nX=1\n`);
    expect(redacted).not.toContain(key);
    expect(redacted).toContain('sk-ant-…');
  });

  it('judges by format where it tells, then by what the place names, then by the variable', () => {
    const openRouterShaped = `sk-or-v1-${randomBytes(32).toString('hex')}`;
    expect(judgeProvider(fakeAnthropicKey(), { variable: 'OPENAI_API_KEY' })).toBe('anthropic');
    expect(judgeProvider(fakeOpenAIKey(), { variable: 'ANTHROPIC_API_KEY' })).toBe('openai');
    expect(judgeProvider(openRouterShaped, { variable: 'OPENAI_API_KEY' })).toBe('openrouter');
    expect(judgeProvider(fakeGeminiKey(), { variable: 'MY_TOKEN' })).toBe('gemini');
    // A bare sk- key: OpenAI's, unless the place says whose it is.
    const bare = `sk-${randomBytes(24).toString('base64url')}`;
    expect(judgeProvider(bare)).toBe('openai');
    expect(judgeProvider(bare, { provider: 'openrouter' })).toBe('openrouter');
    expect(judgeProvider(bare, { variable: 'OPENROUTER_API_KEY' })).toBe('openrouter');
    expect(judgeProvider(bare, { provider: 'not-a-provider' })).toBe('openai');
    expect(judgeProvider('a'.repeat(40), { variable: 'ANTHROPIC_AWS_API_KEY' })).toBe('anthropic-aws');
    expect(judgeProvider('a'.repeat(40), { variable: 'ANTHROPIC_AUTH_TOKEN' })).toBeNull();
  });

  it('finds any key-shaped value, whatever its characters, in any quoting', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{20,80}$/), fc.constantFrom('"', "'", ''), (tail, quote) => {
        const key = `sk-proj-${tail}`;
        expect(shellAssignments(`export OPENAI_API_KEY=${quote}${key}${quote}\n`, 'sh')).toEqual([
          { line: 1, name: 'OPENAI_API_KEY', value: key },
        ]);
      }),
    );
  });
});
