/**
 * @module worker/cache-api — block byte ranges in the Workers Cache API, shared by every
 * isolate of the data center. The Cache API cannot store 206 answers, so each cached range is a
 * whole 200 response under a synthetic URL naming the object, offset and length.
 */
import type { RangeCache } from '../core/block/range-cache.ts';

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
