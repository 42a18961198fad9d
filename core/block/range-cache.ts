/**
 * @module core/block/range-cache — caches byte ranges of immutable block files. Blocks never
 * change once meta.json exists, so a range read once is valid forever: the isolate keeps recent
 * ranges in memory (LRU by bytes) and the Worker adds the Cache API behind it.
 */

export interface PutOptions {
  /**
   * Keep it in this isolate only: bytes another isolate gets more cheaply elsewhere (an inline
   * index, which the bucket index's header pack carries) are not worth a shared-cache write.
   */
  readonly local?: boolean;
}

export interface RangeCache {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<void>;
}

/** LRU over a Map (insertion order), bounded by total bytes. */
export class MemoryRangeCache implements RangeCache {
  readonly #max: number;
  readonly #entries = new Map<string, Uint8Array>();
  #bytes = 0;
  hits = 0;
  misses = 0;

  /** @param maxBytes total bytes kept (default 32 MiB: a quarter of a Worker isolate). */
  constructor(maxBytes = 32 * 1024 * 1024) {
    this.#max = maxBytes;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const v = this.#entries.get(key);
    if (v === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.#entries.delete(key);
    this.#entries.set(key, v);
    return v;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    if (this.#max === 0 || bytes.length > this.#max / 4) return;
    const old = this.#entries.get(key);
    if (old) {
      this.#bytes -= old.length;
      this.#entries.delete(key);
    }
    this.#entries.set(key, bytes);
    this.#bytes += bytes.length;
    for (const [k, v] of this.#entries) {
      if (this.#bytes <= this.#max) break;
      this.#entries.delete(k);
      this.#bytes -= v.length;
    }
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
