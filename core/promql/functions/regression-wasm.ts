/**
 * @module core/promql/functions/regression-wasm — runtime-neutral loader for the WASM regression
 * kernel (wasm/assembly/regression.ts). Takes a compiled `WebAssembly.Module` (workerd: a
 * CompiledWasm import, worker/wasm.ts; Node: sidecar-agent/wasm.ts) and returns a
 * `RegressionKernel` for `installRegressionKernel` (regression.ts).
 *
 * Memory above `heapBase()`: t[n] f64 | v[n] f64 (one series at a time, `load`), then for
 * `regressWindows`: from[steps] i32 | to[steps] i32 | at[steps] f64 | slope[steps] f64 |
 * intercept[steps] f64.
 */
import type { RegressionKernel } from './regression.ts';
import { align8, growTo } from '../../wasm-memory.ts';

interface RegressionExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  intercept(): number;
  regress(tPtr: number, vPtr: number, lo: number, hi: number, interceptTime: number): number;
  regressWindows(
    tPtr: number,
    vPtr: number,
    fromPtr: number,
    toPtr: number,
    steps: number,
    atPtr: number,
    slopePtr: number,
    interceptPtr: number,
  ): void;
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
  #end = 0;

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
    this.#end = end;
  }

  regressWindows(
    from: Int32Array,
    to: Int32Array,
    at: Float64Array | undefined,
    slope: Float64Array,
    intercept: Float64Array,
  ): void {
    const steps = from.length;
    const fromAt = this.#end;
    const toAt = fromAt + 4 * steps;
    const atAt = align8(toAt + 4 * steps);
    const slopeAt = atAt + 8 * steps;
    const interceptAt = slopeAt + 8 * steps;
    const mem = this.#x.memory;
    growTo(mem, interceptAt + 8 * steps);
    new Int32Array(mem.buffer, fromAt, steps).set(from);
    new Int32Array(mem.buffer, toAt, steps).set(to);
    if (at !== undefined) new Float64Array(mem.buffer, atAt, steps).set(at);
    const x = this.#x;
    x.regressWindows(
      this.#base,
      this.#vAt,
      fromAt,
      toAt,
      steps,
      at === undefined ? 0 : atAt,
      slopeAt,
      interceptAt,
    );
    slope.set(new Float64Array(mem.buffer, slopeAt, steps));
    intercept.set(new Float64Array(mem.buffer, interceptAt, steps));
  }

  regress(lo: number, hi: number, interceptTime: number): [slope: number, intercept: number] {
    const slope = this.#x.regress(this.#base, this.#vAt, lo, hi, interceptTime);
    return [slope, this.#x.intercept()];
  }
}
