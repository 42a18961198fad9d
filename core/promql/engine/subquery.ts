/**
 * @module core/promql/engine/subquery — subquery timing (Prometheus engine.go SubqueryExpr case and
 * evalSubquery): the inner expression runs at steps aligned to absolute multiples of the subquery
 * step, from the first aligned time at or after `start - offset - range` to `end - offset`; its
 * output becomes a range vector whose window at outer step t is [t - o - range, t - o].
 */
import type { SubqueryExpr } from '../ast.ts';
import type { EvalRange, MatrixValue, RangeSeries, VectorValue } from '../value.ts';
import { makeRange } from './range.ts';
import { setOffsetForAtModifier, type OffsetTable } from './preprocess.ts';
import type { QueryLimits } from './limits.ts';

/** Bytes of one inner step's time (a float64), charged before the steps are allocated. */
const STEP_TIME_BYTES = 8;

/**
 * The part of the evaluator's EvalContext subquery timing reads. Named here rather than imported
 * from evaluator.ts, which imports this file: the evaluator passes its context as it is.
 */
export interface SubqueryContext {
  /** Step of a subquery written without one (`[5m:]`). */
  readonly noStepSubqueryInterval: (rangeMs: number) => number;
  /** Effective offsets, moved to the subquery's own start time here. */
  readonly offsets: OffsetTable;
  readonly limits: QueryLimits;
}

export interface SubqueryTiming {
  /** Steps the inner expression is evaluated at. */
  readonly range: EvalRange;
  /** o in the window [t - o - range, t - o] at outer step t. */
  readonly windowOffset: number;
}

/**
 * `offset` is the subquery's effective offset (it includes the shift for `@`). Moves the effective
 * offsets inside the subquery to its own start time, as Prometheus does when the start differs.
 */
export function subqueryRange(
  e: SubqueryExpr,
  outer: EvalRange,
  offset: number,
  ctx: SubqueryContext,
): SubqueryTiming {
  const interval = e.step !== 0 ? e.step : ctx.noStepSubqueryInterval(e.range);
  const end = outer.end - offset;
  const from = outer.start - offset - e.range;
  // Go's integer division truncates toward zero; then step up to the first aligned time >= from.
  let start = interval * Math.trunc(from / interval);
  if (start < from) start += interval;
  // `x[1w:1ms]` is 600 million steps: charge their times before they are allocated, so such a
  // subquery ends on the byte budget instead of allocating gigabytes in a 128 MB isolate.
  const steps = end >= start ? Math.floor((end - start) / interval) + 1 : 0;
  ctx.limits.addBytes(steps * STEP_TIME_BYTES);
  ctx.limits.check('expression evaluation');
  if (start !== outer.start) setOffsetForAtModifier(start, e.expr, ctx.offsets);
  // With @, the subquery's offset is re-derived from the outer evaluator's start.
  const windowOffset = e.timestamp !== undefined ? e.offset + (outer.start - e.timestamp) : offset;
  return { range: makeRange(start, end, interval), windowOffset };
}

/** The inner result as raw samples (one per present inner step) with per-outer-step windows. */
export function subqueryToMatrix(
  v: VectorValue,
  inner: EvalRange,
  range: number,
  outerTimes: Float64Array,
  windowOffset: number,
): MatrixValue {
  // The inner result's samples were charged when it was evaluated and stay held until the node
  // using this range vector is done, so they are not charged again here.
  const series: RangeSeries[] = [];
  for (const s of v.series) {
    let n = 0;
    for (let i = 0; i < inner.count; i++) n += s.present[i]!;
    if (n === 0) continue;
    const t = new Float64Array(n);
    const vals = new Float64Array(n);
    let w = 0;
    for (let i = 0; i < inner.count; i++) {
      if (s.present[i] !== 1) continue;
      t[w] = inner.times[i]!;
      vals[w] = s.values[i]!;
      w++;
    }
    series.push({ labels: s.labels, t, v: vals, length: n });
  }
  const windowEnd = new Float64Array(outerTimes.length);
  for (let i = 0; i < outerTimes.length; i++) windowEnd[i] = outerTimes[i]! - windowOffset;
  return { type: 'matrix', series, range, windowEnd };
}
