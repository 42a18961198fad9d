/**
 * @module core/promql/functions/kahan — Prometheus's Kahan–Neumaier compensated summation
 * (`kahanSumInc`), with the running sum and compensation kept in a two-slot scratch array so the
 * hot loops allocate nothing.
 */

/** acc[0] = sum, acc[1] = compensation; adds `inc` exactly as Go's kahanSumInc(inc, sum, c). */
export function kahanAdd(acc: Float64Array, inc: number): void {
  const sum = acc[0]!;
  const t = sum + inc;
  // Neumaier: the compensation takes the rounding error of whichever operand is smaller.
  if (Math.abs(sum) >= Math.abs(inc)) acc[1] += sum - t + inc;
  else acc[1] += inc - t + sum;
  acc[0] = t;
}
