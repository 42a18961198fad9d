/**
 * @module core/compact/downsample/series — one series downsampled, as Thanos's `DownsampleRaw`
 * (raw samples → aggregate chunks) and `downsampleAggr` (aggregate chunks → coarser ones).
 *
 * Raw: the samples are cut into batches of about equal size, each extended to the end of its last
 * window; one aggregate chunk per batch. Its counter aggregate starts with the batch's first raw
 * sample and ends with the last raw value at the last window's timestamp, so a reader can tell a
 * counter reset between chunks (core/chunkenc/counter-resets.ts).
 * Aggregates: batches follow the input chunks' boundaries (a chunk's first and last counter values
 * are true raw values and must stay at chunk edges through every level).
 */
import {
  AGGR_COUNT,
  AGGR_COUNTER,
  AGGR_MAX,
  AGGR_MIN,
  AGGR_SUM,
  AGGR_TYPES,
  ENCODING_AGGR,
  type AggrParts,
  type AggrType,
  encodeAggrChunk,
} from '../../chunkenc/aggr.ts';
import { applyCounterResets } from '../../chunkenc/counter-resets.ts';
import { isStaleNaN } from '../../chunkenc/stale.ts';
import { XorAppender, decodeXor, xorSampleCount } from '../../chunkenc/xor.ts';
import type { ChunkMeta } from '../../tsdb/writer/chunk-writer.ts';
import {
  ASSUMED_RAW_INTERVAL,
  currentWindow,
  downsampleWindows,
  targetChunkCount,
  type Aggregator,
} from './aggregator.ts';

/** Builds the five aggregates of one output chunk and its time range. */
class AggrChunkBuilder {
  readonly apps: (XorAppender | undefined)[] = new Array<XorAppender | undefined>(AGGR_TYPES);
  mint = Infinity;
  maxt = -Infinity;

  app(at: AggrType): XorAppender {
    return (this.apps[at] ??= new XorAppender());
  }

  window(t: number): void {
    if (t < this.mint) this.mint = t;
    if (t > this.maxt) this.maxt = t;
  }

  encode(): ChunkMeta {
    const count = this.apps[AGGR_COUNT];
    return {
      minTime: this.mint,
      maxTime: this.maxt,
      data: encodeAggrChunk([...this.apps].map((a) => a?.bytes())),
      encoding: ENCODING_AGGR,
      numSamples: count?.numSamples ?? 0,
      ref: 0,
    };
  }
}

/**
 * Downsamples one series' raw samples (ascending, stale markers already dropped) to aggregate
 * chunks at `resolution`.
 */
export function downsampleRaw(
  t: Float64Array,
  v: Float64Array,
  n: number,
  resolution: number,
): ChunkMeta[] {
  if (n === 0) return [];
  const numChunks = targetChunkCount(t[0]!, t[n - 1]!, ASSUMED_RAW_INTERVAL, resolution, n);
  const batchSize = Math.trunc(n / numChunks) + 1;
  const out: ChunkMeta[] = [];
  const bt = new Float64Array(Math.min(n, batchSize * 2));
  const bv = new Float64Array(bt.length);
  let at = 0;
  while (at < n) {
    let j = Math.min(at + batchSize, n);
    // Take the rest of the last window too, so windows stay whole.
    const end = currentWindow(t[j - 1]!, resolution);
    while (j < n && t[j]! <= end) j++;
    const batchT = j - at <= bt.length ? bt : new Float64Array(j - at);
    const batchV = j - at <= bv.length ? bv : new Float64Array(j - at);
    let m = 0;
    for (let i = at; i < j; i++) {
      if (Number.isNaN(v[i]!)) continue;
      batchT[m] = t[i]!;
      batchV[m] = v[i]!;
      m++;
    }
    at = j;
    if (m === 0) continue;
    const b = new AggrChunkBuilder();
    const counter = b.app(AGGR_COUNTER);
    counter.append(batchT[0]!, batchV[0]!);
    const lastT = downsampleWindows(batchT, batchV, 0, m, resolution, (wt, a) => {
      b.window(wt);
      b.app(AGGR_SUM).append(wt, a.sum);
      b.app(AGGR_MIN).append(wt, a.min);
      b.app(AGGR_MAX).append(wt, a.max);
      b.app(AGGR_COUNT).append(wt, a.count);
      counter.append(wt, a.counter);
    });
    counter.append(lastT, batchV[m - 1]!);
    out.push(b.encode());
  }
  return out;
}

