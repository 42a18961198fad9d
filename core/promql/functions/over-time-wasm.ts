/**
 * @module core/promql/functions/over-time-wasm — runtime-neutral loader for the WASM over-time
 * kernel (wasm/assembly/over-time.ts). Takes a compiled `WebAssembly.Module` (workerd: a
 * CompiledWasm import, worker/wasm.ts; Node: sidecar-agent/wasm.ts) and returns an
 * `OverTimeKernel` for `installOverTimeKernel` (over-time.ts).
 *
 * Memory above `heapBase()`, one series at a time, as window-wasm.ts lays it out.
 */
import type { OverTimeFunction, OverTimeKernel } from './over-time.ts';
import { align8 } from '../../wasm-memory.ts';
import { seriesWindowsIn, seriesWindowsOut } from './window-wasm.ts';

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
    const mem = this.#x.memory;
    const c = seriesWindowsIn(mem, this.#base, t, v, windowEnd);
    const count = this.#x.overTime(
      KINDS[fn],
      c.tAt,
      c.vAt,
      c.n,
      c.windowEndAt,
      c.steps,
      range,
      c.valuesAt,
      c.presentAt,
    );
    seriesWindowsOut(mem, c, values, present);
    return count;
  }
}
