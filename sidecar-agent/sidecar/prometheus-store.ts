/**
 * @module sidecar-agent/sidecar/prometheus-store — Thanos's sidecar StoreAPI (pkg/store/prometheus.go)
 * as a Store over one Prometheus: series from remote read (STREAMED_XOR_CHUNKS, chunks forwarded
 * still encoded), labels from the HTTP API, info from external labels and the lowest timestamp.
 *
 * Ordering: Prometheus sorts series by their own labels and then adds its external labels, which
 * can reorder series: `{a}` < `{a,x}`, but `{a,x,y}` < `{a,y}` once `y` is added to both. That
 * happens only between a series and later ones that extend its own labels (a prefix at the first
 * difference; otherwise the first differing own label decides both orders alike). So a series is
 * held only while the following series extend it; a series that does not extend the first held
 * one releases them all, sorted. In practice nothing is held: memory is a series, never the answer.
 */
import { BadDataError } from '../../core/errors.ts';
import { compareLabels, labelsEqual, type Label, type Labels } from '../../core/labels/labels.ts';
import type { Matcher } from '../../core/labels/matcher.ts';
import type {
  AggrChunk,
  ChunkEncoding,
  LabelsRequest,
  LabelsResponse,
  SeriesFrame,
  SeriesRequest,
  Store,
  StoreInfo,
} from '../../core/storeapi/store.ts';
import { MAX_TIME, MIN_TIME } from '../../core/storeapi/store.ts';
import type { prometheus } from '../../core/storeapi/proto/gen/prompb.js';
import type { PrometheusClient } from '../prometheus/client.ts';

const ENCODINGS: Record<number, ChunkEncoding | undefined> = {
  1: 'XOR',
  2: 'HISTOGRAM',
  3: 'FLOAT_HISTOGRAM',
};

export interface PrometheusStoreOptions {
  /** Current external labels (the agent refreshes them from Prometheus's config). */
  readonly externalLabels: () => Labels;
}

type Series = { labels: Labels; chunks: AggrChunk[] };

export class PrometheusStore implements Store {
  readonly #client: PrometheusClient;
  readonly #ext: () => Labels;

  constructor(client: PrometheusClient, options: PrometheusStoreOptions) {
    this.#client = client;
    this.#ext = options.externalLabels;
  }

  async info(signal?: AbortSignal): Promise<StoreInfo> {
    const lowest = await this.#client.lowestTimestamp(signal);
    return {
      storeType: 'sidecar',
      labelSets: [this.#ext()],
      // An empty TSDB: advertise nothing rather than everything.
      minTime: lowest ?? MAX_TIME,
      maxTime: MAX_TIME,
    };
  }

  /**
   * Matchers on external labels are decided here (Prometheus ignores them): undefined when one
   * cannot match, else the remaining matchers for Prometheus.
   */
  #splitMatchers(matchers: readonly Matcher[]): Matcher[] | undefined {
    const ext = this.#ext();
    const rest: Matcher[] = [];
    for (const m of matchers) {
      const l = ext.find((e) => e.name === m.name);
      if (!l) rest.push(m);
      else if (!m.matches(l.value)) return undefined;
    }
    return rest;
  }

  async *series(request: SeriesRequest, signal?: AbortSignal): AsyncGenerator<SeriesFrame> {
    const matchers = this.#splitMatchers(request.matchers);
    if (!matchers) return;
    if (matchers.length === 0)
      throw new BadDataError('no matchers specified (excluding external labels)');
    const ext = this.#ext();
    const extNames = new Set(ext.map((l) => l.name));
    const stream = this.#client.remoteRead(
      {
        start: Math.max(request.minTime, MIN_TIME),
        end: Math.min(request.maxTime, MAX_TIME),
        matchers,
        hints: {
          ...(request.step ? { stepMs: request.step } : {}),
          ...(request.func ? { func: request.func } : {}),
          ...(request.range ? { rangeMs: request.range } : {}),
        },
      },
      signal,
    );

