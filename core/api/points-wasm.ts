/**
 * @module core/api/points-wasm — runtime-neutral loader for the WASM points writer
 * (wasm/assembly/points.ts). Takes a compiled `WebAssembly.Module` (workerd: a CompiledWasm
 * import, worker/wasm.ts; Node: sidecar-agent/wasm.ts) and returns a `PointsKernel` for
 * `installPointsKernel` (json-bytes.ts).
 *
 * Memory layout above `heapBase()`: t[n] f64 | v[n] f64 | output. A series is copied in once by
 * `load`; `render` calls then write its points a budget of bytes at a time.
 */
import type { PointsKernel } from './json-bytes.ts';
import { align8, growTo } from '../wasm-memory.ts';

interface PointsExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  stopped(): number;
  written(): number;
  render(
    tPtr: number,
    vPtr: number,
    from: number,
    n: number,
    out: number,
    maxBytes: number,
  ): number;
}

/**
 * Room past the byte budget: the point that crosses it is written whole. A point is at most
 * ~360 bytes (Go writes 5e-324 with 326 characters).
 */
const SLACK = 1024;

/** The module is ~1 KB and imports nothing: instantiated synchronously where it is loaded. */
export function newPointsKernel(module: WebAssembly.Module): PointsKernel {
  const instance = new WebAssembly.Instance(module, {});
  return new WasmPoints(instance.exports as unknown as PointsExports);
}

class WasmPoints implements PointsKernel {
  readonly #x: PointsExports;
  readonly #base: number;
  #n = 0;
  #out = 0;
  #outSize = 0;
  /** The columns in the kernel's memory now. */
  #t: Float64Array | undefined;
  #v: Float64Array | undefined;
  stoppedForJs = false;

  constructor(x: PointsExports) {
    this.#x = x;
    this.#base = align8(x.heapBase() >>> 0);
  }

  load(t: Float64Array, v: Float64Array): void {
    // Already in: an answer resuming after its turn reloads only when another series came in
    // meanwhile (a series' columns do not change while its answer is written).
    if (t === this.#t && v === this.#v) return;
    this.#t = t;
    this.#v = v;
    const n = t.length;
    const base = this.#base;
    this.#n = n;
    this.#out = base + 16 * n;
    growTo(this.#x.memory, this.#out + Math.max(this.#outSize, SLACK));
    const f64 = new Float64Array(this.#x.memory.buffer, base, 2 * n);
    f64.set(t);
    f64.set(v, n);
  }

  render(from: number, maxBytes: number): { next: number; bytes: Uint8Array } {
    const size = maxBytes + SLACK;
    if (size > this.#outSize) {
      this.#outSize = size;
      growTo(this.#x.memory, this.#out + size);
    }
    const base = this.#base;
    const next = this.#x.render(base, base + 8 * this.#n, from, this.#n, this.#out, maxBytes);
    this.stoppedForJs = this.#x.stopped() === 2;
    const end = this.#x.written() >>> 0;
    return { next, bytes: new Uint8Array(this.#x.memory.buffer, this.#out, end - this.#out) };
  }
}
