/**
 * @module core/auth/key-set — a remote JSON Web Key Set (Cloudflare Access's
 * `https://<team>/cdn-cgi/access/certs`), fetched on first use, cached for a TTL, and fetched
 * again when a token names a key id it does not hold (keys rotate). Refetches for unknown ids are
 * throttled, so a stream of tokens with made-up key ids costs one fetch per interval, not one each.
 *
 * Fetches are never shared between requests: on Workers, I/O started by one request cannot be
 * awaited by another. What is shared is the result, imported CryptoKeys.
 */
import { AccessKeysUnavailableError } from './errors.ts';
import { RS256_PARAMS } from './jwt.ts';

/** How long a fetched key set is used before it is fetched again. */
export const KEY_SET_TTL_MS = 10 * 60_000;
/** The least time between two fetches caused by unknown key ids. */
export const KEY_SET_MIN_REFETCH_MS = 5_000;
/** A fetch of the key set gives up after this. */
export const KEY_SET_FETCH_TIMEOUT_MS = 5_000;

export interface RemoteKeySetOptions {
  readonly fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  readonly ttlMs?: number;
  readonly minRefetchMs?: number;
  readonly now?: () => number;
}

interface Jwk {
  readonly kty?: unknown;
  readonly kid?: unknown;
  readonly alg?: unknown;
  readonly use?: unknown;
  readonly n?: unknown;
  readonly e?: unknown;
}

export class RemoteKeySet {
  readonly #url: string;
  readonly #fetch: (input: string, init?: RequestInit) => Promise<Response>;
  readonly #ttlMs: number;
  readonly #minRefetchMs: number;
  readonly #now: () => number;
  #keys = new Map<string, CryptoKey>();
  #fetchedAt = -Infinity;
  #attemptedAt = -Infinity;

  constructor(url: string, options: RemoteKeySetOptions = {}) {
    this.#url = url;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#ttlMs = options.ttlMs ?? KEY_SET_TTL_MS;
    this.#minRefetchMs = options.minRefetchMs ?? KEY_SET_MIN_REFETCH_MS;
    this.#now = options.now ?? Date.now;
  }

  /** The RS256 public key with this id, or undefined when the (fresh) set has none. */
  async key(kid: string): Promise<CryptoKey | undefined> {
    const now = this.#now();
    const stale = now - this.#fetchedAt >= this.#ttlMs;
    if (stale && this.#throttleAllows(now)) await this.#refresh();
    const known = this.#keys.get(kid);
    if (known || stale) return known;
    if (!this.#throttleAllows(this.#now())) return undefined;
    await this.#refresh();
    return this.#keys.get(kid);
  }

  #throttleAllows(now: number): boolean {
    return this.#keys.size === 0 || now - this.#attemptedAt >= this.#minRefetchMs;
  }

  /** Fetches the set; a failure keeps the keys held (a blip must not lock everyone out). */
  async #refresh(): Promise<void> {
    this.#attemptedAt = this.#now();
    try {
      this.#keys = await this.#load();
      this.#fetchedAt = this.#now();
    } catch (err) {
      if (this.#keys.size === 0) throw err;
    }
  }

  async #load(): Promise<Map<string, CryptoKey>> {
    let body: unknown;
    try {
      const r = await this.#fetch(this.#url, {
        headers: { accept: 'application/json' },
        // workerd knows only follow/manual: a redirect is then a non-2xx answer, refused below.
        redirect: 'manual',
        signal: AbortSignal.timeout(KEY_SET_FETCH_TIMEOUT_MS),
      });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      body = await r.json();
    } catch (err) {
      throw new AccessKeysUnavailableError(
        `Access signing keys from ${this.#url}: ${String(err)}`,
        {
          cause: err,
        },
      );
    }
    const list = (body as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(list)) {
      throw new AccessKeysUnavailableError(`Access signing keys from ${this.#url}: no keys array`);
    }
    const keys = new Map<string, CryptoKey>();
    for (const jwk of list as Jwk[]) {
      if (jwk.kty !== 'RSA' || typeof jwk.kid !== 'string') continue;
      if (jwk.alg !== undefined && jwk.alg !== 'RS256') continue;
      if (jwk.use !== undefined && jwk.use !== 'sig') continue;
      if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') continue;
      try {
        const key = await crypto.subtle.importKey(
          'jwk',
          { kty: 'RSA', n: jwk.n, e: jwk.e },
          RS256_PARAMS,
          false,
          ['verify'],
        );
        keys.set(jwk.kid, key);
      } catch {
        // A key this runtime cannot import cannot have signed anything we accept: skip it.
      }
    }
    return keys;
  }
}
