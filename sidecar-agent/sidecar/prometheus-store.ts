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
import type { Labels } from '../../core/labels/labels.ts';
import type { Matcher } from '../../core/labels/matcher.ts';
import { decodeSeriesFrame } from '../../core/storeapi/codec.ts';
import { readFrames } from '../../core/storeapi/framing.ts';
import type {
  EncodedSeriesSource,
  LabelsRequest,
  LabelsResponse,
  SeriesFrame,
  SeriesRequest,
  Store,
  StoreInfo,
} from '../../core/storeapi/store.ts';
import { MAX_TIME, MIN_TIME } from '../../core/gocompat/time.ts';
import type { PrometheusClient } from '../prometheus/client.ts';
import { SeriesTranscoder } from './series-transcoder.ts';

/** Series answers go out in batches of about this many bytes (few writes, memory of one batch). */
const FLUSH_BYTES = 256 * 1024;
/** Transcoders kept for reuse (about 0.4 MB each): concurrent requests beyond this allocate. */
const MAX_IDLE_TRANSCODERS = 2;

export interface PrometheusStoreOptions {
  /** Current external labels (the agent refreshes them from Prometheus's config). */
  readonly externalLabels: () => Labels;
  /**
   * `--min-time`: nothing older is served (ms; evaluated per call, as Thanos's relative
   * `-1d` moves with the clock). Default: no limit.
   */
  readonly minTime?: () => number;
}

export class PrometheusStore implements Store, EncodedSeriesSource {
  readonly #client: PrometheusClient;
  readonly #ext: () => Labels;
  readonly #minTime: () => number;
  readonly #idle: SeriesTranscoder[] = [];

  constructor(client: PrometheusClient, options: PrometheusStoreOptions) {
    this.#client = client;
    this.#ext = options.externalLabels;
    this.#minTime = options.minTime ?? (() => MIN_TIME);
  }

  async info(signal?: AbortSignal): Promise<StoreInfo> {
    const lowest = await this.#client.lowestTimestamp(signal);
    return {
      storeType: 'sidecar',
      labelSets: [this.#ext()],
      // An empty TSDB: advertise nothing rather than everything.
      minTime: lowest === undefined ? MAX_TIME : Math.max(lowest, this.#minTime()),
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

  /**
   * The series answer as StoreAPI frames, transcoded from Prometheus's remote-read frames byte to
   * byte (see series-transcoder.ts), in batches of about FLUSH_BYTES, each a view of the
   * transcoder's buffer that the next batch overwrites.
   */
  async *encodedSeries(request: SeriesRequest, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    const matchers = this.#splitMatchers(request.matchers);
    if (!matchers) return;
    if (matchers.length === 0)
      throw new BadDataError('no matchers specified (excluding external labels)');
    const query = {
      start: Math.max(request.minTime, MIN_TIME, this.#minTime()),
      end: Math.min(request.maxTime, MAX_TIME),
      matchers,
      hints: {
        ...(request.step ? { stepMs: request.step } : {}),
        ...(request.func ? { func: request.func } : {}),
        ...(request.range ? { rangeMs: request.range } : {}),
      },
    };
    const options = {
      externalLabels: this.#ext(),
      skipChunks: request.skipChunks,
      limit: request.limit ?? 0,
    };
    // A transcoder from the pool: its buffers serve request after request instead of becoming garbage.
    const transcoder = this.#idle.pop() ?? new SeriesTranscoder(options);
    transcoder.reset(options);
    try {
      for await (const _ of this.#client.remoteReadInto(query, transcoder, signal)) {
        if (transcoder.pendingBytes >= FLUSH_BYTES) yield transcoder.take();
        // Leaving the loop cancels the remote read: nothing more is wanted.
        if (transcoder.full) break;
      }
      transcoder.finish();
      if (transcoder.pendingBytes > 0) yield transcoder.take();
    } finally {
      // The consumer is done with the last batch once it resumes or ends this generator.
      if (this.#idle.length < MAX_IDLE_TRANSCODERS) this.#idle.push(transcoder);
    }
  }

  async *series(request: SeriesRequest, signal?: AbortSignal): AsyncGenerator<SeriesFrame> {
    // readFrames copies each batch before asking for the next, as encodedSeries requires.
    for await (const frame of readFrames(this.encodedSeries(request, signal), 'sidecar series')) {
      // A small answer arrives as one batch: without this, an abort would still see it all out.
      signal?.throwIfAborted();
      yield decodeSeriesFrame(frame);
    }
  }

  async labelNames(request: LabelsRequest, signal?: AbortSignal): Promise<LabelsResponse> {
    const matchers = this.#splitMatchers(request.matchers);
    if (!matchers) return { values: [], warnings: [] };
    const names = new Set(
      await this.#client.labelNames(
        matchers,
        Math.max(request.start, this.#minTime()),
        request.end,
        signal,
      ),
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
      Math.max(request.start, this.#minTime()),
      request.end,
      signal,
    );
    return { values: limited(values.sort(), request.limit), warnings: [] };
  }
}

function limited(values: string[], limit: number | undefined): string[] {
  return limit && limit > 0 && values.length > limit ? values.slice(0, limit) : values;
}
