/**
 * @module wasm/assembly/rate — rate, increase and delta of one series at every step (Prometheus
 * 2.42's `extrapolatedRate`), the window bounds, counter resets and extrapolation of
 * core/promql/functions/rate.ts in the same operation order, so results are bit-identical; one
 * call per series, as JS number loops run several times slower in workerd than WASM. GC-free
 * (stub runtime); the JS side (core/promql/functions/rate-wasm.ts) owns memory above `heapBase()`.
 */

export function heapBase(): usize {
  return __heap_base;
}

// @ts-ignore: decorator
@inline
function f64At(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

/** extrapolate() of rate.ts: the increase over samples [lo, hi) stretched to the window's edges. */
function extrapolate(
  tPtr: usize,
  vPtr: usize,
  lo: i32,
  hi: i32,
  resultValue: f64,
  rangeStart: f64,
  rangeEnd: f64,
  rangeSeconds: f64,
  isCounter: bool,
  isRate: bool,
): f64 {
  const first = f64At(vPtr, lo);
  const tFirst = f64At(tPtr, lo);
  const tLast = f64At(tPtr, hi - 1);
  let durationToStart = (tFirst - rangeStart) / 1000;
  const durationToEnd = (rangeEnd - tLast) / 1000;
  const sampledInterval = (tLast - tFirst) / 1000;
  const averageDurationBetweenSamples = sampledInterval / <f64>(hi - lo - 1);
  if (isCounter && resultValue > 0 && first >= 0) {
    const durationToZero = sampledInterval * (first / resultValue);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const extrapolationThreshold = averageDurationBetweenSamples * 1.1;
  let extrapolateToInterval = sampledInterval;
  if (durationToStart < extrapolationThreshold) extrapolateToInterval += durationToStart;
  else extrapolateToInterval += averageDurationBetweenSamples / 2;
  if (durationToEnd < extrapolationThreshold) extrapolateToInterval += durationToEnd;
  else extrapolateToInterval += averageDurationBetweenSamples / 2;
  let factor = extrapolateToInterval / sampledInterval;
  if (isRate) factor /= rangeSeconds;
  return resultValue * factor;
}

/**
 * The series of n samples (f64 columns at tPtr, vPtr) over every step i's window
 * [windowEnd[i] - range, windowEnd[i]]: values to outPtr (f64) and a presence byte to presentPtr
 * (0 where the window has fewer than two samples). `resetsPtr` is room for n i32. Returns the
 * number of steps with a value.
 */
export function rates(
  tPtr: usize,
  vPtr: usize,
  n: i32,
  windowEndPtr: usize,
  steps: i32,
  range: f64,
  rangeSeconds: f64,
  isCounter: bool,
  isRate: bool,
  outPtr: usize,
  presentPtr: usize,
  resetsPtr: usize,
): i32 {
  let resetCount = 0;
  if (isCounter) {
    for (let k = 1; k < n; k++) {
      if (f64At(vPtr, k) < f64At(vPtr, k - 1)) {
        store<i32>(resetsPtr + (<usize>resetCount << 2), k);
        resetCount++;
      }
    }
  }
  let lo = 0;
  let hi = 0;
  let p = 0;
  let count = 0;
  for (let i = 0; i < steps; i++) {
    const end = f64At(windowEndPtr, i);
    const start = end - range;
    while (lo < n && f64At(tPtr, lo) < start) lo++;
    if (hi < lo) hi = lo;
    while (hi < n && f64At(tPtr, hi) <= end) hi++;
    if (hi - lo < 2) {
      store<u8>(presentPtr + <usize>i, 0);
      continue;
    }
    let inc = f64At(vPtr, hi - 1) - f64At(vPtr, lo);
    if (isCounter) {
      while (p < resetCount && load<i32>(resetsPtr + (<usize>p << 2)) <= lo) p++;
      for (let q = p; q < resetCount; q++) {
        const at = load<i32>(resetsPtr + (<usize>q << 2));
        if (at >= hi) break;
        inc += f64At(vPtr, at - 1);
      }
    }
    store<f64>(
      outPtr + (<usize>i << 3),
      extrapolate(tPtr, vPtr, lo, hi, inc, start, end, rangeSeconds, isCounter, isRate),
    );
    store<u8>(presentPtr + <usize>i, 1);
    count++;
  }
  return count;
}
