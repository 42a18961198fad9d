/**
 * @module core/storeapi/memory-store — a Store over series held in memory, already chunked.
 * Used by the receive head and the ruler to serve their data, and by tests as a real Store.
 */
import { compareLabels, compareStrings, withExternal, type Labels } from '../labels/labels.ts';
import type { Matcher } from '../labels/matcher.ts';
import { getLabel } from '../labels/labels.ts';
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

export interface MemorySeries {
  readonly labels: Labels;
  readonly chunks: readonly AggrChunk[];
}

export interface MemoryStoreOptions {
  readonly storeType?: StoreType;
  /** External labels added to every series and advertised in info(). */
  readonly externalLabels?: Labels;
}

function matchesAll(ls: Labels, matchers: readonly Matcher[]): boolean {
  return matchers.every((m) => m.matches(getLabel(ls, m.name)));
}

export class MemoryStore implements Store {
  readonly #series: MemorySeries[];
  readonly #opts: MemoryStoreOptions;

  constructor(series: readonly MemorySeries[], options: MemoryStoreOptions = {}) {
    const ext = options.externalLabels ?? [];
    this.#series = series
      .map((s) => ({ labels: withExternal(s.labels, ext), chunks: s.chunks }))
      .sort((a, b) => compareLabels(a.labels, b.labels));
    this.#opts = options;
  }

  async info(): Promise<StoreInfo> {
    let minTime = Infinity;
    let maxTime = -Infinity;
    for (const s of this.#series) {
      for (const c of s.chunks) {
        minTime = Math.min(minTime, c.minTime);
        maxTime = Math.max(maxTime, c.maxTime);
      }
    }
    const ext = this.#opts.externalLabels ?? [];
    return {
      storeType: this.#opts.storeType ?? 'debug',
      labelSets: ext.length ? [ext] : [],
      minTime: Number.isFinite(minTime) ? minTime : 0,
      maxTime: Number.isFinite(maxTime) ? maxTime : 0,
    };
  }

  async *series(request: SeriesRequest, signal?: AbortSignal): AsyncGenerator<SeriesFrame> {
    let n = 0;
    for (const s of this.#series) {
      // A cancelled stream must fail, not end as if the answer were complete.
      signal?.throwIfAborted();
      if (!matchesAll(s.labels, request.matchers)) continue;
      const chunks = s.chunks.filter(
        (c) => c.maxTime >= request.minTime && c.minTime <= request.maxTime,
      );
      if (chunks.length === 0) continue;
      if (request.limit && ++n > request.limit) return;
      yield { type: 'series', labels: s.labels, chunks: request.skipChunks ? [] : chunks };
    }
  }

  #selected(request: LabelsRequest): MemorySeries[] {
    return this.#series.filter(
      (s) =>
        matchesAll(s.labels, request.matchers) &&
        s.chunks.some((c) => c.maxTime >= request.start && c.minTime <= request.end),
    );
  }

  async labelNames(request: LabelsRequest): Promise<LabelsResponse> {
    const names = new Set<string>();
    for (const s of this.#selected(request)) for (const l of s.labels) names.add(l.name);
    return { values: [...names].sort(compareStrings), warnings: [] };
  }

  async labelValues(name: string, request: LabelsRequest): Promise<LabelsResponse> {
    const values = new Set<string>();
    for (const s of this.#selected(request)) {
      const v = getLabel(s.labels, name);
      if (v !== '') values.add(v);
    }
    return { values: [...values].sort(compareStrings), warnings: [] };
  }
}
