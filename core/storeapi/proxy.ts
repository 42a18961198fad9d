/**
 * @module core/storeapi/proxy — fans a request out to many stores and merges their sorted answers
 * into one sorted stream; itself a Store (Thanos's ProxyStore), so a querier can serve it again.
 *
 * Series with identical labels from several stores (a block still in Prometheus and already in the
 * bucket, or one block on several store shards) come out as one frame with all chunks; the reader
 * drops duplicate samples when it decodes them. With replica labels in the request, stores and the
 * merge order series as if those labels were absent, so HA replicas arrive side by side for the
 * deduplicating reader. Stores report what they cost in hints frames; the proxy sums them into one.
 */
import { QueryTimeoutError, errorMessage } from '../errors.ts';
import { StoreFailedError } from './errors.ts';
import {
  compareLabelsIgnoring,
  compareStrings,
  labelsToString,
  type Labels,
} from '../labels/labels.ts';
import { mergeCursors, type SortedCursor } from './merge.ts';
import { addStoreStats, newStoreStats, type StoreStats } from './stats.ts';
import { overlapsTime, storeMatches } from './prune.ts';
import type {
  AggrChunk,
  LabelsRequest,
  LabelsResponse,
  SeriesFrame,
  SeriesRequest,
  Store,
  StoreInfo,
  StoreType,
} from './store.ts';
import { MAX_TIME, MIN_TIME } from '../gocompat/time.ts';

/** A store the proxy knows, with the info it last advertised (undefined until first seen). */
export interface StoreEndpoint {
  readonly name: string;
  readonly store: Store;
  readonly info: StoreInfo | undefined;
}

export interface ProxyOptions {
  /** Time budget for one store's whole answer, ms (Thanos `--store.response-timeout`); 0 = none. */
  readonly responseTimeout?: number;
}

type SeriesOnly = Extract<SeriesFrame, { type: 'series' }>;

export class ProxyStore implements Store {
  readonly #endpoints: () => readonly StoreEndpoint[];
  readonly #timeout: number;

  constructor(endpoints: () => readonly StoreEndpoint[], options: ProxyOptions = {}) {
    this.#endpoints = endpoints;
    this.#timeout = options.responseTimeout ?? 0;
  }

  async info(): Promise<StoreInfo> {
    let minTime = MAX_TIME;
    let maxTime = MIN_TIME;
    // Stores with the same external labels (a sidecar and the bucket behind it) advertise one set.
    const labelSets = new Map<string, Labels>();
    for (const e of this.#endpoints()) {
      if (!e.info) continue;
      minTime = Math.min(minTime, e.info.minTime);
      maxTime = Math.max(maxTime, e.info.maxTime);
      for (const ls of e.info.labelSets) labelSets.set(labelsToString(ls), ls);
    }
    const storeType: StoreType = 'query';
    return {
      storeType,
      labelSets: [...labelSets.values()],
      minTime: minTime === MAX_TIME ? MIN_TIME : minTime,
      maxTime: maxTime === MIN_TIME ? MAX_TIME : maxTime,
    };
  }

  /** Stores that may hold data for this time range and these matchers. */
  selectStores(
    minTime: number,
    maxTime: number,
    request: { matchers: SeriesRequest['matchers'] },
  ): StoreEndpoint[] {
    return this.#endpoints().filter(
      (e) =>
        !e.info ||
        (overlapsTime(e.info, minTime, maxTime) && storeMatches(e.info, request.matchers)),
    );
  }

  async *series(request: SeriesRequest, signal?: AbortSignal): AsyncGenerator<SeriesFrame> {
    const selected = this.selectStores(request.minTime, request.maxTime, request);
    const abort = request.partialResponseStrategy === 'abort';
    const ignored = new Set(request.withoutReplicaLabels ?? []);
    const compare = (a: SeriesOnly, b: SeriesOnly): number =>
      compareLabelsIgnoring(a.labels, b.labels, ignored);
    const cursors = selected.map(
      (e) => new StoreCursor(e, request, this.#timeout, signal, compare),
    );
    const stats = newStoreStats();
    let statsSeen = false;
    // Failures and warnings of the cursors that just moved, as frames (or the abort).
    const drain = (moved: readonly StoreCursor[]): SeriesFrame[] => {
      const frames: SeriesFrame[] = [];
      for (const c of moved) {
        const failure = c.takeFailure();
        if (failure) {
          if (abort) throw failure;
          frames.push({ type: 'warning', warning: errorMessage(failure) });
        }
        for (const w of c.takeWarnings()) frames.push({ type: 'warning', warning: w });
        const s = c.takeStats();
        if (s) {
          addStoreStats(stats, s);
          statsSeen = true;
        }
      }
      return frames;
    };
    try {
      await Promise.all(cursors.map((c) => c.advance()));
      yield* drain(cursors);
      let previous: readonly StoreCursor[] = [];
      for await (const group of mergeCursors<SeriesOnly, StoreCursor>(cursors, compare)) {
        yield* drain(previous);
        previous = group;
        const head = group[0]!.head!;
        if (group.length === 1) {
          yield head;
          continue;
        }
        // The same series from several stores (compare ties by the full labels): one frame.
        let chunks: AggrChunk[] = [];
        for (const c of group) chunks = chunks.concat(c.head!.chunks);
        chunks.sort((a, b) => a.minTime - b.minTime || a.maxTime - b.maxTime);
        yield { type: 'series', labels: head.labels, chunks };
      }
      yield* drain(cursors);
      if (statsSeen) yield { type: 'hints', stats };
    } finally {
      await Promise.all(cursors.map((c) => c.close()));
    }
  }

  async labelNames(request: LabelsRequest, signal?: AbortSignal): Promise<LabelsResponse> {
    return this.#fanOutLabels(request, (s, sig) => s.labelNames(request, sig), signal);
  }

  async labelValues(
    name: string,
    request: LabelsRequest,
    signal?: AbortSignal,
  ): Promise<LabelsResponse> {
    return this.#fanOutLabels(request, (s, sig) => s.labelValues(name, request, sig), signal);
  }

  async #fanOutLabels(
    request: LabelsRequest,
    call: (s: Store, signal: AbortSignal) => Promise<LabelsResponse>,
    signal?: AbortSignal,
  ): Promise<LabelsResponse> {
    const selected = this.selectStores(request.start, request.end, request);
    const results = await Promise.allSettled(
      selected.map((e) => withTimeout(e.name, this.#timeout, signal, (sig) => call(e.store, sig))),
    );
    const values = new Set<string>();
    const warnings: string[] = [];
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') {
        for (const v of r.value.values) values.add(v);
        warnings.push(...r.value.warnings);
        return;
      }
      const failure = new StoreFailedError(selected[i]!.name, r.reason);
      if (request.partialResponseStrategy === 'abort') throw failure;
      warnings.push(failure.message);
    });
    const sorted = [...values].sort(compareStrings);
    return { values: request.limit ? sorted.slice(0, request.limit) : sorted, warnings };
  }
}

