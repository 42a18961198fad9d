/**
 * @module core/block/write-behind-cache — writes to a shared range cache (the Workers Cache API)
 * once the reads that fetched the bytes have gone quiet, instead of in the middle of them.
 *
 * A read already holds its bytes when it would write them, so nothing it answers waits on the
 * write; yet an awaited write held each range read for a Cache API round trip, and a cold query
 * over 168 blocks spent a quarter to a third of its time writing (workerd, 4 store shards, cold:
 * 804 -> 608 ms for one series' avg_over_time, 1,422 -> 825 ms for a sum of rates). Here a write
 * is queued and the queue written once no read or write has come for `quietMs`, so the writes
 * run in the time between queries. The queue is bounded: past `maxQueuedBytes` the oldest writes
 * go out at once. A queued range is served from the queue.
 */
import type { PutOptions, RangeCache } from './range-cache.ts';

/** The caches in this isolate with writes queued or under way. */
const busy = new Set<WriteBehindRangeCache>();

/**
 * Resolves once every write queued in this isolate is done: a Worker hands it to `waitUntil`
 * after each answer, so writes a query queued outlive its response.
 */
export function writesSettled(): Promise<void> {
  return Promise.all([...busy].map((w) => w.settled())).then(() => undefined);
}

export interface WriteBehindOptions {
  /**
   * Quiet time after the last read or write before the queue is written (default 1 s): longer
   * than the gaps inside a query and between a dashboard's panels, so the writes do not compete
   * with the reads they follow.
   */
  readonly quietMs?: number;
  /** Bytes queued at most; past it the oldest writes go out at once (default 8 MiB). */
  readonly maxQueuedBytes?: number;
}

export class WriteBehindRangeCache implements RangeCache {
  readonly #inner: RangeCache;
  readonly #quietMs: number;
  readonly #maxQueuedBytes: number;
  readonly #queue = new Map<string, Uint8Array>();
  #queuedBytes = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastActivity = 0;
  #writing: Promise<void> = Promise.resolve();
  #settledWaiters: (() => void)[] = [];
  /** Writes done, and writes the shared cache refused or failed. */
  written = 0;
  failed = 0;

  constructor(inner: RangeCache, options: WriteBehindOptions = {}) {
    this.#inner = inner;
    this.#quietMs = options.quietMs ?? 1000;
    this.#maxQueuedBytes = options.maxQueuedBytes ?? 8 * 1024 * 1024;
  }

  /** Bytes waiting to be written. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    this.touch();
    return this.#queue.get(key) ?? this.#inner.get(key);
  }

  /**
   * The store is reading: writes wait another `quietMs`. Reads answered by a tier in front of
   * this one (the isolate's memory) say so too, or a warm query would meet the writes of the cold
   * one before it.
   */
  touch(): void {
    this.#lastActivity = Date.now();
  }

  async put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<void> {
    if (options?.local) return;
    const old = this.#queue.get(key);
    if (old !== undefined) {
      this.#queue.delete(key);
      this.#queuedBytes -= old.length;
    }
    this.#queue.set(key, bytes);
    this.#queuedBytes += bytes.length;
    while (this.#queuedBytes > this.#maxQueuedBytes && this.#queue.size > 1) {
      const [oldest, b] = this.#queue.entries().next().value!;
      this.#take(oldest, b);
    }
    this.touch();
    busy.add(this);
    this.#timer ??= setTimeout(() => this.#whenQuiet(), this.#quietMs);
  }

  /** Resolves once every queued write is done (for `waitUntil` after an answer). */
  settled(): Promise<void> {
    if (this.#queue.size === 0 && this.#timer === undefined) return this.#writing;
    return new Promise((resolve) => this.#settledWaiters.push(resolve));
  }

  /** One timer at a time, not one per read: it looks again for what is left of the quiet time. */
  #whenQuiet(): void {
    const quietFor = Date.now() - this.#lastActivity;
    if (quietFor < this.#quietMs) {
      this.#timer = setTimeout(() => this.#whenQuiet(), this.#quietMs - quietFor);
      return;
    }
    this.#timer = undefined;
    for (const [key, bytes] of [...this.#queue]) this.#take(key, bytes);
    const waiters = this.#settledWaiters;
    this.#settledWaiters = [];
    const done = this.#writing;
    void done.then(() => {
      if (this.#writing === done && this.#timer === undefined) busy.delete(this);
      for (const w of waiters) w();
    });
  }

  /** Takes one write off the queue and chains it after the writes before it. */
  #take(key: string, bytes: Uint8Array): void {
    this.#queue.delete(key);
    this.#queuedBytes -= bytes.length;
    this.#writing = this.#writing.then(() =>
      this.#inner.put(key, bytes).then(
        () => void this.written++,
        () => void this.failed++,
      ),
    );
  }
}
