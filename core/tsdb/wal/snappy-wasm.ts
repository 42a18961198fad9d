/**
 * @module core/tsdb/wal/snappy-wasm — runtime-neutral loader for the WASM snappy decoder
 * (wasm/assembly/snappy.ts). Takes a compiled `WebAssembly.Module` (workerd: a CompiledWasm
 * import, worker/wasm.ts; Node: sidecar-agent/wasm.ts) and returns a `SnappyKernel` for
 * `installSnappyKernel` (core/tsdb/wal/snappy.ts).
 *
 * A block is copied into linear memory above `heapBase()`, decoded beside it, and copied out into
 * the caller's buffer: two native copies, against the JS decoder's byte loops (which workerd runs
 * several times slower than Node does).
 */
import { align8, growTo } from '../../wasm-memory.ts';
import { SnappyError, type SnappyKernel } from './snappy.ts';

interface SnappyExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  decode(src: number, srcLen: number, dst: number, dstLen: number): number;
}

/** The kernel's statuses (wasm/assembly/snappy.ts), as the JS decoder words them. */
const MESSAGES: Record<number, string> = {
  [-1]: 'truncated literal length',
  [-2]: 'literal out of range',
  [-3]: 'truncated copy',
  [-4]: 'copy out of range',
};

/** The module is under 1 KB and imports nothing: instantiated synchronously where it is loaded. */
export function newSnappyKernel(module: WebAssembly.Module): SnappyKernel {
  const instance = new WebAssembly.Instance(module, {});
  return new WasmSnappy(instance.exports as unknown as SnappyExports);
}

class WasmSnappy implements SnappyKernel {
  readonly #x: SnappyExports;
  readonly #base: number;
  #u8: Uint8Array;

  constructor(x: SnappyExports) {
    this.#x = x;
    this.#base = align8(x.heapBase() >>> 0);
    this.#u8 = new Uint8Array(x.memory.buffer);
  }

  decodeInto(src: Uint8Array, from: number, out: Uint8Array): void {
    const srcLen = src.length - from;
    const dstPtr = align8(this.#base + srcLen);
    const mem = this.#x.memory;
    growTo(mem, dstPtr + out.length);
    if (this.#u8.buffer !== mem.buffer) this.#u8 = new Uint8Array(mem.buffer);
    this.#u8.set(src.subarray(from), this.#base);
    const status = this.#x.decode(this.#base, srcLen, dstPtr, out.length);
    if (status < 0) {
      throw new SnappyError(
        MESSAGES[status] ?? `decoded length differs from the declared ${out.length} bytes`,
      );
    }
    out.set(this.#u8.subarray(dstPtr, dstPtr + out.length));
  }
}
