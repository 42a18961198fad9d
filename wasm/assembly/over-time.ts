/**
 * @module wasm/assembly/over-time — avg_over_time, sum_over_time, stdvar_over_time and
 * stddev_over_time of one series at every step: the window bounds and the compensated sums of
 * core/promql/functions/over-time.ts (Prometheus 2.42's order of operations), so results are
 * bit-identical; one call per series, as JS number loops run several times slower in workerd than
 * WASM. GC-free (stub runtime); the JS side (core/promql/functions/over-time-wasm.ts) owns memory
 * above `heapBase()`.
 */

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

function avgWindow(vPtr: usize, lo: i32, hi: i32): f64 {
  let mean: f64 = 0;
  let c: f64 = 0;
  let count: f64 = 0;
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
  if (mean == Infinity || mean == -Infinity) return mean;
  return mean + c;
}

function sumWindow(vPtr: usize, lo: i32, hi: i32): f64 {
  let sum: f64 = 0;
  let c: f64 = 0;
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

function stdvarWindow(vPtr: usize, lo: i32, hi: i32): f64 {
  let count: f64 = 0;
  let mean: f64 = 0;
  let cMean: f64 = 0;
  let aux: f64 = 0;
  let cAux: f64 = 0;
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
  return (aux + cAux) / count;
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
    let v: f64;
    if (kind == AVG) v = avgWindow(vPtr, lo, hi);
    else if (kind == SUM) v = sumWindow(vPtr, lo, hi);
    else if (kind == STDVAR) v = stdvarWindow(vPtr, lo, hi);
    else v = Math.sqrt(stdvarWindow(vPtr, lo, hi));
    store<f64>(outPtr + (<usize>i << 3), v);
    store<u8>(presentPtr + <usize>i, 1);
    count++;
  }
  return count;
}
