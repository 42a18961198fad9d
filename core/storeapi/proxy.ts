/**
 * @module core/storeapi/proxy — fans a request out to many stores and merges their sorted answers
 * into one sorted stream; itself a Store (Thanos's ProxyStore), so a querier can serve it again.
 *
 * Series with identical labels from several stores (a block still in Prometheus and already in the
 * bucket, or two replicas after replica-label removal) come out as one frame with all chunks; the
 * reader drops duplicate samples when it decodes them.
 */
import { QueryTimeoutError, errorMessage } from '../errors.ts';
import { StoreFailedError } from './errors.ts';
import { compareLabels, compareStrings, type Labels } from '../labels/labels.ts';
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
    const labelSets: Labels[] = [];
    for (const e of this.#endpoints()) {
      if (!e.info) continue;
      minTime = Math.min(minTime, e.info.minTime);
      maxTime = Math.max(maxTime, e.info.maxTime);
      labelSets.push(...e.info.labelSets);
    }
    const storeType: StoreType = 'query';
    return {
      storeType,
      labelSets,
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
    const cursors = selected.map((e) => new StoreCursor(e, request, this.#timeout, signal));
    try {
      await Promise.all(cursors.map((c) => c.advance()));
      const warnings: string[] = [];
      const heap: StoreCursor[] = [];
      for (const c of cursors) {
        const failure = c.takeFailure();
        if (failure) {
          if (abort) throw failure;
          warnings.push(errorMessage(failure));
        }
        for (const w of c.takeWarnings()) warnings.push(w);
        if (c.head) heap.push(c);
      }
      for (const w of warnings) yield { type: 'warning', warning: w };
      heap.sort((a, b) => compareLabels(a.head!.labels, b.head!.labels));
      while (heap.length > 0) {
        const top = heap[0]!;
        const labels = top.head!.labels;
        let chunks: AggrChunk[] = [...top.head!.chunks];
        let merged = 1;
        // Every cursor whose head has the same labels contributes its chunks to this one frame.
        const same: StoreCursor[] = [top];
        for (let i = 1; i < heap.length && compareLabels(heap[i]!.head!.labels, labels) === 0; i++)
          same.push(heap[i]!);
        for (let i = 1; i < same.length; i++) {
          chunks = chunks.concat(same[i]!.head!.chunks);
          merged++;
        }
        if (merged > 1) chunks.sort((a, b) => a.minTime - b.minTime || a.maxTime - b.maxTime);
        yield { type: 'series', labels, chunks };
        await Promise.all(same.map((c) => c.advance()));
        const pendingWarnings: string[] = [];
        for (const c of same) {
          const failure = c.takeFailure();
          if (failure) {
            if (abort) throw failure;
            pendingWarnings.push(errorMessage(failure));
          }
          pendingWarnings.push(...c.takeWarnings());
        }
        for (const w of pendingWarnings) yield { type: 'warning', warning: w };
        heap.splice(0, same.length);
        for (const c of same) if (c.head) insertSorted(heap, c);
      }
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

function insertSorted(heap: StoreCursor[], c: StoreCursor): void {
  let lo = 0;
  let hi = heap.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareLabels(heap[mid]!.head!.labels, c.head!.labels) <= 0) lo = mid + 1;
    else hi = mid;
  }
  heap.splice(lo, 0, c);
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
class StoreCursor {
  head: SeriesOnly | undefined;
  readonly #endpoint: StoreEndpoint;
  readonly #ctl = new AbortController();
  readonly #iterator: AsyncIterator<SeriesFrame>;
  readonly #deadline: number;
  #failure: Error | undefined;
  #warnings: string[] = [];
  #done = false;
  #lastLabels: Labels | undefined;

  constructor(
    endpoint: StoreEndpoint,
    request: SeriesRequest,
    timeout: number,
    parent: AbortSignal | undefined,
  ) {
    this.#endpoint = endpoint;
    this.#deadline = timeout > 0 ? Date.now() + timeout : 0;
    if (parent)
      parent.addEventListener('abort', () => this.#ctl.abort(parent.reason), { once: true });
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
      if (this.#lastLabels && compareLabels(this.#lastLabels, f.labels) > 0) {
        this.#fail(
          new Error(
            `series out of order: ${JSON.stringify(f.labels)} after ${JSON.stringify(this.#lastLabels)}`,
          ),
        );
        return;
      }
      this.#lastLabels = f.labels;
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
      clearTimeout(timer);
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
