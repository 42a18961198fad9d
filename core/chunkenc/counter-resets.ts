/**
 * @module core/chunkenc/counter-resets — Thanos's ApplyCounterResetsSeriesIterator over decoded
 * samples: turns the counter aggregates of consecutive chunks into one monotonic series, so
 * rate/increase need no reset handling across windows.
 *
 * A counter aggregate chunk starts with the first raw value of its window run and ends with the
 * last raw value repeated at the previous sample's timestamp. That trailing sample is not emitted:
 * it only records the true last value, so the first value of the next chunk is compared with it to
 * tell a reset between chunks. NaN samples (stale markers included) are skipped; samples going
 * back in time (overlapping chunks) are dropped.
 */

/** Samples out of applyCounterResets; `lastV` is the last raw value seen (the trailing sample). */
export interface CounterRun {
  readonly t: Float64Array;
  readonly v: Float64Array;
  readonly count: number;
  readonly lastV: number;
}

/** Applies counter resets to samples [from, to) of t/v (chunks of one series back to back). */
export function applyCounterResets(
  t: Float64Array,
  v: Float64Array,
  from: number,
  to: number,
): CounterRun {
  const outT = new Float64Array(Math.max(0, to - from));
  const outV = new Float64Array(Math.max(0, to - from));
  let n = 0;
  let lastT = 0;
  let lastV = 0;
  let total = 0;
  for (let i = from; i < to; i++) {
    const x = v[i]!;
    if (Number.isNaN(x)) continue;
    const ts = t[i]!;
    if (n === 0) {
      total = x;
    } else if (ts > lastT) {
      total += x >= lastV ? x - lastV : x;
    } else {
      // Same timestamp: the true last raw value of the chunk; earlier: back in time, dropped.
      if (ts === lastT) lastV = x;
      continue;
    }
    lastT = ts;
    lastV = x;
    outT[n] = ts;
    outV[n] = total;
    n++;
  }
  return { t: outT, v: outV, count: n, lastV };
}
