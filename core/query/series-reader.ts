/**
 * @module core/query/series-reader — turns a StoreAPI frame stream into the engine's series
 * batches: chunks decoded many at a time (one decoder call per batch), clipped to the asked range,
 * overlapping chunks of one series (from several blocks or stores) merged with duplicate
 * timestamps dropped, and HA replicas deduplicated on the way.
 *
 * Deduplication streams because the request asks stores for the order that puts replicas side by
 * side (labels compared without the replica labels, SeriesRequest.withoutReplicaLabels): frames
 * whose labels are equal but for replica labels are consecutive, and are merged with the penalty
 * algorithm into one series with the replica labels removed.
 */
import { dedupReplicas } from '../dedup/penalty.ts';
import { withoutReplicaLabels } from '../dedup/dedup-set.ts';
import { CorruptBlockError, LimitExceededError, TooManySamplesError } from '../errors.ts';
import { labelsEqual, type Labels } from '../labels/labels.ts';
import type { RawSeries, SeriesSet } from '../promql/storage/queryable.ts';
import { xorSampleCount } from '../chunkenc/xor.ts';
import { addStoreStats, type StoreStats } from '../storeapi/stats.ts';
import type { AggrChunk, SeriesFrame } from '../storeapi/store.ts';
import type { BatchDecoder } from './decoder.ts';

export interface SeriesReadOptions {
  readonly mint: number;
  readonly maxt: number;
  readonly decoder: BatchDecoder;
  /** Labels telling replicas apart; none = no deduplication. */
  readonly replicaLabels?: ReadonlySet<string>;
  /** Counter-safe replica switches (the selector feeds rate, increase, …). */
  readonly counter?: boolean;
  /** Stop with TooManySamplesError past this many samples (0 = no limit). */
  readonly maxSamples?: number;
  /** Stop with LimitExceededError past this many series frames (0 = no limit). */
  readonly maxSeries?: number;
  /** Samples (estimated from chunk headers) per batch handed to the engine; default 256 Ki. */
  readonly batchSamples?: number;
  /** Chunks per decoder call at most; default 4096. */
  readonly batchChunks?: number;
  /** Where the stores' cost reports (hints frames) are summed. */
  readonly stats?: StoreStats;
}

/** One deduplicated series before decoding: its labels and the frames of its replicas. */
interface Group {
  readonly labels: Labels;
  readonly members: { readonly labels: Labels; readonly chunks: readonly AggrChunk[] }[];
}

export function readSeries(frames: AsyncIterable<SeriesFrame>, opts: SeriesReadOptions): SeriesSet {
  const warnings: string[] = [];
  return {
    warnings,
    [Symbol.asyncIterator]: () => batches(frames, opts, warnings),
  };
}

async function* batches(
  frames: AsyncIterable<SeriesFrame>,
  opts: SeriesReadOptions,
  warnings: string[],
): AsyncGenerator<readonly RawSeries[]> {
  const batchSamples = opts.batchSamples ?? 256 * 1024;
  const batchChunks = opts.batchChunks ?? 4096;
  let pending: Group[] = [];
  let pendingSamples = 0;
  let pendingChunks = 0;
  let group: Group | undefined;
  let seriesFrames = 0;
  let samples = 0;
  const flush = (): RawSeries[] => {
    const out = decodeGroups(pending, opts);
    for (const s of out) samples += s.t.length;
    if (opts.maxSamples && samples > opts.maxSamples) {
      throw new TooManySamplesError('query execution');
    }
    pending = [];
    pendingSamples = 0;
    pendingChunks = 0;
    return out;
  };
  for await (const f of frames) {
    if (f.type === 'warning') {
      warnings.push(f.warning);
      continue;
    }
    if (f.type === 'hints') {
      if (opts.stats) addStoreStats(opts.stats, f.stats);
      continue;
    }
    seriesFrames++;
    if (opts.maxSeries && seriesFrames > opts.maxSeries) {
      throw new LimitExceededError(
        `exceeded series limit: the query selects more than ${opts.maxSeries} series`,
      );
    }
    const labels = opts.replicaLabels
      ? withoutReplicaLabels(f.labels, opts.replicaLabels)
      : f.labels;
    if (group && labelsEqual(group.labels, labels)) {
      group.members.push(f);
    } else {
      group = { labels, members: [f] };
      pending.push(group);
    }
    for (const c of f.chunks) pendingSamples += c.raw ? xorSampleCount(c.raw.data) : 0;
    pendingChunks += f.chunks.length;
    // A group may still grow with the next frame: hand out all but the open one.
    if ((pendingSamples >= batchSamples || pendingChunks >= batchChunks) && pending.length > 1) {
      const open = pending.pop()!;
      const out = flush();
      pending.push(open);
      for (const m of open.members) {
        pendingChunks += m.chunks.length;
        for (const c of m.chunks) pendingSamples += c.raw ? xorSampleCount(c.raw.data) : 0;
      }
      yield out;
    }
  }
  if (pending.length > 0) yield flush();
}

