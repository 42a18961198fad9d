/**
 * @module core/block/range-cache — caches byte ranges of immutable block files. Blocks never
 * change once meta.json exists, so a range read once is valid forever: the isolate keeps recent
 * ranges in memory (LRU by bytes, with admission) and the Worker adds the Cache API behind it.
 */
import { AdmittingLru } from '../cache/admitting-lru.ts';

export interface PutOptions {
  /**
   * Keep it in this isolate only: bytes another isolate gets more cheaply elsewhere (an inline
   * index, which the bucket index's header pack carries) are not worth a shared-cache write.
   */
  readonly local?: boolean;
  /**
   * Placed without a lookup before it (an index the header pack carries): let in however rarely
   * its key was asked for, where admission would turn away a key never asked for.
   */
  readonly placed?: boolean;
}

export interface RangeCache {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<void>;
}

/**
 * The isolate's ranges: an AdmittingLru (core/cache/admitting-lru.ts) bounded by bytes. Once full,
 * a range read for the first time does not push out ranges read more often lately, so a dashboard
 * whose reads exceed the budget keeps a stable part of them instead of none. A `placed` put is
 * always let in.
 */
export class MemoryRangeCache implements RangeCache {
  /** The ranges, with their counters (hits, misses, rejected, evicted) and size. */
  readonly lru: AdmittingLru<Uint8Array>;

  /** @param maxBytes total bytes kept (default 32 MiB: a quarter of a Worker isolate). */
  constructor(maxBytes = 32 * 1024 * 1024) {
    this.lru = new AdmittingLru({ maxBytes });
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.lru.get(key);
  }

  async put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<void> {
    // One range takes at most a quarter of the budget (and none when the budget is 0).
    if (this.lru.maxBytes === 0 || bytes.length > this.lru.maxBytes / 4) return;
    this.lru.put(key, bytes.length, () => bytes, options?.placed === true);
  }
}

/** Looks in each cache in order; fills the earlier ones on a later hit. */
export class TieredRangeCache implements RangeCache {
  readonly #tiers: readonly RangeCache[];

  constructor(tiers: readonly RangeCache[]) {
    this.#tiers = tiers;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    for (let i = 0; i < this.#tiers.length; i++) {
      const v = await this.#tiers[i]!.get(key);
      if (v) {
        for (let j = 0; j < i; j++) await this.#tiers[j]!.put(key, v);
        return v;
      }
    }
    return undefined;
  }

  /** Into every tier; a `local` put only into the first (the isolate's memory). */
  async put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<void> {
    const tiers = options?.local ? this.#tiers.slice(0, 1) : this.#tiers;
    await Promise.all(tiers.map((t) => t.put(key, bytes, options)));
  }
}
