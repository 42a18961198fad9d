/**
 * @module core/promql/functions/over-time-wasm — runtime-neutral loader for the WASM over-time
 * kernel (wasm/assembly/over-time.ts). Takes a compiled `WebAssembly.Module` (workerd: a
 * CompiledWasm import, worker/wasm.ts; Node: sidecar-agent/wasm.ts) and returns an
 * `OverTimeKernel` for `installOverTimeKernel` (over-time.ts).
 *
 * Memory above `heapBase()`, one series at a time: t[n] f64 | v[n] f64 | windowEnd[steps] f64 |
 * values[steps] f64 | present[steps] u8.
 */
import type { OverTimeFunction, OverTimeKernel } from './over-time.ts';
import { align8, growTo } from '../../wasm-memory.ts';

interface OverTimeExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  overTime(
    kind: number,
    tPtr: number,
    vPtr: number,
    n: number,
    windowEndPtr: number,
    steps: number,
    range: number,
    outPtr: number,
    presentPtr: number,
  ): number;
}

/** The module's function numbers (wasm/assembly/over-time.ts). */
const KINDS: Record<OverTimeFunction, number> = { avg: 0, sum: 1, stdvar: 2, stddev: 3 };

/** The module is under 1 KB and imports nothing: instantiated synchronously where it is loaded. */
export function newOverTimeKernel(module: WebAssembly.Module): OverTimeKernel {
  const instance = new WebAssembly.Instance(module, {});
  return new WasmOverTime(instance.exports as unknown as OverTimeExports);
}

class WasmOverTime implements OverTimeKernel {
  readonly #x: OverTimeExports;
  readonly #base: number;

  constructor(x: OverTimeExports) {
    this.#x = x;
    this.#base = align8(x.heapBase() >>> 0);
  }

  overTime(
    fn: OverTimeFunction,
    t: Float64Array,
    v: Float64Array,
    windowEnd: Float64Array,
    range: number,
    values: Float64Array,
    present: Uint8Array,
  ): number {
    const n = t.length;
    const steps = windowEnd.length;
    const tAt = this.#base;
    const vAt = tAt + 8 * n;
    const endAt = vAt + 8 * n;
    const outAt = endAt + 8 * steps;
    const presentAt = outAt + 8 * steps;
    const mem = this.#x.memory;
    growTo(mem, presentAt + steps);
    const f64 = new Float64Array(mem.buffer, tAt, 2 * n + steps);
    f64.set(t);
    f64.set(v, n);
    f64.set(windowEnd, 2 * n);
    const count = this.#x.overTime(KINDS[fn], tAt, vAt, n, endAt, steps, range, outAt, presentAt);
    values.set(new Float64Array(mem.buffer, outAt, steps));
    present.set(new Uint8Array(mem.buffer, presentAt, steps));
    return count;
  }
}
