/** Base URLs that point at KeyTray's proxy, as written and as a person might type them. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { providerIds } from '../../shared/providers';
import { proxyBaseUrl, proxyRouteOf } from '../../shared/proxy-types';

describe('proxy base URLs', () => {
  it('reads back every route it writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), fc.constantFrom(...providerIds()), (port, provider) => {
        expect(proxyRouteOf(proxyBaseUrl(port, provider))).toEqual({ port, provider });
      }),
    );
  });

  it('takes localhost and a trailing slash, and nothing else', () => {
    expect(proxyRouteOf('http://localhost:8723/anthropic/')).toEqual({ port: 8723, provider: 'anthropic' });
    // Codex's base URL carries the API's own path after the route.
    expect(proxyRouteOf('http://127.0.0.1:8723/openai/v1')).toEqual({ port: 8723, provider: 'openai' });
    expect(proxyRouteOf('http://127.0.0.1:8723/gemini')).toEqual({ port: 8723, provider: 'gemini' });
    // A provider the user defined (`keytray provider add deepseek …`) has its route too, known here or not.
    expect(proxyRouteOf('http://127.0.0.1:8723/deepseek')).toEqual({ port: 8723, provider: 'deepseek' });
    for (const url of [
      'https://127.0.0.1:8723/anthropic',
      'http://127.0.0.2:8723/anthropic',
      'http://127.0.0.1:8723/Vertex_AI',
      'http://127.0.0.1:8723/openai/v1?x=1',
      'http://127.0.0.1:8723/openai/v1/../../x',
      'http://127.0.0.1/anthropic',
      'https://api.anthropic.com',
    ])
      expect(proxyRouteOf(url)).toBeNull();
  });
});