function decodeGroups(groups: readonly Group[], opts: SeriesReadOptions): RawSeries[] {
  const chunks: Uint8Array[] = [];
  for (const g of groups) {
    for (const m of g.members) {
      for (const c of m.chunks) {
        if (!c.raw) {
          throw new CorruptBlockError(
            'series chunk has no raw data (downsampled data needs aggregate decoding)',
            {},
          );
        }
        if (c.raw.encoding !== 'XOR') {
          throw new CorruptBlockError(`unsupported chunk encoding ${c.raw.encoding}`, {});
        }
        chunks.push(c.raw.data);
      }
    }
  }
  const d = opts.decoder.decode(chunks, opts.mint, opts.maxt);
  const out: RawSeries[] = [];
  let ci = 0;
  for (const g of groups) {
    const replicas: RawSeries[] = [];
    for (const m of g.members) {
      const first = ci;
      ci += m.chunks.length;
      const s = mergeRuns(m.labels, d.t, d.v, d.offsets, first, ci);
      if (s.t.length > 0) replicas.push(s);
    }
    if (replicas.length === 0) continue;
    out.push(dedupReplicas(g.labels, replicas, { counter: opts.counter ?? false }));
  }
  return out;
}

/** Copies one series' samples out of the batch; when chunk runs overlap, merges them by time. */
function mergeRuns(
  labels: Labels,
  t: Float64Array,
  v: Float64Array,
  offsets: Uint32Array,
  firstChunk: number,
  endChunk: number,
): RawSeries {
  const from = offsets[firstChunk]!;
  const to = offsets[endChunk]!;
  let sorted = true;
  for (let i = from + 1; i < to; i++) {
    if (t[i]! <= t[i - 1]!) {
      sorted = false;
      break;
    }
  }
  if (sorted) return { labels, t: t.slice(from, to), v: v.slice(from, to) };
  // Overlap: k-way merge of the chunk runs, first run wins on equal timestamps.
  const runs: Array<{ at: number; end: number }> = [];
  for (let c = firstChunk; c < endChunk; c++) {
    if (offsets[c + 1]! > offsets[c]!) runs.push({ at: offsets[c]!, end: offsets[c + 1]! });
  }
  const outT = new Float64Array(to - from);
  const outV = new Float64Array(to - from);
  let n = 0;
  for (;;) {
    let best = -1;
    for (let r = 0; r < runs.length; r++) {
      const run = runs[r]!;
      if (run.at < run.end && (best < 0 || t[run.at]! < t[runs[best]!.at]!)) best = r;
    }
    if (best < 0) break;
    const run = runs[best]!;
    const ts = t[run.at]!;
    if (n === 0 || ts > outT[n - 1]!) {
      outT[n] = ts;
      outV[n] = v[run.at]!;
      n++;
    }
    run.at++;
  }
  return { labels, t: outT.slice(0, n), v: outV.slice(0, n) };
}