    const limit = request.limit ?? 0;
    let emitted = 0;
    let held: Series[] = [];
    let heldOwn: Labels = [];
    let current: Series | undefined;
    const release = function* (): Generator<SeriesFrame> {
      if (held.length > 1) held.sort((a, b) => compareLabels(a.labels, b.labels));
      for (const s of held) {
        if (limit > 0 && emitted >= limit) break;
        emitted++;
        yield { type: 'series', labels: s.labels, chunks: s.chunks };
      }
      held = [];
    };

    for await (const cs of stream) {
      const labels = withExternal(cs.labels ?? [], ext);
      const chunks = request.skipChunks ? [] : (cs.chunks ?? []).map(toAggrChunk);
      // Prometheus splits a series with many chunks over several frames, labels repeated.
      if (current && labelsEqual(current.labels, labels)) {
        for (const c of chunks) current.chunks.push(c);
        continue;
      }
      const own = labels.filter((l) => !extNames.has(l.name));
      if (held.length > 0 && !isPrefix(heldOwn, own)) {
        yield* release();
        if (limit > 0 && emitted >= limit) return;
      }
      current = { labels, chunks };
      if (held.length === 0) heldOwn = own;
      held.push(current);
    }
    yield* release();
  }

  async labelNames(request: LabelsRequest, signal?: AbortSignal): Promise<LabelsResponse> {
    const matchers = this.#splitMatchers(request.matchers);
    if (!matchers) return { values: [], warnings: [] };
    const names = new Set(
      await this.#client.labelNames(matchers, request.start, request.end, signal),
    );
    if (names.size > 0 || matchers.length === 0) for (const l of this.#ext()) names.add(l.name);
    return { values: limited([...names].sort(), request.limit), warnings: [] };
  }

  async labelValues(
    name: string,
    request: LabelsRequest,
    signal?: AbortSignal,
  ): Promise<LabelsResponse> {
    const matchers = this.#splitMatchers(request.matchers);
    if (!matchers) return { values: [], warnings: [] };
    const ext = this.#ext().find((l) => l.name === name);
    // An external label has one value on every series this Prometheus holds.
    if (ext) return { values: [ext.value], warnings: [] };
    const values = await this.#client.labelValues(
      name,
      matchers,
      request.start,
      request.end,
      signal,
    );
    return { values: limited(values.sort(), request.limit), warnings: [] };
  }
}

function limited(values: string[], limit: number | undefined): string[] {
  return limit && limit > 0 && values.length > limit ? values.slice(0, limit) : values;
}

/** Series labels with the external labels set (they win, as in Thanos's ExtendSortedLabels), sorted. */
export function withExternal(own: readonly prometheus.ILabel[], ext: Labels): Labels {
  const out: Label[] = [];
  let i = 0;
  let j = 0;
  while (i < own.length || j < ext.length) {
    const a = own[i];
    const b = ext[j];
    const an = a?.name ?? '';
    if (b && (!a || b.name <= an)) {
      out.push(b);
      if (a && b.name === an) i++;
      j++;
    } else {
      out.push({ name: an, value: a!.value ?? '' });
      i++;
    }
  }
  return out;
}

/** Whether `b` starts with all of `a`'s labels. */
function isPrefix(a: Labels, b: Labels): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++)
    if (a[i]!.name !== b[i]!.name || a[i]!.value !== b[i]!.value) return false;
  return true;
}

function toAggrChunk(c: prometheus.IChunk): AggrChunk {
  const encoding = ENCODINGS[c.type ?? 0];
  if (!encoding) throw new BadDataError(`remote read: chunk of unknown encoding ${c.type}`);
  return {
    minTime: Number(c.min_time_ms ?? 0),
    maxTime: Number(c.max_time_ms ?? 0),
    raw: { encoding, data: c.data ?? new Uint8Array(0) },
  };
}
