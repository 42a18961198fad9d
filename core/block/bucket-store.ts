/**
 * @module core/block/bucket-store — the store gateway's Store over a bucket (Thanos's
 * BucketStore): blocks pruned by time, resolution and external labels; per block, matchers →
 * postings → series → chunk ranges; external labels added; series of all blocks merged by labels.
 * A block that cannot be read becomes a warning naming it, never a failed query (unless the
 * request asked for the abort strategy).
 */
import { xorSampleCount } from '../chunkenc/xor.ts';
import { LimitExceededError } from '../errors.ts';
import { compareLabels, compareStrings, getLabel, type Labels } from '../labels/labels.ts';
import { newMatcher, type Matcher } from '../labels/matcher.ts';
import type {
  AggrChunk,
  ChunkEncoding,
  LabelsRequest,
  LabelsResponse,
  SeriesFrame,
  SeriesRequest,
  Store,
  StoreInfo,
} from '../storeapi/store.ts';
import {
  ENCODING_FLOAT_HISTOGRAM,
  ENCODING_HISTOGRAM,
  ENCODING_XOR,
} from '../tsdb/chunk-reader.ts';
import type { BlockMeta } from '../tsdb/meta.ts';
import { BlockSet, describeOpenFailure } from './block-set.ts';
import type { MetaFetcher, SkippedBlock, SyncResult } from './meta-fetcher.ts';

export interface BucketStoreOptions {
  /** Re-list the bucket when the last sync is older than this, ms (default 60s). */
  readonly syncInterval?: number;
  /** Series per request before it fails (0 = unlimited; Thanos `--store.limits.request-series`). */
  readonly maxSeries?: number;
  /** Samples per request before it fails, counted from chunk headers (Thanos `--store.limits.request-samples`). */
  readonly maxSamples?: number;
  readonly now?: () => number;
}

interface Selected {
  readonly meta: BlockMeta;
  readonly external: Labels;
  /** Matchers left after those on external labels were checked against the block. */
  readonly matchers: readonly Matcher[];
}

interface Collected {
  readonly labels: Labels;
  readonly chunks: AggrChunk[];
}

const ENCODINGS: Record<number, ChunkEncoding> = {
  [ENCODING_XOR]: 'XOR',
  [ENCODING_HISTOGRAM]: 'HISTOGRAM',
  [ENCODING_FLOAT_HISTOGRAM]: 'FLOAT_HISTOGRAM',
};

export class BucketStore implements Store {
  readonly #fetcher: MetaFetcher;
  readonly #blocks: BlockSet;
  readonly #opts: BucketStoreOptions;
  #last: SyncResult | undefined;
  #syncing: Promise<SyncResult> | undefined;

  constructor(fetcher: MetaFetcher, blocks: BlockSet, options: BucketStoreOptions = {}) {
    this.#fetcher = fetcher;
    this.#blocks = blocks;
    this.#opts = options;
  }

