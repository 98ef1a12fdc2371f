import { describe, expect, it } from 'vitest';
import { effectiveBaseUrl, normalizeBaseUrl, settingProblem } from '../../shared/provider-settings';
import { keyFormatWarning, keyHeaders, providerIds, providerInfo } from '../../shared/providers';

describe('provider catalog', () => {
  it('describes every provider completely', () => {
    expect(providerIds()).toEqual(expect.arrayContaining(['anthropic', 'anthropic-aws', 'bedrock', 'openai', 'openrouter']));
    for (const id of providerIds()) {
      const p = providerInfo(id);
      expect(p.id).toBe(id);
      expect(p.label.length).toBeGreaterThan(0);
      expect(new URL(p.keyUrl).protocol).toBe('https:');
      expect(p.defaultBaseUrl).toMatch(/^https:\/\//);
      expect(p.header).toBe(p.authScheme === 'bearer' ? 'authorization' : p.authScheme);
      expect(Object.keys(keyHeaders(id, 'k'))).toEqual([p.header]);
    }
  });

  it('warns, never rejects, on keys that do not look right', () => {
    expect(keyFormatWarning('anthropic', `sk-ant-api03-${'a'.repeat(90)}`)).toBeNull();
    expect(keyFormatWarning('openrouter', `sk-or-v1-${'ab'.repeat(32)}`)).toBeNull();
    expect(keyFormatWarning('openai', `sk-proj-${'a'.repeat(40)}`)).toBeNull();
    expect(keyFormatWarning('bedrock', `ABSK${'Q'.repeat(60)}`)).toBeNull();
    expect(keyFormatWarning('gemini', `AIza${'x'.repeat(35)}`)).toBeNull();
    expect(keyFormatWarning('gemini', `AIza${'x'.repeat(34)}`)).toMatch(/AIza/);
    const warning = keyFormatWarning('anthropic', 'sk-proj-notanthropic-secretvalue');
    expect(warning).toMatch(/does not look like an API key for Anthropic/);
    expect(warning).not.toContain('notanthropic');
  });
});

describe('provider settings', () => {
  it('checks values', () => {
    expect(settingProblem('anthropic', 'baseUrl', 'http://127.0.0.1:8080/v')).toBeNull();
    expect(settingProblem('anthropic', 'baseUrl', 'ftp://x')).toMatch(/https:\/\/ or http:\/\//);
    expect(settingProblem('anthropic', 'baseUrl', 'not a url')).toMatch(/is not a URL/);
    expect(settingProblem('anthropic', 'baseUrl', 'https://u:p@host')).toMatch(/user name or password/);
    expect(settingProblem('anthropic', 'region', 'us-east-1')).toMatch(/has no region/);
    expect(settingProblem('bedrock', 'region', 'us-east-1')).toBeNull();
    expect(settingProblem('bedrock', 'region', 'mars')).toMatch(/not an AWS region/);
    expect(settingProblem('anthropic-aws', 'workspaceId', 'wrkspc_01AbC')).toBeNull();
    expect(settingProblem('bedrock', 'workspaceId', 'w')).toMatch(/no workspace/);
  });

  it('resolves the upstream in force', () => {
    expect(effectiveBaseUrl('anthropic', {})).toBe('https://api.anthropic.com');
    expect(effectiveBaseUrl('anthropic', { baseUrl: 'http://127.0.0.1:9/' })).toBe('http://127.0.0.1:9');
    expect(effectiveBaseUrl('anthropic-aws', {})).toBeNull();
    expect(effectiveBaseUrl('anthropic-aws', { region: 'eu-west-1' })).toBe('https://aws-external-anthropic.eu-west-1.api.aws');
    expect(effectiveBaseUrl('bedrock', { region: 'us-west-2' })).toBe('https://bedrock-runtime.us-west-2.amazonaws.com');
  });
});

describe('base URLs', () => {
  it('refuses plain http to another host unless asked, and takes it on loopback', () => {
    expect(settingProblem('anthropic', 'baseUrl', 'http://gateway.corp.example')).toMatch(
      /unencrypted: use https, or pass --allow-http/,
    );
    expect(settingProblem('anthropic', 'baseUrl', 'http://gateway.corp.example', { allowHttp: true })).toBeNull();
    expect(settingProblem('anthropic', 'baseUrl', 'http://127.0.0.1:4010')).toBeNull();
    expect(settingProblem('anthropic', 'baseUrl', 'http://localhost:4010')).toBeNull();
    expect(settingProblem('anthropic', 'baseUrl', 'https://gateway.corp.example')).toBeNull();
  });

  it('drops a trailing /v1 and slash, and says so', () => {
    expect(normalizeBaseUrl('https://gateway.example/anthropic/v1/')).toEqual({
      value: 'https://gateway.example/anthropic',
      note: 'KeyTray keeps base URLs without the trailing /v1: the API paths it sends start with it.',
    });
    expect(normalizeBaseUrl('https://gateway.example/')).toEqual({ value: 'https://gateway.example' });
  });
});
