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
import { ColumnArena } from '../promql/column-arena.ts';
import { withoutReplicaLabels } from '../dedup/dedup-set.ts';
import { CorruptBlockError, LimitExceededError, TooManySamplesError } from '../errors.ts';
import { labelsEqual, type Labels } from '../labels/labels.ts';
import type { RawSeries, SeriesSet } from '../promql/storage/queryable.ts';
import { onBatchDone } from '../promql/storage/batch-done.ts';
import { applyCounterResets } from '../chunkenc/counter-resets.ts';
import { chunkSamples } from '../storeapi/chunk-samples.ts';
import { addStoreStats, type StoreStats } from '../storeapi/stats.ts';
import type { AggrChunk, ChunkData, SeriesFrame } from '../storeapi/store.ts';
import { chunksToDecode, type AggrMode } from './aggr-read.ts';
import type { BatchDecoder, DecodedChunks } from './decoder.ts';

export interface SeriesReadOptions {
  readonly mint: number;
  readonly maxt: number;
  readonly decoder: BatchDecoder;
  /** Labels telling replicas apart; none = no deduplication. */
  readonly replicaLabels?: ReadonlySet<string>;
  /** How aggregate chunks of downsampled data are read (aggr-read.ts); default the average. */
  readonly aggr?: AggrMode;
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
  /**
   * The instants the engine reads the selector at (SelectHints.pickAt): raw series are handed
   * out with only the samples those pick, neither copied whole out of the decoder nor scanned
   * again by the engine.
   */
  readonly pickAt?: Float64Array;
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

/**
 * Arenas of batches the engine is done with, for the next batches of any read in this isolate. A
 * fresh buffer costs far more than the columns it holds (in Node, 53 µs for 64 KiB against 0.7 µs
 * to zero one again: a page fault per 4 KiB), and every query used to start its reads with fresh
 * ones. An arena comes back only through onBatchDone, i.e. once the engine has said it keeps
 * nothing of that batch, which is what made reusing it for the same read's next batch safe.
 * At most two are kept (a batch is at most ~4 MiB of columns).
 */
const idleArenas: ColumnArena[] = [];
const IDLE_ARENAS = 2;
/**
 * An arena's largest buffer: a batch's columns (16 bytes a sample, ~256 Ki samples) in one. A
 * series of a long range has columns of hundreds of KiB; with the engine's 64 KiB blocks each of
 * them took a fresh buffer per query (V8 zeroes it, the pages fault in, the GC frees it), the
 * largest single cost of a warm query over 14 days.
 */
const BATCH_ARENA_BLOCK = 4 << 20;

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
    // Sized by the batch (chunk headers' estimate), so a small select takes a small buffer.
    const copied = opts.pickAt
      ? Math.min(pendingSamples, pending.length * opts.pickAt.length)
      : pendingSamples;
    let arena = idleArenas.pop();
    if (!arena?.suits(16 * copied)) arena = new ColumnArena(16 * copied, BATCH_ARENA_BLOCK);
    arena.reset();
    const out = decodeGroups(pending, opts, arena);
    // The engine is done with the batch (batch-done.ts): its columns may be written again.
    onBatchDone(out, () => {
      if (idleArenas.length < IDLE_ARENAS) idleArenas.push(arena);
    });
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
    for (const c of f.chunks) pendingSamples += chunkSamples(c);
    pendingChunks += f.chunks.length;
    // A group may still grow with the next frame: hand out all but the open one.
    if ((pendingSamples >= batchSamples || pendingChunks >= batchChunks) && pending.length > 1) {
      const open = pending.pop()!;
      const out = flush();
      pending.push(open);
      for (const m of open.members) {
        pendingChunks += m.chunks.length;
        for (const c of m.chunks) pendingSamples += chunkSamples(c);
      }
      yield out;
    }
  }
  if (pending.length > 0) yield flush();
}