/** One input aggregate chunk: its time range and aggregates (core/chunkenc/aggr.ts). */
export interface InputAggrChunk {
  readonly minTime: number;
  readonly maxTime: number;
  readonly parts: AggrParts;
}

/** Downsamples one series' aggregate chunks (resolution `inRes`) to `outRes`. */
export function downsampleAggr(
  chunks: readonly InputAggrChunk[],
  inRes: number,
  outRes: number,
): ChunkMeta[] {
  if (chunks.length === 0) return [];
  let samples = 0;
  for (const c of chunks) {
    const count = c.parts[AGGR_COUNT];
    if (count) samples += xorSampleCount(count);
  }
  const mint = chunks[0]!.minTime;
  const maxt = chunks[chunks.length - 1]!.maxTime;
  const numChunks = Math.min(targetChunkCount(mint, maxt, inRes, outRes, samples), chunks.length);
  const batchSize = Math.trunc(chunks.length / numChunks);
  const out: ChunkMeta[] = [];
  for (let i = 0; i < chunks.length; i += batchSize) {
    out.push(downsampleAggrBatch(chunks.slice(i, i + batchSize), outRes));
  }
  return out;
}

const GAUGE_AGGRS: readonly [AggrType, (a: Aggregator) => number][] = [
  // Counts of windows add up to the count of the wider window.
  [AGGR_COUNT, (a) => a.sum],
  [AGGR_SUM, (a) => a.sum],
  [AGGR_MIN, (a) => a.min],
  [AGGR_MAX, (a) => a.max],
];

function downsampleAggrBatch(chunks: readonly InputAggrChunk[], resolution: number): ChunkMeta {
  const b = new AggrChunkBuilder();
  for (const [at, pick] of GAUGE_AGGRS) {
    const { t, v, n } = expand(chunks, at);
    if (n === 0) continue;
    const app = b.app(at);
    downsampleWindows(t, v, 0, n, resolution, (wt, a) => {
      b.window(wt);
      app.append(wt, pick(a));
    });
  }
  const { t, v, n } = decodeAll(chunks, AGGR_COUNTER);
  const run = applyCounterResets(t, v, 0, n);
  if (run.count > 0) {
    const app = b.app(AGGR_COUNTER);
    // The first and the last raw value stay at the chunk's edges (see the module comment).
    app.append(run.t[0]!, run.v[0]!);
    const lastT = downsampleWindows(run.t, run.v, 0, run.count, resolution, (wt, a) => {
      b.window(wt);
      app.append(wt, a.counter);
    });
    app.append(lastT, run.lastV);
  }
  return b.encode();
}

/** Samples of one aggregate over the chunks, in order; all decoded, nothing dropped. */
function decodeAll(
  chunks: readonly InputAggrChunk[],
  at: AggrType,
): { t: Float64Array; v: Float64Array; n: number } {
  let total = 0;
  for (const c of chunks) {
    const p = c.parts[at];
    if (p) total += xorSampleCount(p);
  }
  const t = new Float64Array(total);
  const v = new Float64Array(total);
  let n = 0;
  for (const c of chunks) {
    const p = c.parts[at];
    if (p) n += decodeXor(p, -Infinity, Infinity, t, v, n);
  }
  return { t, v, n };
}

/** As decodeAll, without stale markers and samples going back in time (expandChunkIterator). */
function expand(
  chunks: readonly InputAggrChunk[],
  at: AggrType,
): { t: Float64Array; v: Float64Array; n: number } {
  const d = decodeAll(chunks, at);
  let n = 0;
  let lastT = 0;
  for (let i = 0; i < d.n; i++) {
    if (isStaleNaN(d.v, i) || d.t[i]! < lastT) continue;
    lastT = d.t[i]!;
    d.t[n] = lastT;
    d.v[n] = d.v[i]!;
    n++;
  }
  return { t: d.t, v: d.v, n };
}

/**
 * Raw samples of a series ready for downsampleRaw: stale markers and samples going back in time
 * dropped (Thanos's expandChunkIterator), compacting t/v in place. Returns the count kept.
 */
export function expandRaw(t: Float64Array, v: Float64Array, n: number): number {
  let m = 0;
  let lastT = 0;
  for (let i = 0; i < n; i++) {
    if (isStaleNaN(v, i) || t[i]! < lastT) continue;
    lastT = t[i]!;
    t[m] = lastT;
    v[m] = v[i]!;
    m++;
  }
  return m;
}
