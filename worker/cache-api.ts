/**
 * @module worker/cache-api — block byte ranges and query-frontend results in the Workers Cache API, shared by every
 * isolate of the data center. The Cache API cannot store 206 answers, so each cached range is a
 * whole 200 response under a synthetic URL naming the object, offset and length.
 */
import type { RangeCache } from '../core/block/range-cache.ts';
import { decodeExtent, encodeExtent } from '../core/frontend/extent-codec.ts';
import type { Extent, ResultsCache } from '../core/frontend/results-cache.ts';

const ORIGIN = 'https://thanos-edge.cache/';

export class CacheApiRangeCache implements RangeCache {
  readonly #cache: Cache;
  readonly #namespace: string;

  /** `namespace` separates buckets (e.g. the bucket name), since block ULIDs are only unique per bucket. */
  constructor(cache: Cache, namespace: string) {
    this.#cache = cache;
    this.#namespace = encodeURIComponent(namespace);
  }

  #url(key: string): string {
    return `${ORIGIN}${this.#namespace}/${encodeURIComponent(key)}`;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const res = await this.#cache.match(this.#url(key));
    return res ? new Uint8Array(await res.arrayBuffer()) : undefined;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    // Blocks are immutable: a year of caching is safe; eviction is the cache's business.
    await this.#cache.put(
      this.#url(key),
      new Response(bytes as Uint8Array<ArrayBuffer>, {
        headers: { 'cache-control': 'public, max-age=31536000, immutable' },
      }),
    );
  }
}

/**
 * The query frontend's results in the Cache API: each key a JSON document under a synthetic
 * URL. Entries live `ttlSeconds` at most; the frontend never stores steps that could change.
 */
export class CacheApiResultsCache implements ResultsCache {
  readonly #cache: Cache;
  readonly #ttl: number;

  constructor(cache: Cache, ttlSeconds: number) {
    this.#cache = cache;
    this.#ttl = ttlSeconds;
  }

  #url(kind: string, key: string): string {
    return `${ORIGIN}frontend/${kind}/${key}`;
  }

  async #put(kind: string, key: string, body: string | Uint8Array): Promise<void> {
    await this.#cache.put(
      this.#url(kind, key),
      new Response(body as string | Uint8Array<ArrayBuffer>, {
        headers: { 'cache-control': `public, max-age=${this.#ttl}` },
      }),
    );
  }

  async getExtent(key: string): Promise<Extent | undefined> {
    const res = await this.#cache.match(this.#url('extent', key));
    if (!res) return undefined;
    try {
      return decodeExtent(new Uint8Array(await res.arrayBuffer()));
    } catch {
      return undefined; // an unreadable entry is a miss; the next answer overwrites it
    }
  }

  putExtent(key: string, extent: Extent): Promise<void> {
    return this.#put('extent', key, encodeExtent(extent));
  }

  async getBody(key: string): Promise<string | undefined> {
    const res = await this.#cache.match(this.#url('body', key));
    return res ? res.text() : undefined;
  }

  putBody(key: string, body: string): Promise<void> {
    return this.#put('body', key, body);
  }
}