/** The groups' series; the samples copied out of the decoder go into `arena`. */
function decodeGroups(
  groups: readonly Group[],
  opts: SeriesReadOptions,
  arena: ColumnArena,
): RawSeries[] {
  const mode = opts.aggr ?? 'average';
  const chunks: Uint8Array[] = [];
  const parts: ChunkData[] = [];
  let aggregated = false;
  for (const g of groups) {
    for (const m of g.members) {
      for (const c of m.chunks) {
        parts.length = 0;
        if (!chunksToDecode(c, mode, parts)) {
          throw new CorruptBlockError(
            `series chunk [${c.minTime}, ${c.maxTime}] has neither raw data nor the ${mode} aggregate`,
            {},
          );
        }
        if (!c.raw) aggregated = true;
        for (const p of parts) {
          if (p.encoding !== 'XOR') {
            throw new CorruptBlockError(`unsupported chunk encoding ${p.encoding}`, {});
          }
          chunks.push(p.data);
        }
      }
    }
  }
  // Counter aggregates are stitched from each chunk's first sample on (before the range, too):
  // decode them whole and clip afterwards, as Thanos bounds the series after applying resets.
  const whole = mode === 'counter' && aggregated;
  const d = whole
    ? opts.decoder.decode(chunks, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
    : opts.decoder.decode(chunks, opts.mint, opts.maxt);
  const out: RawSeries[] = [];
  let ci = 0;
  const pickAt = opts.pickAt;
  for (const g of groups) {
    const replicas: RawSeries[] = [];
    // Replicas about to be merged into new arrays may be read in place, in the decoder's memory;
    // so may a series whose picked samples are copied out (raw chunks only).
    const merging = g.members.length > 1;
    let inPlace = false;
    let allRaw = true;
    for (const m of g.members) {
      const first = ci;
      let aggr = false;
      for (const c of m.chunks) {
        if (!c.raw) aggr = true;
        ci += !c.raw && mode === 'average' ? 2 : 1;
      }
      allRaw &&= !aggr;
      let s: RawSeries;
      if (!aggr) {
        const view = merging || (pickAt !== undefined && g.members.length === 1);
        s = mergeRuns(m.labels, d.t, d.v, d.offsets, first, ci, undefined, view, arena);
        inPlace ||= view;
      } else if (mode === 'counter') {
        const run = applyCounterResets(d.t, d.v, d.offsets[first]!, d.offsets[ci]!);
        s = { labels: m.labels, t: run.t.subarray(0, run.count), v: run.v.subarray(0, run.count) };
      } else if (mode === 'average' || mode === 'count') {
        s = withCounts(m.labels, m.chunks, d, first, mode);
      } else s = mergeRuns(m.labels, d.t, d.v, d.offsets, first, ci);
      if (whole) s = clip(s, opts.mint, opts.maxt);
      if (s.t.length > 0) replicas.push(s);
    }
    if (replicas.length === 0) continue;
    if (pickAt !== undefined && allRaw) {
      // The merged columns are views of this member's own samples in the decoder's memory or
      // fresh arrays: pickSamples may overwrite them, and copies what it keeps.
      const merged = dedupReplicas(g.labels, replicas, { counter: opts.counter ?? false });
      const picked = pickSamples(merged, pickAt, arena, opts.decoder);
      if (picked.t.length > 0) out.push(picked);
      continue;
    }
    if (inPlace && replicas.length === 1) {
      // Nothing to merge after all (the others were empty): the one left must be a copy.
      const r = replicas[0]!;
      replicas[0] = r.counts
        ? { labels: r.labels, t: r.t.slice(), v: r.v.slice(), counts: r.counts.slice() }
        : { labels: r.labels, t: r.t.slice(), v: r.v.slice() };
    }
    out.push(dedupReplicas(g.labels, replicas, { counter: opts.counter ?? false }));
  }
  return out;
}

/**
 * A series of raw and aggregate chunks with the raw samples behind each sample (RawSeries.counts):
 * one per raw sample; for the count aggregate its own value; for the average (Thanos's
 * AverageChunkIterator, sum / count per window) the count aggregate.
 */
function withCounts(
  labels: Labels,
  chunks: readonly AggrChunk[],
  d: DecodedChunks,
  first: number,
  mode: 'count' | 'average',
): RawSeries {
  if (mode === 'count' && chunks.every((c) => !c.raw)) {
    // One run of the count aggregate per chunk, back to back in the batch: its values are the
    // counts, so the series is copied once and not chunk by chunk.
    const s = mergeRuns(labels, d.t, d.v, d.offsets, first, first + chunks.length);
    return { labels, t: s.t, v: s.v, counts: s.v };
  }
  const step = (c: AggrChunk): number => (!c.raw && mode === 'average' ? 2 : 1);
  let total = 0;
  let ci = first;
  for (const c of chunks) {
    total += d.offsets[ci + 1]! - d.offsets[ci]!;
    ci += step(c);
  }
  const t = new Float64Array(total);
  const v = new Float64Array(total);
  const counts = new Float64Array(total);
  const offsets = new Uint32Array(chunks.length + 1);
  let n = 0;
  ci = first;
  for (let k = 0; k < chunks.length; k++) {
    const c = chunks[k]!;
    offsets[k] = n;
    const from = d.offsets[ci]!;
    const to = d.offsets[ci + 1]!;
    if (c.raw || mode === 'count') {
      t.set(d.t.subarray(from, to), n);
      v.set(d.v.subarray(from, to), n);
      if (c.raw) counts.fill(1, n, n + to - from);
      else counts.set(d.v.subarray(from, to), n);
      n += to - from;
    } else {
      const sumAt = d.offsets[ci + 1]!;
      if (d.offsets[ci + 2]! - sumAt !== to - from) {
        throw new CorruptBlockError('sum and count aggregates not aligned', {});
      }
      for (let i = 0; i < to - from; i++) {
        if (d.t[from + i] !== d.t[sumAt + i]) {
          throw new CorruptBlockError('sum and count aggregate timestamps not aligned', {});
        }
        t[n] = d.t[from + i]!;
        counts[n] = d.v[from + i]!;
        v[n++] = d.v[sumAt + i]! / d.v[from + i]!;
      }
    }
    ci += step(c);
  }
  offsets[chunks.length] = n;
  return mergeRuns(labels, t, v, offsets, 0, chunks.length, counts);
}

/**
 * The samples of `s` that a vector selector reads at `instants` (ascending): for each instant the
 * last sample at or before it (a stale marker included: it ends the series there). Every step's
 * choice among these is the one it makes among all of `s`: the sample it chose is kept, and any
 * later one kept is after that instant. Picked in place (the decoder's kernel when `s` lies in its
 * memory), so `s`'s columns must be the caller's to overwrite; the result is always a copy.
 */
function pickSamples(
  s: RawSeries,
  instants: Float64Array,
  arena: ColumnArena,
  decoder?: BatchDecoder,
): RawSeries {
  const m = decoder?.pickInPlace?.(s.t, s.v, instants) ?? pickInPlace(s.t, s.v, instants);
  return {
    labels: s.labels,
    t: arena.copyF64(s.t.subarray(0, m)),
    v: arena.copyF64(s.v.subarray(0, m)),
  };
}

/** The JS form of the kernel (wasm/assembly/xor/pick.ts): the k-th pick is index >= k. */
function pickInPlace(t: Float64Array, v: Float64Array, instants: Float64Array): number {
  const n = t.length;
  let m = 0;
  let j = 0;
  let last = -1;
  for (let i = 0; i < instants.length; i++) {
    const at = instants[i]!;
    while (j < n && t[j]! <= at) j++;
    const k = j - 1;
    if (k > last) {
      t[m] = t[k]!;
      v[m] = v[k]!;
      m++;
      last = k;
      if (j === n) break;
    }
  }
  return m;
}

/** The samples of `s` inside [mint, maxt]. */
function clip(s: RawSeries, mint: number, maxt: number): RawSeries {
  let from = 0;
  while (from < s.t.length && s.t[from]! < mint) from++;
  let to = s.t.length;
  while (to > from && s.t[to - 1]! > maxt) to--;
  if (from === 0 && to === s.t.length) return s;
  const out = { labels: s.labels, t: s.t.slice(from, to), v: s.v.slice(from, to) };
  return s.counts ? { ...out, counts: s.counts.slice(from, to) } : out;
}

/**
 * Copies one series' samples out of the batch; when chunk runs overlap, merges them by time.
 * `inPlace`: views of the batch when no merge is needed, for a caller that copies them before
 * the decoder's next call.
 */
function mergeRuns(
  labels: Labels,
  t: Float64Array,
  v: Float64Array,
  offsets: Uint32Array,
  firstChunk: number,
  endChunk: number,
  counts?: Float64Array,
  inPlace = false,
  arena?: ColumnArena,
): RawSeries {
  const from = offsets[firstChunk]!;
  const to = offsets[endChunk]!;
  // Samples within a chunk are in time order (the merge below relies on it too): only the seams
  // between chunk runs can break the order, so only they are checked.
  let sorted = true;
  let last = -Infinity;
  for (let c = firstChunk; c < endChunk && sorted; c++) {
    const a = offsets[c]!;
    const b = offsets[c + 1]!;
    if (b <= a) continue;
    if (t[a]! <= last) sorted = false;
    last = t[b - 1]!;
  }
  if (sorted && inPlace) return { labels, t: t.subarray(from, to), v: v.subarray(from, to) };
  if (sorted && arena && !counts) {
    return {
      labels,
      t: arena.copyF64(t.subarray(from, to)),
      v: arena.copyF64(v.subarray(from, to)),
    };
  }
  if (sorted) {
    const out = { labels, t: t.slice(from, to), v: v.slice(from, to) };
    return counts ? { ...out, counts: counts.slice(from, to) } : out;
  }
  // Overlap: k-way merge of the chunk runs, first run wins on equal timestamps.
  const runs: Array<{ at: number; end: number }> = [];
  for (let c = firstChunk; c < endChunk; c++) {
    if (offsets[c + 1]! > offsets[c]!) runs.push({ at: offsets[c]!, end: offsets[c + 1]! });
  }
  const outT = new Float64Array(to - from);
  const outV = new Float64Array(to - from);
  const outC = counts && new Float64Array(to - from);
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
      if (outC) outC[n] = counts![run.at]!;
      n++;
    }
    run.at++;
  }
  const out = { labels, t: outT.slice(0, n), v: outV.slice(0, n) };
  return outC ? { ...out, counts: outC.slice(0, n) } : out;
}
