/**
 * @module core/promql/column-arena — per-series columns (step values, presence, timestamps)
 * carved out of shared buffers. A typed array of a few KiB costs V8 several microseconds to
 * allocate (a backing store of its own, tracked for the GC): for a series of a few hundred steps
 * that is five times what selecting its steps costs. A view on a shared buffer costs a fraction.
 *
 * Columns of one arena share buffers, so a live one keeps its whole buffer alive: an arena serves
 * one group of columns that live and die together (one batch, one node's output). An owner that
 * knows when they are all dead (the series reader, told the engine is done with a batch) resets
 * the arena and its next columns reuse the same memory.
 */

/** Bytes of a buffer when the caller's estimate is larger (bounds what a last column can pin). */
const MAX_BLOCK = 64 << 10;
/** Bytes of a buffer when the caller's estimate is smaller. */
const MIN_BLOCK = 4 << 10;

export class ColumnArena {
  readonly #block: number;
  /** The block-sized buffers taken so far, in order: `reset` hands them out again. */
  readonly #blocks: ArrayBuffer[] = [];
  /** Index in #blocks of the buffer columns are taken from now. */
  #current = -1;
  #buf: ArrayBuffer | undefined;
  #at = 0;
  /** Whether #buf held columns before a reset: a column from it is zeroed when handed out. */
  #reused = false;
  readonly #maxBlock: number;

  /**
   * `expectedBytes`: about what the columns will take in all (see `columnBytes`). `maxBlock`: the
   * largest buffer (default MAX_BLOCK); an owner that resets and reuses the arena can afford
   * blocks as large as its columns, so that long columns are carved too instead of each getting
   * a fresh buffer.
   */
  constructor(expectedBytes: number, maxBlock = MAX_BLOCK) {
    this.#maxBlock = maxBlock;
    this.#block = Math.min(maxBlock, Math.max(MIN_BLOCK, expectedBytes));
  }

  /** Whether columns of `expectedBytes` in all fit this arena's blocks as a new arena's would. */
  suits(expectedBytes: number): boolean {
    return this.#block >= Math.min(this.#maxBlock, expectedBytes);
  }

  /** A zeroed Float64Array of `n`. */
  f64(n: number): Float64Array {
    const a = new Float64Array(this.#take(n * 8), this.#at - n * 8, n);
    if (this.#reused) a.fill(0);
    return a;
  }

  /** A copy of `src` (not zeroed first: every element is written). */
  copyF64(src: Float64Array): Float64Array {
    const n = src.length;
    const a = new Float64Array(this.#take(n * 8), this.#at - n * 8, n);
    a.set(src);
    return a;
  }

  /** A zeroed Uint8Array of `n`. */
  u8(n: number): Uint8Array {
    const bytes = (n + 7) & ~7;
    const a = new Uint8Array(this.#take(bytes), this.#at - bytes, n);
    if (this.#reused) a.fill(0);
    return a;
  }

  /**
   * Takes every column back: the next ones reuse the buffers already taken instead of fresh
   * memory (zeroed where a column asks for zeros). Only for an owner that knows no column it
   * handed out is used any more.
   */
  reset(): void {
    this.#current = -1;
    this.#buf = undefined;
    this.#at = 0;
  }

  /** The buffer `bytes` (a multiple of 8) are taken from, with #at past them. */
  #take(bytes: number): ArrayBuffer {
    let buf = this.#buf;
    if (buf === undefined || this.#at + bytes > buf.byteLength) {
      if (bytes > this.#block) {
        // A column larger than a block gets a buffer of its own, never reused (a rare size kept
        // would pin its memory); the next column starts the next block.
        buf = new ArrayBuffer(bytes);
        this.#reused = false;
      } else {
        buf = this.#blocks[++this.#current];
        this.#reused = buf !== undefined;
        if (buf === undefined) {
          buf = new ArrayBuffer(this.#block);
          this.#blocks.push(buf);
        }
      }
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
