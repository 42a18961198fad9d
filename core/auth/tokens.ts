/**
 * @module core/auth/tokens — AUTH_TOKENS: comma-separated entries, `token` (an admin: every
 * tenant) or `tenant:token` (bound to that tenant). Only SHA-256 digests of the tokens are kept;
 * a presented secret is digested once and compared with every entry, so neither which entry
 * matched nor how much of it shows in the time taken.
 */
import { AuthConfigError } from './errors.ts';
import { TENANT_RE } from './principal.ts';
import { secretDigest, timingSafeEqual } from './secret.ts';

/** Tokens shorter than this are refused: a guessable token is no authentication. */
export const MIN_TOKEN_LENGTH = 16;

export interface TokenEntry {
  readonly token: string;
  readonly tenant?: string;
}

/** What a matching token grants. */
export interface TokenGrant {
  readonly tenant?: string;
}

/**
 * Parses AUTH_TOKENS. A `:` splits tenant from token at its first occurrence (tokens may contain
 * `:`; tenants may not). Errors name the entry by position only.
 */
export function parseAuthTokens(spec: string): TokenEntry[] {
  const out: TokenEntry[] = [];
  const seen = new Set<string>();
  const parts = spec.split(',');
  for (const [i, raw] of parts.entries()) {
    const entry = raw.trim();
    if (entry === '') continue;
    const where = `AUTH_TOKENS entry ${i + 1}`;
    const colon = entry.indexOf(':');
    const tenant = colon >= 0 ? entry.slice(0, colon).trim() : undefined;
    const token = colon >= 0 ? entry.slice(colon + 1).trim() : entry;
    if (tenant !== undefined && !TENANT_RE.test(tenant)) {
      throw new AuthConfigError(`${where}: tenant must match ${TENANT_RE.source}`);
    }
    if (token.length < MIN_TOKEN_LENGTH) {
      throw new AuthConfigError(`${where}: token shorter than ${MIN_TOKEN_LENGTH} characters`);
    }
    if (seen.has(token)) throw new AuthConfigError(`${where}: token listed twice`);
    seen.add(token);
    out.push(tenant === undefined ? { token } : { token, tenant });
  }
  return out;
}

/** The configured tokens, as digests, matched in constant time. */
export class TokenSet {
  readonly #digests: readonly Uint8Array[];
  readonly #grants: readonly TokenGrant[];

  private constructor(digests: Uint8Array[], grants: TokenGrant[]) {
    this.#digests = digests;
    this.#grants = grants;
  }

  static async from(entries: readonly TokenEntry[]): Promise<TokenSet> {
    const digests = await Promise.all(entries.map((e) => secretDigest(e.token)));
    return new TokenSet(
      digests,
      entries.map((e) => (e.tenant === undefined ? {} : { tenant: e.tenant })),
    );
  }

  get size(): number {
    return this.#digests.length;
  }

  /** The grant of the entry `secret` equals, or undefined. Every entry is compared. */
  async match(secret: string): Promise<TokenGrant | undefined> {
    if (secret === '' || this.#digests.length === 0) return undefined;
    const given = await secretDigest(secret);
    let found = -1;
    for (let i = 0; i < this.#digests.length; i++) {
      // No early exit: the loop's length is the entry count, whatever matches.
      const eq = timingSafeEqual(given, this.#digests[i]!);
      found = eq ? i : found;
    }
    return found >= 0 ? this.#grants[found] : undefined;
  }
}
