/**
 * @module core/frontend/results-cache — where the frontend keeps answers: one extent per key (a
 * query, its parameters and grid, one split interval), the contiguous steps already computed.
 * The Worker keeps them in the Cache API (worker/cache-api.ts), with a MemoryResultsCache of the
 * isolate in front (TieredResultsCache); a MemoryResultsCache alone serves Node and tests.
 */
import type { Series } from '../promql/engine/result.ts';
import { AdmittingLru } from '../cache/admitting-lru.ts';

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

/**
 * About what an entry holds in memory: its columns, labels and strings. A time column several
 * series share (every series present at every step has the range's own times) counts once.
 */
export function entryBytes(v: Extent | string): number {
  if (typeof v === 'string') return 2 * v.length + 64;
  let n = 64 + seriesBytes(v);
  const times = new Set<Float64Array>();
  for (const s of v.series) {
    if (!times.has(s.t)) {
      times.add(s.t);
      n += s.t.byteLength;
    }
    n += s.v.byteLength;
  }
  return n;
}

/** An extent's series without their columns: the objects and their labels. */
function seriesBytes(e: Extent): number {
  let n = 0;
  for (const s of e.series) {
    n += 128;
    for (const l of s.metric) n += 2 * (l.name.length + l.value.length) + 48;
  }
  return n;
}

/** Whether two time columns hold the same times. */
function sameTimes(a: Float64Array, b: Float64Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Where packing an extent puts its columns: each distinct time column once, then the values. */
interface PackPlan {
  readonly times: readonly Float64Array[];
  /** Per series, its time column's index in `times`. */
  readonly timeOf: readonly number[];
  /** Numbers in the packed columns. */
  readonly floats: number;
  /** Bytes the packed extent holds (entryBytes of it). */
  readonly bytes: number;
}

/** The packing of `e`, and its size, without copying anything yet. */
function planPack(e: Extent): PackPlan {
  const times: Float64Array[] = [];
  const byShape = new Map<string, number[]>();
  let floats = 0;
  const timeOf = e.series.map((s) => {
    floats += s.v.length;
    const n = s.t.length;
    const shape = n === 0 ? '0' : `${n}|${s.t[0]}|${s.t[n - 1]}`;
    let candidates = byShape.get(shape);
    if (candidates === undefined) byShape.set(shape, (candidates = []));
    for (const i of candidates) if (sameTimes(times[i]!, s.t)) return i;
    candidates.push(times.length);
    times.push(s.t);
    floats += n;
    return times.length - 1;
  });
  return { times, timeOf, floats, bytes: 64 + seriesBytes(e) + 8 * floats };
}

/**
 * An extent as memory keeps it: its columns copied into one buffer of their exact size, each
 * distinct time column once. The frontend makes an extent's columns in arena blocks (a joined
 * series' times beside its values) and gives each series a time column of its own; kept as they
 * are, a 500-series extent whose series all sit on the same steps took twice the bytes it needs,
 * and a dashboard's extents no longer fit in the memory tier. Columns are never written once
 * cached, so series may share them.
 */
function pack(e: Extent, plan: PackPlan): Extent {
  const buf = new Float64Array(plan.floats);
  let at = 0;
  const copy = (src: Float64Array): Float64Array => {
    const view = buf.subarray(at, at + src.length);
    view.set(src);
    at += src.length;
    return view;
  };
  const times = plan.times.map(copy);
  return {
    start: e.start,
    end: e.end,
    series: e.series.map((s, i) => ({
      metric: s.metric,
      t: times[plan.timeOf[i]!]!,
      v: copy(s.v),
    })),
  };
}

/**
 * An isolate-local results cache: an AdmittingLru (core/cache/admitting-lru.ts) of packed extents
 * and answer bodies. Plain LRU kept nothing of a dashboard whose panels' extents together exceed
 * the budget (a 23-panel dashboard of 500-series panels: 800 misses in 800 lookups); admission
 * keeps a stable part of its refresh.
 */
export class MemoryResultsCache implements ResultsCache {
  /** The entries, with their counters (hits, misses, rejected, evicted) and size. */
  readonly lru: AdmittingLru<Extent | string>;

  constructor(limits: MemoryCacheLimits = {}) {
    this.lru = new AdmittingLru({
      maxEntries: limits.maxEntries ?? 10_000,
      maxBytes: limits.maxBytes ?? Infinity,
    });
  }

  async getExtent(key: string): Promise<Extent | undefined> {
    const v = this.lru.get(key);
    return typeof v === 'object' ? v : undefined;
  }

  async putExtent(key: string, extent: Extent): Promise<void> {
    const plan = planPack(extent);
    this.lru.put(key, plan.bytes, () => pack(extent, plan));
  }

  async getBody(key: string): Promise<string | undefined> {
    const v = this.lru.get(key);
    return typeof v === 'string' ? v : undefined;
  }

  async putBody(key: string, body: string): Promise<void> {
    this.lru.put(key, entryBytes(body), () => body);
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