async function withTimeout<T>(
  name: string,
  timeout: number,
  parent: AbortSignal | undefined,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ctl = new AbortController();
  const onAbort = (): void => ctl.abort(parent?.reason);
  parent?.addEventListener('abort', onAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timed = new Promise<never>((_, reject) => {
      if (timeout > 0) {
        timer = setTimeout(() => {
          const err = new QueryTimeoutError(`store ${name}: no answer within ${timeout}ms`);
          ctl.abort(err);
          reject(err);
        }, timeout);
      }
    });
    return await Promise.race([run(ctl.signal), timed]);
  } finally {
    if (timer) clearTimeout(timer);
    parent?.removeEventListener('abort', onAbort);
  }
}

/** One store's series stream with one frame of lookahead; failures are kept, not thrown. */
class StoreCursor implements SortedCursor<SeriesOnly> {
  head: SeriesOnly | undefined;
  readonly #endpoint: StoreEndpoint;
  readonly #ctl = new AbortController();
  readonly #iterator: AsyncIterator<SeriesFrame>;
  readonly #deadline: number;
  #failure: Error | undefined;
  #warnings: string[] = [];
  #stats: StoreStats | undefined;
  #done = false;
  #last: SeriesOnly | undefined;
  readonly #compare: (a: SeriesOnly, b: SeriesOnly) => number;

  constructor(
    endpoint: StoreEndpoint,
    request: SeriesRequest,
    timeout: number,
    parent: AbortSignal | undefined,
    compare: (a: SeriesOnly, b: SeriesOnly) => number,
  ) {
    this.#endpoint = endpoint;
    this.#compare = compare;
    this.#deadline = timeout > 0 ? Date.now() + timeout : 0;
    // An 'abort' listener never fires for a signal that is already aborted: pass that on now.
    if (parent?.aborted) this.#ctl.abort(parent.reason);
    else parent?.addEventListener('abort', () => this.#ctl.abort(parent.reason), { once: true });
    this.#iterator = endpoint.store.series(request, this.#ctl.signal)[Symbol.asyncIterator]();
  }

  async advance(): Promise<void> {
    this.head = undefined;
    while (!this.#done) {
      let r: IteratorResult<SeriesFrame>;
      try {
        r = await this.#next();
      } catch (err) {
        this.#fail(err);
        return;
      }
      if (r.done) {
        this.#done = true;
        return;
      }
      const f = r.value;
      if (f.type === 'warning') {
        this.#warnings.push(new StoreFailedError(this.#endpoint.name, f.warning).message);
        continue;
      }
      if (f.type === 'hints') {
        if (!this.#stats) this.#stats = newStoreStats();
        addStoreStats(this.#stats, f.stats);
        continue;
      }
      if (this.#last && this.#compare(this.#last, f) > 0) {
        this.#fail(
          new Error(
            `series out of order: ${JSON.stringify(f.labels)} after ${JSON.stringify(this.#last.labels)}`,
          ),
        );
        return;
      }
      this.#last = f;
      this.head = f;
      return;
    }
  }

  async #next(): Promise<IteratorResult<SeriesFrame>> {
    if (!this.#deadline) return this.#iterator.next();
    const left = this.#deadline - Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          const err = new QueryTimeoutError(`store ${this.#endpoint.name}: response timed out`);
          this.#ctl.abort(err);
          reject(err);
        },
        Math.max(0, left),
      );
    });
    try {
      return await Promise.race([this.#iterator.next(), timeout]);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  #fail(err: unknown): void {
    this.#done = true;
    this.head = undefined;
    this.#failure = new StoreFailedError(this.#endpoint.name, err);
    this.#ctl.abort(this.#failure);
  }

  takeFailure(): Error | undefined {
    const f = this.#failure;
    this.#failure = undefined;
    return f;
  }

  takeStats(): StoreStats | undefined {
    const s = this.#stats;
    this.#stats = undefined;
    return s;
  }

  takeWarnings(): string[] {
    const w = this.#warnings;
    this.#warnings = [];
    return w;
  }

  async close(): Promise<void> {
    if (!this.#done) {
      this.#done = true;
      this.#ctl.abort();
      await this.#iterator.return?.().catch(() => undefined);
    }
  }
}