  /** Lists the bucket again if the last sync is older than the interval; concurrent callers share one sync. */
  async sync(force = false): Promise<SyncResult> {
    const now = (this.#opts.now ?? Date.now)();
    if (!force && this.#last && now - this.#last.at < (this.#opts.syncInterval ?? 60_000))
      return this.#last;
    if (!this.#syncing) {
      this.#syncing = this.#fetcher
        .sync()
        .then((r) => {
          this.#last = r;
          this.#blocks.retain(new Set(r.metas.keys()));
          return r;
        })
        .finally(() => {
          this.#syncing = undefined;
        });
    }
    return this.#syncing;
  }

  /** Blocks skipped at the last sync, with why (partial upload, deletion mark, corrupt meta). */
  get skipped(): readonly SkippedBlock[] {
    return this.#last?.skipped ?? [];
  }

  async info(): Promise<StoreInfo> {
    const { metas } = await this.sync();
    let minTime = Infinity;
    let maxTime = -Infinity;
    const sets = new Map<string, Labels>();
    for (const m of metas.values()) {
      minTime = Math.min(minTime, m.minTime);
      maxTime = Math.max(maxTime, m.maxTime);
      const ext = externalLabels(m);
      sets.set(JSON.stringify(ext), ext);
    }
    return {
      storeType: 'store',
      labelSets: [...sets.values()].filter((s) => s.length > 0),
      minTime: Number.isFinite(minTime) ? minTime : 0,
      maxTime: Number.isFinite(maxTime) ? maxTime : 0,
    };
  }

  #select(
    metas: Iterable<BlockMeta>,
    minTime: number,
    maxTime: number,
    matchers: readonly Matcher[],
    maxResolution: number,
  ): Selected[] {
    const out: Selected[] = [];
    for (const meta of metas) {
      // meta.maxTime is exclusive.
      if (meta.maxTime <= minTime || meta.minTime > maxTime) continue;
      if ((meta.thanos?.downsample.resolution ?? 0) > maxResolution) continue;
      const external = externalLabels(meta);
      const left: Matcher[] = [];
      let ok = true;
      for (const m of matchers) {
        const ext = external.find((l) => l.name === m.name);
        if (!ext) left.push(m);
        else if (!m.matches(ext.value)) ok = false;
      }
      if (ok) out.push({ meta, external, matchers: left });
    }
    return pickResolution(out);
  }

  async *series(request: SeriesRequest): AsyncGenerator<SeriesFrame> {
    const { metas } = await this.sync();
    const selected = this.#select(
      metas.values(),
      request.minTime,
      request.maxTime,
      request.matchers,
      request.maxResolutionWindow,
    );
    const warnings: string[] = [];
    const perBlock = await Promise.all(
      selected.map(async (s) => {
        try {
          return await this.#blockSeries(s, request);
        } catch (err) {
          if (err instanceof LimitExceededError) throw err;
          const msg = describeOpenFailure(s.meta, err);
          if (request.partialResponseStrategy === 'abort') throw new Error(msg, { cause: err });
          warnings.push(msg);
          return [];
        }
      }),
    );
    for (const w of warnings) yield { type: 'warning', warning: w };
    let seriesCount = 0;
    let samples = 0;
    for (const s of mergeSorted(perBlock)) {
      seriesCount++;
      if (this.#opts.maxSeries && seriesCount > this.#opts.maxSeries) {
        throw new LimitExceededError(
          `exceeded series limit: limit ${this.#opts.maxSeries} violated (got ${seriesCount})`,
        );
      }
      if (this.#opts.maxSamples && !request.skipChunks) {
        for (const c of s.chunks) if (c.raw) samples += xorSampleCount(c.raw.data);
        if (samples > this.#opts.maxSamples) {
          throw new LimitExceededError(
            `exceeded samples limit: limit ${this.#opts.maxSamples} violated (got ${samples})`,
          );
        }
      }
      if (request.limit && seriesCount > request.limit) return;
      yield { type: 'series', labels: s.labels, chunks: s.chunks };
    }
  }

  async #blockSeries(s: Selected, request: SeriesRequest): Promise<Collected[]> {
    const block = await this.#blocks.get(s.meta);
    const out: Collected[] = [];
    // No matcher left (all were on external labels): every series of the block.
    const selector = s.matchers.length > 0 ? s.matchers : [ALL_SERIES];
    for await (const series of block.select(selector, request.minTime, request.maxTime, {
      skipChunks: request.skipChunks,
    })) {
      const chunks: AggrChunk[] = request.skipChunks
        ? []
        : series.chunks.map((c) => ({
            minTime: c.mint,
            maxTime: c.maxt,
            raw: { encoding: ENCODINGS[c.encoding] ?? 'XOR', data: c.data },
          }));
      out.push({ labels: withExternal(series.labels, s.external), chunks });
    }
    // External labels can change the order relative to the index's; restore it.
    if (s.external.length > 0) out.sort((a, b) => compareLabels(a.labels, b.labels));
    return out;
  }

  async labelNames(request: LabelsRequest): Promise<LabelsResponse> {
    return this.#labels(
      request,
      (ls, into) => {
        for (const l of ls) into.add(l.name);
      },
      (block, into) => {
        for (const n of block.index.labelNames()) into.add(n);
      },
      true,
    );
  }

  async labelValues(name: string, request: LabelsRequest): Promise<LabelsResponse> {
    return this.#labels(
      request,
      (ls, into) => {
        const v = getLabel(ls, name);
        if (v !== '') into.add(v);
      },
      (block, into, ext) => {
        const e = ext.find((l) => l.name === name);
        if (e) into.add(e.value);
        else for (const v of block.index.labelValues(name)) into.add(v);
      },
      false,
    );
  }

  async #labels(
    request: LabelsRequest,
    fromSeries: (ls: Labels, into: Set<string>) => void,
    fromIndex: (
      block: Awaited<ReturnType<BlockSet['get']>>,
      into: Set<string>,
      ext: Labels,
    ) => void,
    addExternalNames: boolean,
  ): Promise<LabelsResponse> {
    const { metas } = await this.sync();
    const selected = this.#select(
      metas.values(),
      request.start,
      request.end,
      request.matchers,
      Infinity,
    );
    const into = new Set<string>();
    const warnings: string[] = [];
    await Promise.all(
      selected.map(async (s) => {
        try {
          const block = await this.#blocks.get(s.meta);
          if (s.matchers.length === 0) {
            fromIndex(block, into, s.external);
            if (addExternalNames) for (const l of s.external) into.add(l.name);
            return;
          }
          for await (const series of block.select(s.matchers, request.start, request.end, {
            skipChunks: true,
          })) {
            fromSeries(withExternal(series.labels, s.external), into);
          }
        } catch (err) {
          const msg = describeOpenFailure(s.meta, err);
          if (request.partialResponseStrategy === 'abort') throw new Error(msg, { cause: err });
          warnings.push(msg);
        }
      }),
    );
    into.delete('');
    const values = [...into].sort(compareStrings);
    return { values: request.limit ? values.slice(0, request.limit) : values, warnings };
  }
}

