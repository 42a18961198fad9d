import { describe, expect, it } from 'vitest';
import { HttpStore } from './http-client.ts';
import { parseStoreUrl, tokenMayTravel } from './store-url.ts';

describe('store URLs', () => {
  it('credentials become the token and leave the name', () => {
    expect(parseStoreUrl('https://:s3cret@store.example:10902/')).toEqual({
      base: 'https://store.example:10902',
      token: 's3cret',
    });
    expect(parseStoreUrl('https://agent:p%40ss@10.0.0.1:10902')).toEqual({
      base: 'https://10.0.0.1:10902',
      token: 'p@ss',
    });
    expect(parseStoreUrl('http://127.0.0.1:1/?x=1#y')).toEqual({
      base: 'http://127.0.0.1:1',
      token: undefined,
    });
  });
  it('tokens travel over https and to loopback only', () => {
    expect(tokenMayTravel('https://store.example')).toBe(true);
    expect(tokenMayTravel('http://127.0.0.1:9')).toBe(true);
    expect(tokenMayTravel('http://localhost:9')).toBe(true);
    expect(tokenMayTravel('http://[::1]:9')).toBe(true);
    expect(tokenMayTravel('http://10.0.0.1:9')).toBe(false);
    expect(tokenMayTravel('http://127.0.0.1.evil.example')).toBe(false);
  });
});

describe('HttpStore sends only the token it may', () => {
  // FAKE transport: the global fetch replaced by a recorder answering 401, since the hosts named
  // (store.example, 10.0.0.1) cannot be reached from a test; what is checked is the client's own
  // decision, made from the URL it was configured with.
  const seen = (base: string, token?: string) => {
    const auth: (string | null)[] = [];
    const urls: string[] = [];
    const store = new HttpStore(base, { ...(token ? { token } : {}) });
    const realFetch = globalThis.fetch;
    const restore = () => (globalThis.fetch = realFetch);
    globalThis.fetch = async (input, init) => {
      urls.push(String(input));
      auth.push(new Headers(init?.headers).get('authorization'));
      return new Response('{"error":"unauthorized"}', { status: 401 });
    };
    return { store, auth, urls, restore };
  };
  it('its own URL token over https, never the shared one, and no credentials in the URL it calls', async () => {
    const { store, auth, urls, restore } = seen('https://:own@store.example', 'shared');
    await expect(store.info()).rejects.toThrow(/^store https:\/\/store\.example: HTTP 401/);
    restore();
    expect(auth).toEqual(['Bearer own']);
    expect(urls[0]).not.toContain('own');
    expect(store.endpoint).toBe('https://store.example');
  });
  it('no token over plain http to another host, and the error says why', async () => {
    const { store, auth, restore } = seen('http://10.0.0.1:10902', 'shared');
    const err = await store.info().catch((e: Error) => e);
    restore();
    expect(auth).toEqual([null]);
    expect(String(err)).toContain('token withheld: plain http to a non-loopback host');
    expect(String(err)).not.toContain('shared');
  });
});
