/**
 * @module core/frontend/results-cache — where the frontend keeps answers: one extent per key (a
 * query, its parameters and grid, one split interval), the contiguous steps already computed.
 * The Worker keeps them in the Cache API (worker/cache-api.ts); MemoryResultsCache is for Node
 * and tests.
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

/** An isolate-local cache, least recently used entries dropped past `maxEntries`. */
export class MemoryResultsCache implements ResultsCache {
  readonly #entries = new Map<string, Extent | string>();
  readonly #max: number;

  constructor(maxEntries = 10_000) {
    this.#max = maxEntries;
  }

  #get(key: string): Extent | string | undefined {
    const v = this.#entries.get(key);
    if (v !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, v);
    }
    return v;
  }

  #put(key: string, v: Extent | string): void {
    this.#entries.delete(key);
    this.#entries.set(key, v);
    while (this.#entries.size > this.#max) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
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
