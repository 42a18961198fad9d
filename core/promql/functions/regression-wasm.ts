/**
 * @module core/promql/functions/regression-wasm — runtime-neutral loader for the WASM regression
 * kernel (wasm/assembly/regression.ts). Takes a compiled `WebAssembly.Module` (workerd: a
 * CompiledWasm import, worker/wasm.ts; Node: sidecar-agent/wasm.ts) and returns a
 * `RegressionKernel` for `installRegressionKernel` (regression.ts).
 *
 * Memory above `heapBase()`: t[n] f64 | v[n] f64, one series at a time (`load`).
 */
import type { RegressionKernel } from './regression.ts';
import { align8, growTo } from '../../wasm-memory.ts';

interface RegressionExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  intercept(): number;
  regress(tPtr: number, vPtr: number, lo: number, hi: number, interceptTime: number): number;
}

/** The module is ~1 KB and imports nothing: instantiated synchronously where it is loaded. */
export function newRegressionKernel(module: WebAssembly.Module): RegressionKernel {
  const instance = new WebAssembly.Instance(module, {});
  return new WasmRegression(instance.exports as unknown as RegressionExports);
}

class WasmRegression implements RegressionKernel {
  readonly #x: RegressionExports;
  readonly #base: number;
  #vAt = 0;

  constructor(x: RegressionExports) {
    this.#x = x;
    this.#base = align8(x.heapBase() >>> 0);
  }

  load(t: Float64Array, v: Float64Array): void {
    const n = t.length;
    const end = this.#base + 16 * n;
    growTo(this.#x.memory, end);
    const f64 = new Float64Array(this.#x.memory.buffer, this.#base, 2 * n);
    f64.set(t);
    f64.set(v, n);
    this.#vAt = this.#base + 8 * n;
  }

  regress(lo: number, hi: number, interceptTime: number): [slope: number, intercept: number] {
    const slope = this.#x.regress(this.#base, this.#vAt, lo, hi, interceptTime);
    return [slope, this.#x.intercept()];
  }
}
