/**
 * The electron-builder configuration, checked against electron-builder's own
 * JSON schema (the one it validates with at build time), and against what the
 * product needs from a package. Nothing here needs the Electron binary.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv from 'ajv';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const config = load(readFileSync('build/electron-builder.yml', 'utf8')) as Record<string, unknown> & {
  mac: Record<string, unknown>;
  linux: Record<string, unknown>;
  deb: { depends: string[] };
  asarUnpack: string[];
};

describe('build/electron-builder.yml', () => {
  it("passes electron-builder's own schema", () => {
    const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    const valid = ajv.validate(schema, config);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The check bites: an option electron-builder does not know is refused.
    expect(ajv.validate(schema, { ...config, notAnOption: true })).toBe(false);
  });

  it('packages what the app needs', () => {
    expect(config.appId).toBe('dev.keytray.app');
    expect(config.asarUnpack.some((p) => p.includes('@napi-rs/keyring'))).toBe(true);
    expect(config.mac.extendInfo).toMatchObject({ LSUIElement: true });
    expect(config.mac.hardenedRuntime).toBe(true);
    // Hardened runtime with its entitlements: V8's JIT and nothing more.
    expect(config.mac.entitlements).toBe('build/entitlements.mac.plist');
    expect(config.mac.entitlementsInherit).toBe('build/entitlements.mac.plist');
    const entitlements = readFileSync('build/entitlements.mac.plist', 'utf8');
    const keys = [...entitlements.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1]);
    expect(keys).toEqual(['com.apple.security.cs.allow-jit']);
    expect(config.deb.depends).toContain('libsecret-1-0');
    for (const icon of ['ok', 'warning', 'error', 'trayTemplate', 'trayTemplate@2x'])
      expect(existsSync(`build/tray/${icon}.png`)).toBe(true);
    // electron-builder makes .icns and .ico from build/icon.png, which must be at least 512×512.
    const icon = readFileSync('build/icon.png');
    expect(icon.subarray(1, 4).toString()).toBe('PNG');
    expect(icon.readUInt32BE(16)).toBeGreaterThanOrEqual(512);
    expect(icon.readUInt32BE(20)).toBeGreaterThanOrEqual(512);
  });
});
