/**
 * @module core/promql/column-arena — per-series columns (step values, presence, timestamps)
 * carved out of shared buffers. A typed array of a few KiB costs V8 several microseconds to
 * allocate (a backing store of its own, tracked for the GC): for a series of a few hundred steps
 * that is five times what selecting its steps costs. A view on a shared buffer costs a fraction.
 *
 * Columns of one arena share buffers, so a live one keeps its whole buffer alive: an arena serves
 * one group of columns that live and die together (one batch, one node's output).
 */

/** Bytes of a buffer when the caller's estimate is larger (bounds what a last column can pin). */
const MAX_BLOCK = 64 << 10;
/** Bytes of a buffer when the caller's estimate is smaller. */
const MIN_BLOCK = 4 << 10;

export class ColumnArena {
  readonly #block: number;
  #buf: ArrayBuffer | undefined;
  #at = 0;

  /** `expectedBytes`: about what the columns will take in all (see `columnBytes`). */
  constructor(expectedBytes: number) {
    this.#block = Math.min(MAX_BLOCK, Math.max(MIN_BLOCK, expectedBytes));
  }

  /** A zeroed Float64Array of `n`. */
  f64(n: number): Float64Array {
    return new Float64Array(this.#take(n * 8), this.#at - n * 8, n);
  }

  /** A copy of `src`. */
  copyF64(src: Float64Array): Float64Array {
    const a = this.f64(src.length);
    a.set(src);
    return a;
  }

  /** A zeroed Uint8Array of `n`. */
  u8(n: number): Uint8Array {
    const bytes = (n + 7) & ~7;
    return new Uint8Array(this.#take(bytes), this.#at - bytes, n);
  }

  /** The buffer `bytes` (a multiple of 8) are taken from, with #at past them. */
  #take(bytes: number): ArrayBuffer {
    let buf = this.#buf;
    if (buf === undefined || this.#at + bytes > buf.byteLength) {
      buf = new ArrayBuffer(Math.max(this.#block, bytes));
      this.#buf = buf;
      this.#at = 0;
    }
    this.#at += bytes;
    return buf;
  }
}

/** Bytes of `series` series' value and presence columns of `steps` steps (an arena's estimate). */
export function columnBytes(series: number, steps: number): number {
  return series * (steps * 8 + ((steps + 7) & ~7));
}
