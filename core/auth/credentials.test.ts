import { describe, expect, it } from 'vitest';
import { accessJwt, authorizationSecret, cookieValue } from './credentials.ts';

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const basic = (s: string) => `Basic ${b64(new TextEncoder().encode(s))}`;

describe('authorizationSecret', () => {
  it('takes a bearer token or the Basic password, whatever the user name', () => {
    expect(authorizationSecret('Bearer abc')).toBe('abc');
    expect(authorizationSecret('bearer abc')).toBe('abc');
    expect(authorizationSecret(basic('grafana:s3cret'))).toBe('s3cret');
    expect(authorizationSecret(basic(':s3cret'))).toBe('s3cret');
    expect(authorizationSecret(basic('u:pa:ss'))).toBe('pa:ss');
    expect(authorizationSecret(basic('ü:pässwörd'))).toBe('pässwörd');
  });

  it('gives nothing for absent, empty or malformed credentials', () => {
    for (const h of [
      undefined,
      null,
      '',
      'Bearer',
      'Bearer ',
      'abc',
      'Token abc',
      basic('no-colon'),
      basic('user:'),
      'Basic !!!not-base64',
      `Basic ${b64(Uint8Array.from([0x75, 0x3a, 0xff, 0xfe]))}`,
    ]) {
      expect(authorizationSecret(h), String(h)).toBeUndefined();
    }
  });
});

describe('Access JWT', () => {
  it('comes from the header, else the CF_Authorization cookie', () => {
    expect(cookieValue('a=1; CF_Authorization=j.w.t; b=2', 'CF_Authorization')).toBe('j.w.t');
    expect(cookieValue('a=1', 'CF_Authorization')).toBeUndefined();
    expect(
      accessJwt(
        new Headers({ 'cf-access-jwt-assertion': 'h.h.h', cookie: 'CF_Authorization=c.c.c' }),
      ),
    ).toBe('h.h.h');
    expect(accessJwt(new Headers({ cookie: 'x=1; CF_Authorization=c.c.c' }))).toBe('c.c.c');
    expect(accessJwt(new Headers())).toBeUndefined();
  });
});
