/**
 * @module core/tsdb/crc32c-wasm — runtime-neutral loader for the WASM CRC-32C kernel
 * (wasm/assembly/crc32c.ts). Takes a compiled `WebAssembly.Module` (workerd: a CompiledWasm
 * import, worker/wasm.ts; Node: sidecar-agent/wasm.ts) and returns a `Crc32cKernel` for
 * `installCrc32cKernel` (core/tsdb/crc32c.ts).
 *
 * Each call copies its input into the kernel's linear memory above `heapBase()` (the copy is the
 * price of WASM; crc32c.ts only calls the kernel above the size where it still wins). Input
 * longer than one window is checksummed a window at a time, so memory stays at one window
 * however large the input.
 */
import type { Crc32cKernel } from './crc32c.ts';
import { align8, growTo } from '../wasm-memory.ts';

interface Crc32cExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  crc(ptr: number, len: number, init: number): number;
  crcRanges(desc: number, n: number): void;
}

/** Bytes copied and checksummed per kernel call for long input (bounds memory). */
const WINDOW = 1 << 20;

/** Instantiates the CRC-32C kernel module and wraps it. */
export async function instantiateCrc32cKernel(module: WebAssembly.Module): Promise<Crc32cKernel> {
  const instance = await WebAssembly.instantiate(module, {});
  return new WasmCrc32c(instance.exports as unknown as Crc32cExports);
}

/**
 * Synchronous form, for a module that is already compiled (workerd's CompiledWasm import may be
 * instantiated at startup, before any request; the module is ~1 KB and imports nothing).
 */
export function newCrc32cKernel(module: WebAssembly.Module): Crc32cKernel {
  const instance = new WebAssembly.Instance(module, {});
  return new WasmCrc32c(instance.exports as unknown as Crc32cExports);
}

class WasmCrc32c implements Crc32cKernel {
  readonly #x: Crc32cExports;
  readonly #base: number;
  #u8: Uint8Array;
  #u32: Uint32Array;

  constructor(x: Crc32cExports) {
    this.#x = x;
    this.#base = align8(x.heapBase() >>> 0);
    this.#u8 = new Uint8Array(x.memory.buffer);
    this.#u32 = new Uint32Array(x.memory.buffer);
  }

  #ensure(end: number): void {
    const mem = this.#x.memory;
    growTo(mem, end);
    if (this.#u8.buffer !== mem.buffer || this.#u8.byteLength !== mem.buffer.byteLength) {
      this.#u8 = new Uint8Array(mem.buffer);
      this.#u32 = new Uint32Array(mem.buffer);
    }
  }

  crc32c(bytes: Uint8Array, init: number, start: number, end: number): number {
    const base = this.#base;
    this.#ensure(base + Math.min(WINDOW, end - start));
    let crc = init >>> 0;
    for (let p = start; p < end; p += WINDOW) {
      const q = Math.min(end, p + WINDOW);
      this.#u8.set(bytes.subarray(p, q), base);
      crc = this.#x.crc(base, q - p, crc) >>> 0;
    }
    return crc;
  }

  crc32cRanges(
    bytes: Uint8Array,
    starts: ArrayLike<number>,
    ends: ArrayLike<number>,
    out: Uint32Array,
  ): void {
    const n = starts.length;
    for (let i = 0; i < n; i++) {
      const s = starts[i]!;
      const e = ends[i]!;
      // Checked here: the kernel does not bounds-check.
      if (!(s >= 0 && e <= bytes.length)) throw new RangeError('crc32cRanges: range outside input');
      if (e < s) throw new RangeError('crc32cRanges: range end before start');
    }
    // Ranges go in as groups spanning at most one window (one copy and one call per group), so
    // memory stays at one window; a range longer than that is checksummed a window at a time.
    let first = 0;
    while (first < n) {
      let lo = starts[first]!;
      let hi = ends[first]!;
      if (hi - lo > WINDOW) {
        out[first] = this.crc32c(bytes, 0, lo, hi);
        first++;
        continue;
      }
      let last = first + 1;
      for (; last < n; last++) {
        const l = Math.min(lo, starts[last]!);
        const h = Math.max(hi, ends[last]!);
        if (h - l > WINDOW) break;
        lo = l;
        hi = h;
      }
      this.#group(bytes, starts, ends, out, first, last, lo, hi);
      first = last;
    }
  }

  /** Ranges [first, last) lying within bytes[lo, hi): one copy, one kernel call. */
  #group(
    bytes: Uint8Array,
    starts: ArrayLike<number>,
    ends: ArrayLike<number>,
    out: Uint32Array,
    first: number,
    last: number,
    lo: number,
    hi: number,
  ): void {
    const n = last - first;
    const desc = this.#base;
    const data = align8(desc + n * 8);
    this.#ensure(data + (hi - lo));
    this.#u8.set(bytes.subarray(lo, hi), data);
    const u32 = this.#u32;
    for (let i = first, d = desc >>> 2; i < last; i++, d += 2) {
      u32[d] = data + starts[i]! - lo;
      u32[d + 1] = ends[i]! - starts[i]!;
    }
    this.#x.crcRanges(desc, n);
    for (let i = first, d = (desc >>> 2) + 1; i < last; i++, d += 2) out[i] = u32[d]!;
  }
}
