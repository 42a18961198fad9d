/**
 * @module core/compact/block-series — every series of one input block, in label order (the order
 * of the index's series section, which the all-postings list follows), with its chunks' bytes.
 * Read a batch at a time (postings → series entries → one coalesced chunk read), the next
 * batches fetched while the current one is merged, so memory is a few batches per input, whatever the
 * block's size. A read failure ends the cursor and is kept in `error` (the merge cannot reject).
 */
import type { Labels } from '../labels/labels.ts';
import type { SortedCursor } from '../storeapi/merge.ts';
import type { Block, BlockChunk } from '../tsdb/block-reader.ts';
import type { Intervals } from '../tsdb/tombstones.ts';

/** Series entries (and their chunks) read per batch. */
export const DEFAULT_SERIES_BATCH = 256;
/** Batches read ahead of the one being merged. */
export const PREFETCH_BATCHES = 2;

export interface InputSeries {
  readonly labels: Labels;
  /** The series' chunks in this block, in time order. */
  readonly chunks: readonly BlockChunk[];
  /** Deleted intervals (tombstones), if any. */
  readonly deleted: Intervals | undefined;
}

export class BlockSeriesCursor implements SortedCursor<InputSeries> {
  readonly block: Block;
  /** Index of the input (its position among the compaction's inputs). */
  readonly input: number;
  head: InputSeries | undefined;
  /** Why the cursor ended early, if it did. */
  error: unknown;
  readonly #batch: number;
  #refs: Uint32Array | undefined;
  #next = 0;
  #buf: InputSeries[] = [];
  #pos = 0;
  /** Batches being read ahead, in order. */
  #ahead: Promise<InputSeries[]>[] = [];

  constructor(block: Block, input: number, batch = DEFAULT_SERIES_BATCH) {
    this.block = block;
    this.input = input;
    this.#batch = batch;
  }

  async advance(): Promise<void> {
    try {
      if (this.#pos >= this.#buf.length) {
        this.#refs ??= await this.block.index.allPostings();
        const next = this.#ahead.shift() ?? this.#load();
        // Reads of the following batches overlap the merge of this one (object-store latency).
        while (this.#ahead.length < PREFETCH_BATCHES && this.#next < this.#refs.length) {
          const p = this.#load();
          // Reported when awaited; an early end leaves it unobserved.
          p.catch(() => {});
          this.#ahead.push(p);
        }
        this.#buf = await next;
        this.#pos = 0;
      }
      this.head = this.#buf[this.#pos++];
    } catch (err) {
      this.error = err;
      this.head = undefined;
      this.#buf = [];
      this.#ahead = [];
    }
  }

  async #load(): Promise<InputSeries[]> {
    const refs = this.#refs!;
    if (this.#next >= refs.length) return [];
    const slice = refs.subarray(this.#next, (this.#next += this.#batch));
    const entries = await this.block.index.seriesBatch(slice);
    const chunkRefs: number[] = [];
    for (const e of entries) for (const c of e.chunks) chunkRefs.push(c.ref);
    const raw = await this.block.chunks.chunks(chunkRefs, undefined, contiguousLengths(chunkRefs));
    let k = 0;
    return entries.map((e) => ({
      labels: e.labels,
      chunks: e.chunks.map((c) => {
        const r = raw[k++]!;
        return { mint: c.mint, maxt: c.maxt, ref: c.ref, encoding: r.encoding, data: r.data };
      }),
      deleted: this.block.tombstones.get(e.ref),
    }));
  }
}

const TWO_32 = 2 ** 32;

/**
 * A batch reads every chunk of its series, which lie back to back in the segment: each chunk's
 * size is the distance to the next one, so the reader plans one read per segment run instead of
 * guessing sizes (a guess too short costs a second request per chunk). 0 = unknown (the last).
 */
export function contiguousLengths(refs: readonly number[]): Float64Array {
  const order = refs.map((_, i) => i).sort((a, b) => refs[a]! - refs[b]!);
  const out = new Float64Array(refs.length);
  for (let k = 0; k + 1 < order.length; k++) {
    const a = refs[order[k]!]!;
    const b = refs[order[k + 1]!]!;
    if (Math.floor(a / TWO_32) === Math.floor(b / TWO_32) && b > a) out[order[k]!] = b - a;
  }
  return out;
}
