/**
 * @module core/cache/admitting-lru — an isolate-local cache: least recently used entries dropped
 * past its limits, and TinyLFU's admission in front. Once full, a new key gets in only if it was
 * asked for more often lately than every entry it would push out.
 *
 * Plain LRU keeps nothing of a cycle larger than itself: a dashboard's refresh asks for its
 * panels (and its panels for their chunks) in the same order every time, each put pushing out
 * the next key to be asked for, so every lookup misses. With admission a stable part of the cycle
 * stays. Counts are halved every AGING_GETS gets (or ten per entry held, if more, or once
 * MAX_COUNTED_KEYS keys are counted), so what was popular once gives way to what is asked for now.
 */

/** Gets between two halvings of the admission counts, at least. */
export const AGING_GETS = 1024;
/**
 * Keys counted at most before the counts are halved early: requests for ever new keys (a flood of
 * distinct queries) would otherwise grow the counts by a key per get until the next halving, which
 * with 10,000 entries held comes only every 100,000 gets. A halving drops every key asked once.
 */
export const MAX_COUNTED_KEYS = 8192;

export interface AdmittingLruLimits {
  /** Bytes held at most (as the puts state them; default no limit). */
  readonly maxBytes?: number;
  /** Entries held at most (default no limit). */
  readonly maxEntries?: number;
}

export class AdmittingLru<V> {
  readonly maxBytes: number;
  readonly maxEntries: number;
  /** Least recently used first. */
  readonly #entries = new Map<string, { v: V; bytes: number }>();
  #bytes = 0;
  /** Gets per key since the counts were last halved; keys not held included. */
  readonly #asked = new Map<string, number>();
  #gets = 0;
  /** Lookups that found their key, and that did not; puts refused by admission; entries pushed out. */
  hits = 0;
  misses = 0;
  rejected = 0;
  evicted = 0;

  constructor(limits: AdmittingLruLimits = {}) {
    this.maxBytes = limits.maxBytes ?? Infinity;
    this.maxEntries = limits.maxEntries ?? Infinity;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Entries held. */
  get entries(): number {
    return this.#entries.size;
  }

  /** Keys whose lookups are being counted (at most MAX_COUNTED_KEYS). */
  get countedKeys(): number {
    return this.#asked.size;
  }

  /** The value under `key`, made the most recently used; counted for admission, found or not. */
  get(key: string): V | undefined {
    this.#count(key);
    const e = this.#entries.get(key);
    if (e === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.#entries.delete(key);
    this.#entries.set(key, e);
    return e.v;
  }

  /**
   * Keeps `make()`, of `bytes`, under `key` if it fits and is admitted (made only then); `force`
   * skips admission (a value known to be wanted though never looked up). Returns whether kept.
   */
  put(key: string, bytes: number, make: () => V, force = false): boolean {
    // An entry larger than the whole budget would only push everything else out.
    if (bytes > this.maxBytes) {
      this.delete(key);
      return false;
    }
    if (!force && !this.#entries.has(key) && !this.#admits(key, bytes)) {
      this.rejected++;
      return false;
    }
    this.delete(key);
    this.#entries.set(key, { v: make(), bytes });
    this.#bytes += bytes;
    while (this.#entries.size > this.maxEntries || this.#bytes > this.maxBytes) {
      this.delete(this.#entries.keys().next().value!);
      this.evicted++;
    }
    return true;
  }

  delete(key: string): void {
    const e = this.#entries.get(key);
    if (e === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= e.bytes;
  }

  #count(key: string): void {
    this.#asked.set(key, (this.#asked.get(key) ?? 0) + 1);
    const period = Math.max(AGING_GETS, 10 * this.#entries.size);
    if (++this.#gets < period && this.#asked.size < MAX_COUNTED_KEYS) return;
    this.#gets = 0;
    for (const [k, n] of this.#asked) {
      if (n > 1) this.#asked.set(k, n >>> 1);
      else this.#asked.delete(k);
    }
  }

  /** Whether `key`, not held, may take `bytes`: room is free, or its holders were asked for less. */
  #admits(key: string, bytes: number): boolean {
    let bytesOver = this.#bytes + bytes - this.maxBytes;
    let entriesOver = this.#entries.size + 1 - this.maxEntries;
    if (bytesOver <= 0 && entriesOver <= 0) return true;
    const asked = this.#asked.get(key) ?? 0;
    for (const [k, e] of this.#entries) {
      if ((this.#asked.get(k) ?? 0) >= asked) return false;
      bytesOver -= e.bytes;
      entriesOver--;
      if (bytesOver <= 0 && entriesOver <= 0) return true;
    }
    return true;
  }
}
