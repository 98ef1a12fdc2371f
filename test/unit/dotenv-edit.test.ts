import { parse } from 'dotenv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editDotenvText, redactDotenvText } from '../../electron/core/files/dotenv-edit';

const set = (name: string, value: string | undefined) => ({ path: [name], value });

describe('editDotenvText', () => {
  it('appends a new variable and keeps every other line', () => {
    const text = '# mine\nDEBUG=1\n\nexport OTHER="a b" # note\n';
    expect(editDotenvText(text, [set('GOOGLE_GEMINI_BASE_URL', 'http://127.0.0.1:8723/gemini')])).toBe(
      `${text}GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:8723/gemini\n`,
    );
    expect(editDotenvText('A=1', [set('B', '2')])).toBe('A=1\nB=2\n');
    expect(editDotenvText('A=1\r\n', [set('B', '2')])).toBe('A=1\r\nB=2\r\n');
  });

  it('replaces the assignment dotenv reads (the last), keeping export', () => {
    const text = 'GEMINI_API_KEY=first\n# c\nexport GEMINI_API_KEY="second" # x\nZ=1\n';
    expect(editDotenvText(text, [set('GEMINI_API_KEY', 'ktp_token')])).toBe(
      'GEMINI_API_KEY=first\n# c\nexport GEMINI_API_KEY=ktp_token\nZ=1\n',
    );
  });

  it('removes every assignment of a variable, and only those lines', () => {
    const text = 'A=1\nGEMINI_API_KEY=x\nB=2\nGEMINI_API_KEY=y';
    expect(editDotenvText(text, [set('GEMINI_API_KEY', undefined)])).toBe('A=1\nB=2\n');
  });

  it('refuses a value that spans lines rather than cut it', () => {
    expect(() => editDotenvText('K="line one\nline two"\n', [set('K', 'v')])).toThrow(/spans several lines/);
  });

  it('masks credential values in a diff', () => {
    const text = 'GEMINI_API_KEY=AIzaSyAbcdefghijklmnopqrstuvwxyz0123456\nGOOGLE_GEMINI_BASE_URL=http://127.0.0.1:1/gemini\n';
    const redacted = redactDotenvText(text);
    expect(redacted).not.toContain('AIzaSyAbcdefghijklmnopqrstuvwxyz0123456');
    expect(redacted).toContain('GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:1/gemini');
  });
});

const name = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/);
const value = fc.stringMatching(/^[A-Za-z0-9 _./:-]{0,16}$/);
const line = fc.oneof(
  fc.tuple(name, value).map(([n, v]) => `${n}=${v}`),
  fc.tuple(name, value).map(([n, v]) => `export ${n}="${v}"`),
  fc.stringMatching(/^# [a-z ]{0,10}$/),
  fc.constant(''),
);

describe('editDotenvText on any file', () => {
  it('sets and removes a variable, and dotenv reads every other one unchanged', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), fc.boolean(), (lines, crlf) => {
        const text = lines.join(crlf ? '\r\n' : '\n');
        const before = parse(text);
        const after = editDotenvText(text, [set('KEYTRAY_TEST', 'ktp_abc')]);
        expect(parse(after)).toEqual({ ...before, KEYTRAY_TEST: 'ktp_abc' });
        const removed = editDotenvText(after, [set('KEYTRAY_TEST', undefined)]);
        const { KEYTRAY_TEST: _gone, ...rest } = before;
        expect(parse(removed)).toEqual(rest);
      }),
      { numRuns: 300 },
    );
  });
});