/** Selects every series of a block (all postings). */
const ALL_SERIES = newMatcher('=~', '__name__', '.*');

export function externalLabels(meta: BlockMeta): Labels {
  const ext = meta.thanos?.labels ?? {};
  return Object.keys(ext)
    .sort(compareStrings)
    .map((name) => ({ name, value: ext[name]! }));
}

/** Adds external labels; on a name clash the external label wins, as Thanos's sidecar does. */
export function withExternal(ls: Labels, ext: Labels): Labels {
  if (ext.length === 0) return ls;
  const out = ls.filter((l) => !ext.some((e) => e.name === l.name)).concat(ext);
  out.sort((a, b) => compareStrings(a.name, b.name));
  return out;
}

/**
 * Where raw and downsampled blocks cover the same time for the same external labels, serve the
 * highest allowed resolution only (one source per time range, as Thanos's resolution selection).
 */
function pickResolution(blocks: Selected[]): Selected[] {
  if (blocks.every((b) => (b.meta.thanos?.downsample.resolution ?? 0) === 0)) return blocks;
  return blocks.filter((b) => {
    const res = b.meta.thanos?.downsample.resolution ?? 0;
    const key = JSON.stringify(b.external);
    return !blocks.some(
      (o) =>
        o !== b &&
        JSON.stringify(o.external) === key &&
        (o.meta.thanos?.downsample.resolution ?? 0) < res &&
        o.meta.minTime <= b.meta.minTime &&
        o.meta.maxTime >= b.meta.maxTime,
    );
  });
}

/** k-way merge of per-block sorted lists; equal label sets merge their chunks in time order. */
function* mergeSorted(lists: readonly Collected[][]): Generator<Collected> {
  const pos = lists.map(() => 0);
  for (;;) {
    let best = -1;
    for (let i = 0; i < lists.length; i++) {
      if (pos[i]! >= lists[i]!.length) continue;
      if (
        best < 0 ||
        compareLabels(lists[i]![pos[i]!]!.labels, lists[best]![pos[best]!]!.labels) < 0
      )
        best = i;
    }
    if (best < 0) return;
    const head = lists[best]![pos[best]!]!;
    pos[best]!++;
    let chunks = head.chunks;
    for (let i = 0; i < lists.length; i++) {
      while (
        pos[i]! < lists[i]!.length &&
        compareLabels(lists[i]![pos[i]!]!.labels, head.labels) === 0
      ) {
        chunks = chunks.concat(lists[i]![pos[i]!]!.chunks);
        pos[i]!++;
      }
    }
    if (chunks !== head.chunks) chunks.sort((a, b) => a.minTime - b.minTime);
    yield { labels: head.labels, chunks };
  }
}
