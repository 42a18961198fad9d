/**
 * @module core/promql/functions/rate-wasm — runtime-neutral loader for the WASM rate kernel
 * (wasm/assembly/rate.ts). Takes a compiled `WebAssembly.Module` (workerd: a CompiledWasm import,
 * worker/wasm.ts; Node: sidecar-agent/wasm.ts) and returns a `RateKernel` for `installRateKernel`
 * (rate.ts).
 *
 * Memory above `heapBase()`, one series at a time, as window-wasm.ts lays it out; the kernel's
 * scratch holds the series' counter resets (n i32).
 */
import type { RateKernel } from './rate.ts';
import { align8 } from '../../wasm-memory.ts';
import { seriesWindowsIn, seriesWindowsOut } from './window-wasm.ts';

interface RateExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  rates(
    tPtr: number,
    vPtr: number,
    n: number,
    windowEndPtr: number,
    steps: number,
    range: number,
    rangeSeconds: number,
    isCounter: number,
    isRate: number,
    outPtr: number,
    presentPtr: number,
    resetsPtr: number,
  ): number;
}

/** The module is under 1 KB and imports nothing: instantiated synchronously where it is loaded. */
export function newRateKernel(module: WebAssembly.Module): RateKernel {
  const instance = new WebAssembly.Instance(module, {});
  return new WasmRate(instance.exports as unknown as RateExports);
}

class WasmRate implements RateKernel {
  readonly #x: RateExports;
  readonly #base: number;

  constructor(x: RateExports) {
    this.#x = x;
    this.#base = align8(x.heapBase() >>> 0);
  }

  rates(
    t: Float64Array,
    v: Float64Array,
    windowEnd: Float64Array,
    range: number,
    rangeSeconds: number,
    isCounter: boolean,
    isRate: boolean,
    values: Float64Array,
    present: Uint8Array,
  ): number {
    const mem = this.#x.memory;
    const c = seriesWindowsIn(mem, this.#base, t, v, windowEnd, 4 * t.length);
    const count = this.#x.rates(
      c.tAt,
      c.vAt,
      c.n,
      c.windowEndAt,
      c.steps,
      range,
      rangeSeconds,
      isCounter ? 1 : 0,
      isRate ? 1 : 0,
      c.valuesAt,
      c.presentAt,
      c.scratchAt,
    );
    seriesWindowsOut(mem, c, values, present);
    return count;
  }
}
