/**
 * AccessVerifier against a local stand-in for an Access team (real HTTP on loopback, keys made
 * here): every check a forged or stale token must fail, key rotation, and the tenant claim.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateTestKey,
  signHs256,
  signJwt,
  startAccessTeam,
  unsignedJwt,
  type AccessTeam,
  type TestKey,
} from '../../test/helpers/access-keys.ts';
import { AccessVerifier, accessIssuer } from './access.ts';
import { AccessKeysUnavailableError, AuthConfigError, CredentialError } from './errors.ts';

const AUD = 'aud-0123456789abcdef';

describe('accessIssuer', () => {
  it('takes a host name or an https origin; plain http only on loopback', () => {
    expect(accessIssuer('team.cloudflareaccess.com')).toBe('https://team.cloudflareaccess.com');
    expect(accessIssuer('https://team.cloudflareaccess.com/')).toBe(
      'https://team.cloudflareaccess.com',
    );
    expect(accessIssuer('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    for (const bad of [
      'http://team.cloudflareaccess.com',
      'https://team.cloudflareaccess.com/path',
      'ftp://127.0.0.1',
    ]) {
      expect(() => accessIssuer(bad), bad).toThrow(AuthConfigError);
    }
  });
});

describe('AccessVerifier', () => {
  let team: AccessTeam;
  let k1: TestKey;
  let k2: TestKey;
  let other: TestKey;
  let now = Date.now();
  const claims = (over: Record<string, unknown> = {}) => ({
    aud: [AUD],
    iss: team.origin,
    sub: 'user-1',
    email: 'a@example.com',
    iat: Math.floor(now / 1000) - 10,
    nbf: Math.floor(now / 1000) - 10,
    exp: Math.floor(now / 1000) + 600,
    ...over,
  });
  const verifier = (tenantClaim?: string) =>
    new AccessVerifier({
      teamDomain: team.origin,
      audience: AUD,
      ...(tenantClaim ? { tenantClaim } : {}),
      now: () => now,
    });

  beforeAll(async () => {
    [k1, k2, other] = await Promise.all(['k1', 'k2', 'k1'].map((kid) => generateTestKey(kid)));
    team = await startAccessTeam([k1]);
  });
  afterAll(async () => {
    await team?.stop();
  });

  it('accepts a valid token as an admin, fetching the keys once', async () => {
    const v = verifier();
    const before = team.fetches.length;
    expect(await v.verify(await signJwt(k1, claims()))).toEqual({ admin: true, via: 'access' });
    expect(await v.verify(await signJwt(k1, claims({ aud: AUD })))).toEqual({
      admin: true,
      via: 'access',
    });
    expect(team.fetches.length - before).toBe(1);
  });

  it('refuses every forged, foreign or stale token', async () => {
    const v = verifier();
    const s = Math.floor(now / 1000);
    const bad: Record<string, string> = {
      'wrong aud': await signJwt(k1, claims({ aud: ['someone-else'] })),
      'no aud': await signJwt(k1, claims({ aud: undefined })),
      'wrong iss': await signJwt(k1, claims({ iss: 'https://evil.cloudflareaccess.com' })),
      expired: await signJwt(k1, claims({ exp: s - 120 })),
      'no exp': await signJwt(k1, claims({ exp: undefined })),
      'not yet valid': await signJwt(k1, claims({ nbf: s + 600 })),
      'wrong key, known kid': await signJwt(other, claims()),
      'alg none': unsignedJwt('k1', claims()),
      HS256: await signHs256(JSON.stringify(k1.publicJwk), 'k1', claims()),
      'RS256 with a changed payload': (() => '')(),
      garbage: 'not-a-jwt',
    };
    const good = await signJwt(k1, claims());
    const [h, , sig] = good.split('.');
    const tampered = btoa(JSON.stringify(claims({ sub: 'admin' })))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    bad['RS256 with a changed payload'] = `${h}.${tampered}.${sig}`;
    for (const [what, token] of Object.entries(bad)) {
      await expect(v.verify(token), what).rejects.toBeInstanceOf(CredentialError);
    }
  });

  it('allows a small clock skew on exp', async () => {
    const v = verifier();
    const s = Math.floor(now / 1000);
    expect((await v.verify(await signJwt(k1, claims({ exp: s - 30 })))).via).toBe('access');
  });

  it('fetches the keys again for an unknown kid, at most once per interval', async () => {
    const v = verifier();
    await v.verify(await signJwt(k1, claims()));
    const before = team.fetches.length;
    // Right after a fetch, an unknown kid does not fetch again (a flood of made-up kids is cheap).
    await expect(v.verify(await signJwt(k2, claims()))).rejects.toThrow(/unknown kid/);
    expect(team.fetches.length - before).toBe(0);
    // Later, a kid the team does not publish: fetched once, then refused; again at once: no fetch.
    now += 6_000;
    await expect(v.verify(await signJwt(k2, claims()))).rejects.toThrow(/unknown kid/);
    expect(team.fetches.length - before).toBe(1);
    await expect(v.verify(await signJwt(k2, claims()))).rejects.toThrow(/unknown kid/);
    expect(team.fetches.length - before).toBe(1);
    // The team rotates to k2; after the interval the new kid is fetched and accepted.
    team.keys = [k1, k2];
    now += 6_000;
    expect((await v.verify(await signJwt(k2, claims()))).via).toBe('access');
    expect(team.fetches.length - before).toBe(2);
    // Keys past their TTL are fetched again even for a known kid.
    now += 11 * 60_000;
    expect((await v.verify(await signJwt(k1, claims()))).via).toBe('access');
    expect(team.fetches.length - before).toBe(3);
    team.keys = [k1];
  });

  it('answers 503 when it never had the keys, and keeps the keys it has through an outage', async () => {
    const v = verifier();
    const token = await signJwt(k1, claims());
    expect((await v.verify(token)).via).toBe('access');
    const down = new AccessVerifier({
      teamDomain: 'http://127.0.0.1:9',
      audience: AUD,
      now: () => now,
    });
    await expect(down.verify(token)).rejects.toBeInstanceOf(AccessKeysUnavailableError);
    await team.stop();
    try {
      // Past the TTL the refetch fails: the keys held are used, not dropped.
      now += 11 * 60_000;
      expect((await v.verify(await signJwt(k1, claims()))).via).toBe('access');
    } finally {
      team = await startAccessTeam([k1]);
    }
  });

  it('maps the tenant claim to a tenant-bound principal', async () => {
    const v = verifier('tenant');
    expect(await v.verify(await signJwt(k1, claims({ tenant: 'team-a' })))).toEqual({
      tenant: 'team-a',
      admin: false,
      via: 'access',
    });
    // No claim: an admin (as without CF_ACCESS_TENANT_CLAIM); a claim that is no tenant: refused.
    expect((await v.verify(await signJwt(k1, claims()))).admin).toBe(true);
    await expect(
      v.verify(await signJwt(k1, claims({ tenant: ['a', 'b'] }))),
    ).rejects.toBeInstanceOf(CredentialError);
    await expect(
      v.verify(await signJwt(k1, claims({ tenant: 'bad tenant!' }))),
    ).rejects.toBeInstanceOf(CredentialError);
  });
});
