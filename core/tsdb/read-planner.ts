/**
 * @module core/tsdb/read-planner — turns the byte ranges a query needs from one file into few
 * range reads without reading much that is not needed. Ranges are read together while the bytes
 * skipped between them stay below half the bytes the read carries, or each gap is a few KiB; ranges of
 * unknown length (a series entry, a chunk) are guessed from the median size of those seen before,
 * learned per reader. Object stores bill and wait per request; this keeps requests few and bytes
 * within about 2x (plus the few-KiB gaps).
 */

/**
 * A gap this small is always read through: a request costs an object store far more than a few
 * KiB of transfer. Without it, a narrow time range (a dashboard refresh's new step: the last few
 * chunks of each series, a few KiB apart) read each series' chunks with a request of its own.
 */
export const CHEAP_GAP = 4096;

export interface PlanOptions {
  /** Read-ahead for a range of unknown length. */
  readonly ahead: number;
  /** Expected length of a range of unknown length (the learned median). */
  readonly guess: number;
  /** Never read through a gap larger than this. */
  readonly maxGap: number;
  /** Never make one read larger than this. */
  readonly maxRead: number;
  /** End of the readable region (file or section end). */
  readonly limit: number;
}

export interface PlannedRead<T> {
  readonly items: T[];
  readonly start: number;
  readonly end: number;
}

/**
 * Groups `items` (sorted by start) into reads. `length(item)` is exact when known, undefined
 * when only the start is known.
 */
export function planReads<T>(
  items: readonly T[],
  start: (item: T) => number,
  length: (item: T) => number | undefined,
  opts: PlanOptions,
): PlannedRead<T>[] {
  const reads: PlannedRead<T>[] = [];
  let group: T[] = [];
  let gStart = 0;
  let gEnd = 0;
  let prevEnd = 0;
  let useful = 0;
  let skipped = 0;
  for (const item of items) {
    const s = start(item);
    const known = length(item);
    const e = Math.min(s + (known ?? opts.ahead), opts.limit);
    const need = known ?? opts.guess;
    const gap = s - prevEnd;
    // Skipped bytes may reach half the useful ones: the rest of the 2x budget covers guesses
    // that come out long (read-ahead past a short range's end).
    if (
      group.length > 0 &&
      gap <= opts.maxGap &&
      (gap <= CHEAP_GAP || 2 * (skipped + Math.max(0, gap)) <= useful + need) &&
      Math.max(e, gEnd) - gStart <= opts.maxRead
    ) {
      group.push(item);
      skipped += Math.max(0, gap);
      gEnd = Math.max(gEnd, e);
    } else {
      if (group.length > 0) reads.push({ items: group, start: gStart, end: gEnd });
      group = [item];
      gStart = s;
      gEnd = e;
      skipped = 0;
      useful = 0;
    }
    useful += need;
    prevEnd = Math.max(prevEnd, s + need);
  }
  if (group.length > 0) reads.push({ items: group, start: gStart, end: gEnd });
  return reads;
}

/** Running sample of range sizes (bounded), for the median guess. */
export class SizeSampler {
  /**
   * The last `max` sizes, a ring once full (a sample per chunk read: no shifting on the hot
   * path). A plain array grown as sizes come: a sampler is made per block per read, mostly for
   * one or a few sizes, and a typed array of `max` cost more to make than the reads it planned.
   */
  readonly #sizes: number[] = [];
  readonly #max: number;
  #next = 0;

  constructor(max = 256) {
    this.#max = max;
  }

  get count(): number {
    return this.#sizes.length;
  }

  add(size: number): void {
    if (this.#sizes.length < this.#max) {
      this.#sizes.push(size);
      return;
    }
    this.#sizes[this.#next] = size;
    this.#next = this.#next + 1 === this.#max ? 0 : this.#next + 1;
  }

  median(fallback: number): number {
    const n = this.#sizes.length;
    if (n === 0) return fallback;
    if (n === 1) return this.#sizes[0]!;
    const sorted = this.#sizes.slice().sort((a, b) => a - b);
    return sorted[n >> 1]!;
  }
}

/** Length of the uvarint-prefixed record at `buf[p]` including its prefix, or undefined. */
export function uvarintRecordLength(
  buf: Uint8Array,
  p: number,
  trailer: number,
): number | undefined {
  let value = 0;
  let scale = 1;
  for (let i = p; i < buf.length && i < p + 10; i++) {
    const b = buf[i]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return i - p + 1 + value + trailer;
    scale *= 128;
  }
  return undefined;
}
