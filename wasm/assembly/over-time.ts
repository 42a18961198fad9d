/**
 * @module wasm/assembly/over-time — avg_over_time, sum_over_time, stdvar_over_time and
 * stddev_over_time of one series at every step: the window bounds and the compensated sums of
 * core/promql/functions/over-time.ts (Prometheus 2.42's order of operations), so results are
 * bit-identical; one call per series, as JS number loops run several times slower in workerd than
 * WASM. GC-free (stub runtime); the JS side (core/promql/functions/over-time-wasm.ts) owns memory
 * above `heapBase()`.
 */

import { compensation, kahan2 } from './shared/kahan2';

export function heapBase(): usize {
  return __heap_base;
}

// @ts-ignore: decorator
@inline
function f64At(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

export const AVG = 0;
export const SUM = 1;
export const STDVAR = 2;
export const STDDEV = 3;

/** The scalar state `avgFrom` and `stdvarFrom` leave (second return values). */
let gMean: f64 = 0;
let gC: f64 = 0;
let gAux: f64 = 0;
let gCAux: f64 = 0;

/**
 * avg_over_time's incremental mean over samples [lo, hi), continuing from a mean, its
 * compensation and the samples counted so far; leaves them in gMean, gC.
 */
function avgFrom(vPtr: usize, lo: i32, hi: i32, mean: f64, c: f64, count: f64): void {
  for (let k = lo; k < hi; k++) {
    const x = f64At(vPtr, k);
    count++;
    if (mean == Infinity || mean == -Infinity) {
      if ((x == Infinity || x == -Infinity) && mean > 0 == x > 0) continue;
      if (x != Infinity && x != -Infinity && x == x) continue;
    }
    const inc = x / count - mean / count;
    const t = mean + inc;
    if (Math.abs(mean) >= Math.abs(inc)) c += mean - t + inc;
    else c += inc - t + mean;
    mean = t;
  }
  gMean = mean;
  gC = c;
}

// @ts-ignore: decorator
@inline
function avgResult(mean: f64, c: f64): f64 {
  if (mean == Infinity || mean == -Infinity) return mean;
  return mean + c;
}

function sumWindow(vPtr: usize, lo: i32, hi: i32): f64 {
  return sumFrom(vPtr, lo, hi, 0, 0);
}

function avgWindow(vPtr: usize, lo: i32, hi: i32): f64 {
  avgFrom(vPtr, lo, hi, 0, 0, 0);
  return avgResult(gMean, gC);
}

/** sum_over_time's compensated sum of samples [lo, hi) continuing from `sum` and `c`. */
function sumFrom(vPtr: usize, lo: i32, hi: i32, sum: f64, c: f64): f64 {
  for (let k = lo; k < hi; k++) {
    const inc = f64At(vPtr, k);
    const t = sum + inc;
    if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
    else c += inc - t + sum;
    sum = t;
  }
  if (sum == Infinity || sum == -Infinity) return sum;
  return sum + c;
}

/**
 * stdvar_over_time's running mean and sum of squares over samples [lo, hi), continuing from a
 * state (`count` samples so far); leaves it in gMean, gC (the mean's compensation), gAux, gCAux.
 */
function stdvarFrom(
  vPtr: usize,
  lo: i32,
  hi: i32,
  count: f64,
  mean: f64,
  cMean: f64,
  aux: f64,
  cAux: f64,
): void {
  for (let k = lo; k < hi; k++) {
    const x = f64At(vPtr, k);
    count++;
    const delta = x - (mean + cMean);
    let inc = delta / count;
    let t = mean + inc;
    if (Math.abs(mean) >= Math.abs(inc)) cMean += mean - t + inc;
    else cMean += inc - t + mean;
    mean = t;
    inc = delta * (x - (mean + cMean));
    t = aux + inc;
    if (Math.abs(aux) >= Math.abs(inc)) cAux += aux - t + inc;
    else cAux += inc - t + aux;
    aux = t;
  }
  gMean = mean;
  gC = cMean;
  gAux = aux;
  gCAux = cAux;
}

function stdvarWindow(vPtr: usize, lo: i32, hi: i32): f64 {
  stdvarFrom(vPtr, lo, hi, 0, 0, 0, 0, 0);
  return (gAux + gCAux) / <f64>(hi - lo);
}

// @ts-ignore: decorator
@inline
function pair(vPtr: usize, a: i32, b: i32): v128 {
  return f64x2.replace_lane(f64x2.splat(f64At(vPtr, a)), 1, f64At(vPtr, b));
}

/** Windows waiting to be computed four at a time: step, lo, hi (i32 each). */
const PENDING: usize = memory.data(4 * 12, 16);

// @ts-ignore: decorator
@inline
function pendingAt(w: i32, field: i32): i32 {
  return load<i32>(PENDING + <usize>(w * 12 + field * 4));
}

/**
 * Four windows at once (avg, sum, stdvar or stddev). A window's running sum or mean is a chain of
 * dependent additions (and, for the mean, divisions), so one window at a time waits on each
 * step's latency; four independent windows (two per SIMD register) fill those waits. Each lane
 * runs the scalar loop's operations in its order for the samples all four windows have (the
 * compensations by TwoSum, which adds the same error as the scalar branch: see kahan2), then the
 * scalar loop finishes each window from its lane's state: results are bit-identical. avg's
 * special case for an infinite mean is not in the lanes: a window whose result is not finite
 * (which is every window that meets that case) is computed again by the scalar loop alone.
 */
function fourWindows(kind: i32, vPtr: usize, outPtr: usize): void {
  const lo0 = pendingAt(0, 1);
  const lo1 = pendingAt(1, 1);
  const lo2 = pendingAt(2, 1);
  const lo3 = pendingAt(3, 1);
  let m = pendingAt(0, 2) - lo0;
  m = min(m, pendingAt(1, 2) - lo1);
  m = min(m, pendingAt(2, 2) - lo2);
  m = min(m, pendingAt(3, 2) - lo3);
  let meanA = f64x2.splat(0);
  let cA = f64x2.splat(0);
  let meanB = f64x2.splat(0);
  let cB = f64x2.splat(0);
  let auxA = f64x2.splat(0);
  let cAuxA = f64x2.splat(0);
  let auxB = f64x2.splat(0);
  let cAuxB = f64x2.splat(0);
  if (kind == SUM) {
    for (let k = 0; k < m; k++) {
      meanA = kahan2(meanA, pair(vPtr, lo0 + k, lo1 + k), cA);
      cA = compensation;
      meanB = kahan2(meanB, pair(vPtr, lo2 + k, lo3 + k), cB);
      cB = compensation;
    }
  } else if (kind == AVG) {
    for (let k = 0; k < m; k++) {
      const count = f64x2.splat(<f64>(k + 1));
      const xA = pair(vPtr, lo0 + k, lo1 + k);
      const xB = pair(vPtr, lo2 + k, lo3 + k);
      const incA = f64x2.sub(f64x2.div(xA, count), f64x2.div(meanA, count));
      const incB = f64x2.sub(f64x2.div(xB, count), f64x2.div(meanB, count));
      meanA = kahan2(meanA, incA, cA);
      cA = compensation;
      meanB = kahan2(meanB, incB, cB);
      cB = compensation;
    }
  } else {
    for (let k = 0; k < m; k++) {
      const count = f64x2.splat(<f64>(k + 1));
      const xA = pair(vPtr, lo0 + k, lo1 + k);
      const xB = pair(vPtr, lo2 + k, lo3 + k);
      const deltaA = f64x2.sub(xA, f64x2.add(meanA, cA));
      const deltaB = f64x2.sub(xB, f64x2.add(meanB, cB));
      meanA = kahan2(meanA, f64x2.div(deltaA, count), cA);
      cA = compensation;
      meanB = kahan2(meanB, f64x2.div(deltaB, count), cB);
      cB = compensation;
      const sqA = f64x2.mul(deltaA, f64x2.sub(xA, f64x2.add(meanA, cA)));
      const sqB = f64x2.mul(deltaB, f64x2.sub(xB, f64x2.add(meanB, cB)));
      auxA = kahan2(auxA, sqA, cAuxA);
      cAuxA = compensation;
      auxB = kahan2(auxB, sqB, cAuxB);
      cAuxB = compensation;
    }
  }
  for (let w = 0; w < 4; w++) {
    const step = pendingAt(w, 0);
    const lo = pendingAt(w, 1);
    const hi = pendingAt(w, 2);
    const inB = w >= 2;
    const mean = laneOf(inB ? meanB : meanA, w & 1);
    const c = laneOf(inB ? cB : cA, w & 1);
    let v: f64;
    if (kind == SUM) {
      v = sumFrom(vPtr, lo + m, hi, mean, c);
    } else if (kind == AVG) {
      avgFrom(vPtr, lo + m, hi, mean, c, <f64>m);
      v = avgResult(gMean, gC);
      if (!isFinite(v)) v = avgWindow(vPtr, lo, hi);
    } else {
      const aux = laneOf(inB ? auxB : auxA, w & 1);
      const cAux = laneOf(inB ? cAuxB : cAuxA, w & 1);
      stdvarFrom(vPtr, lo + m, hi, <f64>m, mean, c, aux, cAux);
      v = (gAux + gCAux) / <f64>(hi - lo);
      if (kind == STDDEV) v = Math.sqrt(v);
    }
    store<f64>(outPtr + (<usize>step << 3), v);
  }
}

// @ts-ignore: decorator
@inline
function laneOf(x: v128, lane: i32): f64 {
  return lane == 0 ? f64x2.extract_lane(x, 0) : f64x2.extract_lane(x, 1);
}

/**
 * Function `kind` (AVG, SUM, STDVAR, STDDEV) of the series of n samples (f64 columns at tPtr,
 * vPtr) over every step i's window [windowEnd[i] - range, windowEnd[i]]: values to outPtr (f64)
 * and a presence byte to presentPtr (0 where the window is empty). Returns the number of steps
 * with a value.
 */
export function overTime(
  kind: i32,
  tPtr: usize,
  vPtr: usize,
  n: i32,
  windowEndPtr: usize,
  steps: i32,
  range: f64,
  outPtr: usize,
  presentPtr: usize,
): i32 {
  let lo = 0;
  let hi = 0;
  let count = 0;
  let pending = 0;
  for (let i = 0; i < steps; i++) {
    const end = f64At(windowEndPtr, i);
    const start = end - range;
    while (lo < n && f64At(tPtr, lo) < start) lo++;
    if (hi < lo) hi = lo;
    while (hi < n && f64At(tPtr, hi) <= end) hi++;
    if (hi <= lo) {
      store<u8>(presentPtr + <usize>i, 0);
      continue;
    }
    store<u8>(presentPtr + <usize>i, 1);
    count++;
    store<i32>(PENDING + <usize>(pending * 12), i);
    store<i32>(PENDING + <usize>(pending * 12 + 4), lo);
    store<i32>(PENDING + <usize>(pending * 12 + 8), hi);
    if (++pending == 4) {
      fourWindows(kind, vPtr, outPtr);
      pending = 0;
    }
  }
  for (let w = 0; w < pending; w++) {
    const lo = pendingAt(w, 1);
    const hi = pendingAt(w, 2);
    let v: f64;
    if (kind == AVG) v = avgWindow(vPtr, lo, hi);
    else if (kind == SUM) v = sumWindow(vPtr, lo, hi);
    else if (kind == STDVAR) v = stdvarWindow(vPtr, lo, hi);
    else v = Math.sqrt(stdvarWindow(vPtr, lo, hi));
    store<f64>(outPtr + (<usize>pendingAt(w, 0) << 3), v);
  }
  return count;
}
