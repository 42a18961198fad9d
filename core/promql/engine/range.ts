/** @module core/promql/engine/range — the evaluation steps of a query, subquery or step-invariant node. */
import type { EvalRange } from '../value.ts';

/** The steps start, start+interval, … up to end (none when end < start). */
export function makeRange(start: number, end: number, interval: number): EvalRange {
  const count = end >= start ? Math.floor((end - start) / interval) + 1 : 0;
  const times = new Float64Array(count);
  for (let i = 0; i < count; i++) times[i] = start + i * interval;
  return { start, end, interval, count, times };
}
