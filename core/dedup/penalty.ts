/**
 * @module core/dedup/penalty — merges the samples of HA replicas of one series with Thanos's
 * penalty algorithm: follow one replica; when both have data, take the earlier sample and make
 * the other replica skip ahead by twice the last sample gap (5s before any gap is known), so the
 * merged series never samples faster than one replica and only switches across a gap.
 */
import { searchFloat64 } from '../gocompat/sort.ts';
import type { RawSeries } from '../promql/storage/queryable.ts';
import type { Labels } from '../labels/labels.ts';

/** Penalty before a sample gap is known: timestamps are ms and scrape intervals are seconds long. */
export const INITIAL_PENALTY_MS = 5000;

export interface DedupOptions {
  /**
   * Counter mode (for rate/increase/irate…): when a switch to the other replica lands on a lower
   * value than the last one emitted, later values are raised by the difference, so the switch does
   * not look like a counter reset. Resets inside one replica are kept.
   */
  readonly counter?: boolean;
}

/** Samples the reused merge buffers hold at most (2 MiB each); larger merges allocate. */
const SCRATCH_SAMPLES = 1 << 18;
let scratchT = new Float64Array(0);
let scratchV = new Float64Array(0);

/**
 * Room for a merge of `n` samples. The merge writes into reused buffers and returns exact-size
 * copies: allocating the worst case (both inputs whole) for every series and then trimming it
 * cost the querier twice the series' bytes in garbage.
 */
function mergeBuffers(n: number): [Float64Array, Float64Array] {
  if (n > SCRATCH_SAMPLES) return [new Float64Array(n), new Float64Array(n)];
  if (scratchT.length < n) {
    const size = Math.min(SCRATCH_SAMPLES, Math.max(n, scratchT.length * 2, 1024));
    scratchT = new Float64Array(size);
    scratchV = new Float64Array(size);
  }
  return [scratchT, scratchV];
}

/** Merges two replicas' samples (each ascending by time). */
export function dedupPair(
  aT: Float64Array,
  aV: Float64Array,
  bT: Float64Array,
  bV: Float64Array,
  options: DedupOptions = {},
): { t: Float64Array; v: Float64Array } {
  const [outT, outV] = mergeBuffers(aT.length + bT.length);
  let n = 0;
  let ia = 0;
  let ib = 0;
  let penA = 0;
  let penB = 0;
  let lastT = -Infinity;
  let usingA = true;
  let offset = 0;
  let lastOut = NaN;
  for (;;) {
    const seekA = lastT === -Infinity ? -Infinity : lastT + 1 + penA;
    const seekB = lastT === -Infinity ? -Infinity : lastT + 1 + penB;
    ia = searchFloat64(aT, seekA, ia);
    ib = searchFloat64(bT, seekB, ib);
    penA = 0;
    penB = 0;
    const aok = ia < aT.length;
    const bok = ib < bT.length;
    if (!aok && !bok) break;
    let pickA: boolean;
    if (!aok) pickA = false;
    else if (!bok) pickA = true;
    else {
      const ta = aT[ia]!;
      const tb = bT[ib]!;
      pickA = ta <= tb;
      if (pickA) penB = lastT === -Infinity ? INITIAL_PENALTY_MS : 2 * (ta - lastT);
      else penA = lastT === -Infinity ? INITIAL_PENALTY_MS : 2 * (tb - lastT);
    }
    const t = pickA ? aT[ia]! : bT[ib]!;
    let v = pickA ? aV[ia]! : bV[ib]!;
    // NaN (and the stale marker, a signalling NaN whose bits arithmetic would change) passes as is.
    if (options.counter && v === v) {
      if (n > 0 && pickA !== usingA && v + offset < lastOut) offset = lastOut - v;
      v += offset;
      lastOut = v;
    }
    usingA = pickA;
    outT[n] = t;
    outV[n] = v;
    n++;
    lastT = t;
    if (pickA) ia++;
    else ib++;
  }
  return { t: outT.slice(0, n), v: outV.slice(0, n) };
}

/** Merges any number of replicas of one series (labels already without replica labels). */
export function dedupReplicas(
  labels: Labels,
  replicas: readonly RawSeries[],
  options: DedupOptions = {},
): RawSeries {
  if (replicas.length === 1) {
    const r = replicas[0]!;
    return r.counts ? { labels, t: r.t, v: r.v, counts: r.counts } : { labels, t: r.t, v: r.v };
  }
  // Replicas merged sample by sample lose the raw counts of downsampled data (one each then).
  let t = replicas[0]!.t;
  let v = replicas[0]!.v;
  for (let i = 1; i < replicas.length; i++) {
    const merged = dedupPair(t, v, replicas[i]!.t, replicas[i]!.v, options);
    t = merged.t;
    v = merged.v;
  }
  return { labels, t, v };
}
