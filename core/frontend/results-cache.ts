/**
 * @module core/frontend/results-cache — where the frontend keeps answers: one extent per key (a
 * query, its parameters and grid, one split interval), the contiguous steps already computed.
 * The Worker keeps them in the Cache API (worker/cache-api.ts), with a MemoryResultsCache of the
 * isolate in front (TieredResultsCache); a MemoryResultsCache alone serves Node and tests.
 */
import type { Series } from '../promql/engine/result.ts';

/** Steps [start, end] (ms, on the key's grid) computed, and the series over them. */
export interface Extent {
  readonly start: number;
  readonly end: number;
  readonly series: readonly Series[];
}

/** Answers of label, series and label-value requests are cached whole. */
export interface ResultsCache {
  getExtent(key: string): Promise<Extent | undefined>;
  putExtent(key: string, extent: Extent): Promise<void>;
  getBody(key: string): Promise<string | undefined>;
  putBody(key: string, body: string): Promise<void>;
}

export interface MemoryCacheLimits {
  /** Entries kept at most (10,000). */
  readonly maxEntries?: number;
  /** Bytes kept at most, as estimated by `entryBytes` (unbounded when unset). */
  readonly maxBytes?: number;
}

/** About what an entry holds in memory: its columns, labels and strings. */
export function entryBytes(v: Extent | string): number {
  if (typeof v === 'string') return 2 * v.length + 64;
  let n = 64;
  for (const s of v.series) {
    n += s.t.byteLength + s.v.byteLength + 128;
    for (const l of s.metric) n += 2 * (l.name.length + l.value.length) + 48;
  }
  return n;
}

/** An isolate-local cache, least recently used entries dropped past its limits. */
export class MemoryResultsCache implements ResultsCache {
  readonly #entries = new Map<string, { v: Extent | string; bytes: number }>();
  readonly #maxEntries: number;
  readonly maxBytes: number;
  #bytes = 0;

  constructor(limits: MemoryCacheLimits = {}) {
    this.#maxEntries = limits.maxEntries ?? 10_000;
    this.maxBytes = limits.maxBytes ?? Infinity;
  }

  /** Bytes held (estimated). */
  get bytes(): number {
    return this.#bytes;
  }

  #get(key: string): Extent | string | undefined {
    const e = this.#entries.get(key);
    if (e !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, e);
    }
    return e?.v;
  }

  #put(key: string, v: Extent | string): void {
    this.#drop(key);
    const bytes = entryBytes(v);
    // An entry larger than the whole budget would only push everything else out.
    if (bytes > this.maxBytes) return;
    this.#entries.set(key, { v, bytes });
    this.#bytes += bytes;
    while (this.#entries.size > this.#maxEntries || this.#bytes > this.maxBytes) {
      this.#drop(this.#entries.keys().next().value!);
    }
  }

  #drop(key: string): void {
    const e = this.#entries.get(key);
    if (e === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= e.bytes;
  }

  async getExtent(key: string): Promise<Extent | undefined> {
    const v = this.#get(key);
    return typeof v === 'object' ? v : undefined;
  }

  async putExtent(key: string, extent: Extent): Promise<void> {
    this.#put(key, extent);
  }

  async getBody(key: string): Promise<string | undefined> {
    const v = this.#get(key);
    return typeof v === 'string' ? v : undefined;
  }

  async putBody(key: string, body: string): Promise<void> {
    this.#put(key, body);
  }
}

/** How long an isolate trusts that the shared cache lacks a key (60 s). */
export const MISS_TTL_MS = 60_000;

/**
 * Keys the shared cache was found to lack, remembered for a while (at most `maxKeys`, oldest
 * dropped first). A range query looks up a base and a tail entry for each of its splits, and a
 * dashboard's ranges mostly have no tail entry: without the memo every warm refresh asked the
 * Cache API again for each absent tail, a round trip per split for an answer memory already had.
 * A key another isolate stores meanwhile is at worst computed here once more, never answered
 * wrongly; a key this isolate stores is forgotten as absent at once.
 */
export class MissMemo {
  readonly #until = new Map<string, number>();
  readonly #maxKeys: number;
  readonly #ttlMs: number;

  constructor(opts: { readonly maxKeys?: number; readonly ttlMs?: number } = {}) {
    this.#maxKeys = opts.maxKeys ?? 10_000;
    this.#ttlMs = opts.ttlMs ?? MISS_TTL_MS;
  }

  /** Keys remembered (expired ones included until they are next looked at or pushed out). */
  get size(): number {
    return this.#until.size;
  }

  has(key: string, now: number): boolean {
    const until = this.#until.get(key);
    if (until === undefined) return false;
    if (now < until) return true;
    this.#until.delete(key);
    return false;
  }

  add(key: string, now: number): void {
    this.#until.delete(key);
    this.#until.set(key, now + this.#ttlMs);
    if (this.#until.size > this.#maxKeys) {
      const oldest = this.#until.keys().next().value;
      if (oldest !== undefined) this.#until.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#until.delete(key);
  }
}

/**
 * An isolate's memory in front of a shared cache (the data centre's Cache API): a hit in memory
 * costs no request and no decoding, which for a warm dashboard is most of what answering costs
 * (a 14-day range reads two entries for each of its 15 splits). Entries only ever grow and every
 * extent is correct for the steps it holds, so an isolate that keeps an older one than the shared
 * cache has computes the difference again; it never answers wrongly. With a `MissMemo`, a key
 * the shared cache lacked is not asked for again for a while (see MissMemo).
 */
export class TieredResultsCache implements ResultsCache {
  readonly #misses: MissMemo | undefined;
  readonly #now: () => number;

  constructor(
    readonly memory: MemoryResultsCache,
    readonly shared: ResultsCache,
    misses?: MissMemo,
    now: () => number = Date.now,
  ) {
    this.#misses = misses;
    this.#now = now;
  }

  /** The shared cache's entry under `memoKey`, unless it was found lacking it lately. */
  async #farGet<T>(memoKey: string, get: () => Promise<T | undefined>): Promise<T | undefined> {
    if (this.#misses?.has(memoKey, this.#now())) return undefined;
    const far = await get();
    if (far === undefined) this.#misses?.add(memoKey, this.#now());
    return far;
  }

  async getExtent(key: string): Promise<Extent | undefined> {
    const near = await this.memory.getExtent(key);
    if (near !== undefined) return near;
    const far = await this.#farGet(`extent/${key}`, () => this.shared.getExtent(key));
    if (far !== undefined) await this.memory.putExtent(key, far);
    return far;
  }

  async putExtent(key: string, extent: Extent): Promise<void> {
    this.#misses?.delete(`extent/${key}`);
    await this.memory.putExtent(key, extent);
    await this.shared.putExtent(key, extent);
  }

  async getBody(key: string): Promise<string | undefined> {
    const near = await this.memory.getBody(key);
    if (near !== undefined) return near;
    const far = await this.#farGet(`body/${key}`, () => this.shared.getBody(key));
    if (far !== undefined) await this.memory.putBody(key, far);
    return far;
  }

  async putBody(key: string, body: string): Promise<void> {
    this.#misses?.delete(`body/${key}`);
    await this.memory.putBody(key, body);
    await this.shared.putBody(key, body);
  }
}
