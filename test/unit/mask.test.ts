import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskSecret } from '../../shared/mask';

describe('maskSecret', () => {
  it('keeps the kind of key and the last four characters', () => {
    expect(maskSecret(`sk-ant-api03-${'x'.repeat(80)}7f3a`)).toBe('sk-ant-…7f3a');
    expect(maskSecret(`sk-ant-oat01-${'x'.repeat(80)}7f3a`)).toBe('sk-ant-oat…7f3a');
    expect(maskSecret(`sk-or-v1-${'a'.repeat(60)}beef`)).toBe('sk-or-v1-…beef');
    expect(maskSecret(`sk-proj-${'a'.repeat(40)}1234`)).toBe('sk-proj-…1234');
    expect(maskSecret('AKIAIOSFODNN7EXAMPLE')).toBe('AKIA…MPLE');
  });

  it('shows no prefix it does not recognise', () => {
    expect(maskSecret('abcdefghijklmnopqrstuvwxyz')).toBe('…wxyz');
  });

  it('hides the tail of short secrets', () => {
    expect(maskSecret('short-secret')).toBe('…');
    expect(maskSecret('sk-ant-12345678')).toBe('sk-…');
    expect(maskSecret('sk-ant-123456789')).toBe('sk-ant-…6789');
  });

  it('never reveals more than a known prefix and four characters', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 200 }), (secret) => {
        const masked = maskSecret(secret);
        const [prefix = '', tail = ''] = masked.split('…');
        expect(secret.startsWith(prefix)).toBe(true);
        expect(tail.length).toBeLessThanOrEqual(4);
        if (secret.length < 16) expect(tail).toBe('');
        expect(prefix.length).toBeLessThanOrEqual('bedrock-api-key-'.length);
        // A masked value never contains the secret's middle.
        if (secret.length >= 40) expect(masked.length).toBeLessThan(secret.length - 16);
      }),
    );
  });
});
