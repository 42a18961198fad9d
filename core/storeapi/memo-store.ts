/**
 * @module core/storeapi/memo-store — a Store that remembers series answers for its own lifetime:
 * the same request (time range, matchers, hints) asked again is answered from memory. The ruler
 * makes one per group evaluation, where hundreds of rules read the same few selectors at the same
 * time; a byte budget bounds what is kept (past it, answers stream through uncached).
 */
import type {
  LabelsRequest,
  LabelsResponse,
  SeriesFrame,
  SeriesRequest,
  Store,
  StoreInfo,
} from './store.ts';

export interface MemoStoreOptions {
  /** Chunk bytes kept across all remembered answers (default 32 MiB). */
  readonly maxBytes?: number;
}

function requestKey(r: SeriesRequest): string {
  return JSON.stringify([
    r.minTime,
    r.maxTime,
    r.matchers.map((m) => [m.type, m.name, m.value]),
    r.maxResolutionWindow,
    r.aggregates,
    r.partialResponseStrategy,
    r.skipChunks,
    r.step,
    r.range,
    r.func,
    r.withoutReplicaLabels,
    r.limit,
  ]);
}

function frameBytes(f: SeriesFrame): number {
  if (f.type !== 'series') return 64;
  let n = 64 * f.labels.length;
  for (const c of f.chunks) {
    n += 64;
    for (const d of [c.raw, c.count, c.sum, c.min, c.max, c.counter]) n += d?.data.length ?? 0;
  }
  return n;
}

export class MemoStore implements Store {
  readonly #inner: Store;
  readonly #maxBytes: number;
  readonly #answers = new Map<string, SeriesFrame[]>();
  #bytes = 0;

  constructor(inner: Store, opts: MemoStoreOptions = {}) {
    this.#inner = inner;
    this.#maxBytes = opts.maxBytes ?? 32 * 1024 * 1024;
  }

  info(signal?: AbortSignal): Promise<StoreInfo> {
    return this.#inner.info(signal);
  }

  async *series(request: SeriesRequest, signal?: AbortSignal): AsyncGenerator<SeriesFrame> {
    const key = requestKey(request);
    const known = this.#answers.get(key);
    if (known) {
      yield* known;
      return;
    }
    let kept: SeriesFrame[] | undefined = [];
    for await (const f of this.#inner.series(request, signal)) {
      if (kept) {
        this.#bytes += frameBytes(f);
        if (this.#bytes > this.#maxBytes) kept = undefined;
        else kept.push(f);
      }
      yield f;
    }
    // Only a whole answer is remembered (an abandoned or failed stream never gets here).
    if (kept) this.#answers.set(key, kept);
  }

  labelNames(request: LabelsRequest, signal?: AbortSignal): Promise<LabelsResponse> {
    return this.#inner.labelNames(request, signal);
  }

  labelValues(name: string, request: LabelsRequest, signal?: AbortSignal): Promise<LabelsResponse> {
    return this.#inner.labelValues(name, request, signal);
  }
}
