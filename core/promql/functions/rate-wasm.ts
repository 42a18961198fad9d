/**
 * @module core/promql/functions/rate-wasm — runtime-neutral loader for the WASM rate kernel
 * (wasm/assembly/rate.ts). Takes a compiled `WebAssembly.Module` (workerd: a CompiledWasm import,
 * worker/wasm.ts; Node: sidecar-agent/wasm.ts) and returns a `RateKernel` for `installRateKernel`
 * (rate.ts).
 *
 * Memory above `heapBase()`, one series at a time: t[n] f64 | v[n] f64 | windowEnd[steps] f64 |
 * values[steps] f64 | resets[n] i32 | present[steps] u8.
 */
import type { RateKernel } from './rate.ts';
import { align8, growTo } from '../../wasm-memory.ts';

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
    const n = t.length;
    const steps = windowEnd.length;
    const tAt = this.#base;
    const vAt = tAt + 8 * n;
    const endAt = vAt + 8 * n;
    const outAt = endAt + 8 * steps;
    const resetsAt = outAt + 8 * steps;
    const presentAt = resetsAt + 4 * n;
    const mem = this.#x.memory;
    growTo(mem, presentAt + steps);
    const f64 = new Float64Array(mem.buffer, tAt, 2 * n + steps);
    f64.set(t);
    f64.set(v, n);
    f64.set(windowEnd, 2 * n);
    const count = this.#x.rates(
      tAt,
      vAt,
      n,
      endAt,
      steps,
      range,
      rangeSeconds,
      isCounter ? 1 : 0,
      isRate ? 1 : 0,
      outAt,
      presentAt,
      resetsAt,
    );
    values.set(new Float64Array(mem.buffer, outAt, steps));
    present.set(new Uint8Array(mem.buffer, presentAt, steps));
    return count;
  }
}
