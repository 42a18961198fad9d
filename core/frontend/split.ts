/**
 * @module core/frontend/split — a range query's steps cut at interval boundaries (a day by
 * default), each piece on the request's own step grid, so the pieces' answers concatenate into
 * the answer of the whole range.
 */

/** Inclusive ms bounds of steps: `start`, `start + step`, …, `end`. */
export interface StepRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Splits [start, end] at multiples of `interval` (epoch-aligned, as Thanos's frontend splits by
 * day in UTC). Every piece starts on the grid `start + k·step`; `interval <= 0` is no split.
 */
export function splitByInterval(
  start: number,
  end: number,
  step: number,
  interval: number,
): StepRange[] {
  if (interval <= 0) return [{ start, end }];
  const out: StepRange[] = [];
  let s = start;
  while (s <= end) {
    const boundary = (Math.floor(s / interval) + 1) * interval;
    // The last step point before the boundary, never past the range's end.
    const e = Math.min(end, s + Math.floor((boundary - 1 - s) / step) * step);
    out.push({ start: s, end: e });
    s = e + step;
  }
  return out;
}

/** The interval a range lies in (its start's), part of a cache key. */
export function intervalIndex(r: StepRange, interval: number): number {
  return interval > 0 ? Math.floor(r.start / interval) : 0;
}
