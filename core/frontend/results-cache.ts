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

/**
 * An isolate's memory in front of a shared cache (the data centre's Cache API): a hit in memory
 * costs no request and no decoding, which for a warm dashboard is most of what answering costs
 * (a 14-day range reads two entries for each of its 15 splits). Entries only ever grow and every
 * extent is correct for the steps it holds, so an isolate that keeps an older one than the shared
 * cache has computes the difference again; it never answers wrongly.
 */
export class TieredResultsCache implements ResultsCache {
  constructor(
    readonly memory: MemoryResultsCache,
    readonly shared: ResultsCache,
  ) {}

  async getExtent(key: string): Promise<Extent | undefined> {
    const near = await this.memory.getExtent(key);
    if (near !== undefined) return near;
    const far = await this.shared.getExtent(key);
    if (far !== undefined) await this.memory.putExtent(key, far);
    return far;
  }

  async putExtent(key: string, extent: Extent): Promise<void> {
    await this.memory.putExtent(key, extent);
    await this.shared.putExtent(key, extent);
  }

  async getBody(key: string): Promise<string | undefined> {
    const near = await this.memory.getBody(key);
    if (near !== undefined) return near;
    const far = await this.shared.getBody(key);
    if (far !== undefined) await this.memory.putBody(key, far);
    return far;
  }

  async putBody(key: string, body: string): Promise<void> {
    await this.memory.putBody(key, body);
    await this.shared.putBody(key, body);
  }
}
