/**
 * Several `keytray` processes changing keys at once: the metadata lock
 * serialises them, and no key is lost.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { fakeAnthropicKey, makeTestEnv, secretToolLookup } from '../support/test-env';

describe('concurrent CLI processes', () => {
  it('keep every key added at the same time', async () => {
    const t = makeTestEnv();
    const keys = Array.from({ length: 6 }, (_, i) => ({ label: `k${i}`, secret: fakeAnthropicKey() }));
    const results = await Promise.all(
      keys.map(({ label, secret }) => runCli(['keys', 'add', 'anthropic', '--label', label], { env: t.env, input: secret })),
    );
    expect(results.map((r) => r.code)).toEqual(keys.map(() => 0));
    const listing = JSON.parse((await runCli(['keys', 'list', '--json'], { env: t.env })).stdout);
    const labels = listing.providers[0].keys.map((k: { label: string }) => k.label).sort();
    expect(labels).toEqual(keys.map((k) => k.label));
    expect(listing.providers[0].keys.filter((k: { active: boolean }) => k.active)).toHaveLength(1);
    for (const { label, secret } of keys) expect(await secretToolLookup(t.service, `anthropic/${label}`)).toBe(secret);
  });
});
