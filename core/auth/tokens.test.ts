import { describe, expect, it } from 'vitest';
import { AuthConfigError } from './errors.ts';
import { parseAuthTokens, TokenSet } from './tokens.ts';

const ADMIN = 'admin-token-0123456789';
const TEAM_A = 'team-a-token-0123456789';
const WITH_COLON = 'tok:en:with:colons-0123';

describe('parseAuthTokens', () => {
  it('reads admin and tenant-bound entries, trimming spaces and skipping empty ones', () => {
    expect(parseAuthTokens(` ${ADMIN} , team-a:${TEAM_A},, team.b:${WITH_COLON} ,`)).toEqual([
      { token: ADMIN },
      { token: TEAM_A, tenant: 'team-a' },
      // The first colon splits: the rest of the entry is the token.
      { token: WITH_COLON, tenant: 'team.b' },
    ]);
    expect(parseAuthTokens('')).toEqual([]);
    expect(parseAuthTokens(' , ')).toEqual([]);
  });

  it('refuses malformed entries, naming the position and never the token', () => {
    const cases: Array<[string, RegExp]> = [
      [`${ADMIN},short`, /entry 2: token shorter than 16/],
      [`:${TEAM_A}`, /entry 1: tenant must match/],
      [`bad tenant:${TEAM_A}`, /entry 1: tenant must match/],
      [`team-a:`, /entry 1: token shorter/],
      [`${ADMIN},team-a:${ADMIN}`, /entry 2: token listed twice/],
    ];
    for (const [spec, message] of cases) {
      let err: unknown;
      try {
        parseAuthTokens(spec);
      } catch (e) {
        err = e;
      }
      expect(err, spec).toBeInstanceOf(AuthConfigError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain(ADMIN);
      expect((err as Error).message).not.toContain(TEAM_A);
    }
  });
});

describe('TokenSet', () => {
  it('grants what the matching entry says, and nothing for anything else', async () => {
    const set = await TokenSet.from(parseAuthTokens(`${ADMIN},team-a:${TEAM_A}`));
    expect(set.size).toBe(2);
    expect(await set.match(ADMIN)).toEqual({});
    expect(await set.match(TEAM_A)).toEqual({ tenant: 'team-a' });
    for (const wrong of ['', ADMIN.slice(0, -1), `${ADMIN}x`, ` ${ADMIN}`, `team-a:${TEAM_A}`]) {
      expect(await set.match(wrong), JSON.stringify(wrong)).toBeUndefined();
    }
  });

  it('matches nothing when empty', async () => {
    const set = await TokenSet.from([]);
    expect(set.size).toBe(0);
    expect(await set.match(ADMIN)).toBeUndefined();
  });
});
