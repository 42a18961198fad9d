/**
 * @module core/promql/quantile — Prometheus's φ-quantile of a set of values, shared by the
 * `quantile` aggregation and `quantile_over_time`.
 */
import { goRanksFloat64NaNFirst } from '../gocompat/sort.ts';

/**
 * Prometheus's quantile of values[0:n] (quantile and quantile_over_time): weighted between the two
 * nearest ranks of the values in Go's sort order with vectorByValueHeap's Less (NaN first);
 * φ outside [0, 1] gives ∓Inf. Reorders values[0:n].
 */
export function quantileOf(q: number, values: Float64Array, n: number): number {
  if (n === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const rank = q * (n - 1);
  const lowerIndex = Math.max(0, Math.floor(rank));
  const upperIndex = Math.min(n - 1, lowerIndex + 1);
  const weight = rank - Math.floor(rank);
  goRanksFloat64NaNFirst(values, n, lowerIndex, upperIndex);
  return values[lowerIndex]! * (1 - weight) + values[upperIndex]! * weight;
}
