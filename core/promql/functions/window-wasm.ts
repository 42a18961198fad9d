/**
 * @module core/promql/functions/window-wasm — the memory of a whole-series window kernel call
 * (rate-wasm.ts, over-time-wasm.ts): above the kernel's heap base, t[n] f64 | v[n] f64 |
 * windowEnd[steps] f64 | values[steps] f64 | scratch | present[steps] u8. The series is copied in
 * before the call; values and presence are copied out after it.
 */
import { growTo } from '../../wasm-memory.ts';

export interface SeriesWindowsCall {
  readonly tAt: number;
  readonly vAt: number;
  readonly n: number;
  readonly windowEndAt: number;
  readonly steps: number;
  readonly valuesAt: number;
  /** `scratchBytes` of room for the kernel (8-byte aligned). */
  readonly scratchAt: number;
  readonly presentAt: number;
}

/** Lays out and copies in a call's inputs at `base` (8-byte aligned). */
export function seriesWindowsIn(
  memory: WebAssembly.Memory,
  base: number,
  t: Float64Array,
  v: Float64Array,
  windowEnd: Float64Array,
  scratchBytes = 0,
): SeriesWindowsCall {
  const n = t.length;
  const steps = windowEnd.length;
  const vAt = base + 8 * n;
  const windowEndAt = vAt + 8 * n;
  const valuesAt = windowEndAt + 8 * steps;
  const scratchAt = valuesAt + 8 * steps;
  const presentAt = scratchAt + scratchBytes;
  growTo(memory, presentAt + steps);
  const f64 = new Float64Array(memory.buffer, base, 2 * n + steps);
  f64.set(t);
  f64.set(v, n);
  f64.set(windowEnd, 2 * n);
  return { tAt: base, vAt, n, windowEndAt, steps, valuesAt, scratchAt, presentAt };
}

/** Copies out a call's values and presence bytes. */
export function seriesWindowsOut(
  memory: WebAssembly.Memory,
  call: SeriesWindowsCall,
  values: Float64Array,
  present: Uint8Array,
): void {
  values.set(new Float64Array(memory.buffer, call.valuesAt, call.steps));
  present.set(new Uint8Array(memory.buffer, call.presentAt, call.steps));
}
