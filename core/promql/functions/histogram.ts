/**
 * @module core/promql/functions/histogram — histogram_quantile over classic `le` buckets
 * (Prometheus 2.42 `bucketQuantile`), and histogram_count/sum/fraction, which only read native
 * histograms: over float series they return nothing, as 2.42 skips non-histogram samples.
 */
import { METRIC_NAME } from '../../labels/labels.ts';
import { goParseFloat } from '../../gocompat/strconv.ts';
import type { FunctionImpl } from './types.ts';
import { OUTPUT_STEP_BYTES, type StepSeries } from '../value.ts';
import { goSort } from '../../gocompat/sort.ts';
import { labelsKey, scalarArg, vectorArg, withoutLabels } from './labels-util.ts';

const BUCKET_LABEL = 'le';

/** Go's strconv.ParseFloat(s, 64), or undefined where it returns an error (syntax or range). */
export function parseLe(s: string): number | undefined {
  try {
    return goParseFloat(s);
  } catch {
    return undefined;
  }
}

/**
 * bucketQuantile over n buckets in ub/cnt (scratch arrays, reordered in place): sort by upper
 * bound, require a +Inf bucket, merge equal bounds, force counts monotonic, then interpolate
 * linearly inside the bucket holding rank q × total.
 */
export function bucketQuantile(q: number, ub: Float64Array, cnt: Float64Array, n: number): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  goSort(
    n,
    (i, j) => ub[i]! < ub[j]!,
    (i, j) => {
      let t = ub[i]!;
      ub[i] = ub[j]!;
      ub[j] = t;
      t = cnt[i]!;
      cnt[i] = cnt[j]!;
      cnt[j] = t;
    },
  );
  if (ub[n - 1] !== Infinity) return NaN;
  // coalesceBuckets: equal upper bounds (e.g. "0.2" and "2e-1") add up.
  let k = 0;
  let lastUb = ub[0]!;
  let lastCnt = cnt[0]!;
  for (let i = 1; i < n; i++) {
    if (ub[i] === lastUb) lastCnt += cnt[i]!;
    else {
      ub[k] = lastUb;
      cnt[k] = lastCnt;
      k++;
      lastUb = ub[i]!;
      lastCnt = cnt[i]!;
    }
  }
  ub[k] = lastUb;
  cnt[k] = lastCnt;
  n = k + 1;
  // ensureMonotonic: a bucket never counts less than the one below it.
  let max = cnt[0]!;
  for (let i = 1; i < n; i++) {
    if (cnt[i]! > max) max = cnt[i]!;
    else if (cnt[i]! < max) cnt[i] = max;
  }
  if (n < 2) return NaN;
  const observations = cnt[n - 1]!;
  if (observations === 0) return NaN;
  let rank = q * observations;
  // sort.Search(n-1, count >= rank)
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const h = (lo + hi) >>> 1;
    if (!(cnt[h]! >= rank)) lo = h + 1;
    else hi = h;
  }
  const b = lo;
  if (b === n - 1) return ub[n - 2]!;
  if (b === 0 && ub[0]! <= 0) return ub[0]!;
  let bucketStart = 0;
  const bucketEnd = ub[b]!;
  let count = cnt[b]!;
  if (b > 0) {
    bucketStart = ub[b - 1]!;
    count -= cnt[b - 1]!;
    rank -= cnt[b - 1]!;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

interface BucketGroup {
  readonly labels: StepSeries['labels'];
  readonly members: number[];
}

/**
 * histogram_quantile(q, v): series are grouped by their labels without `le` (metric name included,
 * so two histograms differing only in name collide after the name is dropped, as in Prometheus).
 */
export const histogramQuantile: FunctionImpl = (args, ctx) => {
  const q = scalarArg(args, 0).values;
  const v = vectorArg(args, 1);
  const steps = ctx.range.count;
  const bounds = new Float64Array(v.series.length);
  const groups = new Map<string, BucketGroup>();
  v.series.forEach((s, idx) => {
    let le: string | undefined;
    for (const l of s.labels) if (l.name === BUCKET_LABEL) le = l.value;
    const ub = parseLe(le ?? '');
    if (ub === undefined) return; // no or malformed `le`: skipped
    bounds[idx] = ub;
    const key = labelsKey(withoutLabels(s.labels, [BUCKET_LABEL]));
    let g = groups.get(key);
    if (!g) {
      g = { labels: withoutLabels(s.labels, [METRIC_NAME, BUCKET_LABEL]), members: [] };
      groups.set(key, g);
    }
    g.members.push(idx);
  });
  let ub = new Float64Array(16);
  let cnt = new Float64Array(16);
  const out: StepSeries[] = [];
  for (const g of groups.values()) {
    if (ub.length < g.members.length) {
      ub = new Float64Array(g.members.length);
      cnt = new Float64Array(g.members.length);
    }
    ctx.charge(steps * OUTPUT_STEP_BYTES);
    const values = new Float64Array(steps);
    const present = new Uint8Array(steps);
    let any = false;
    for (let i = 0; i < steps; i++) {
      let n = 0;
      for (const idx of g.members) {
        const s = v.series[idx]!;
        if (!s.present[i]) continue;
        ub[n] = bounds[idx]!;
        cnt[n] = s.values[i]!;
        n++;
      }
      if (n === 0) continue;
      values[i] = bucketQuantile(q[i]!, ub, cnt, n);
      present[i] = 1;
      any = true;
    }
    if (any) out.push({ labels: g.labels, values, present });
  }
  return { type: 'vector', series: out };
};

/** Native-histogram-only functions: float samples are skipped, so the result is empty. */
export const histogramNativeOnly: FunctionImpl = () => ({ type: 'vector', series: [] });
