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

/** Series entries (and their chunks) read per batch when the block's sizes are unknown. */
export const DEFAULT_SERIES_BATCH = 256;
/** Batches read ahead of the one being merged. */
export const PREFETCH_BATCHES = 2;
/**
 * Bytes (chunks and series entries) all inputs of one compaction hold in batches, read ahead
 * included, when reading from a bucket. Each batch costs two requests (series entries, then
 * chunks) whatever its size, and an object store's latency is paid per request: 256-series
 * batches of a 2h block made ~300 requests per compaction and left the compactor waiting;
 * batches of ~2 MiB make a few dozen.
 */
export const READ_BUDGET_BYTES = 24 << 20;
/**
 * The same for inputs on a local disk, where a read costs microseconds: small batches. They
 * also die young: batches held long enough to be promoted to V8's old space are freed only by a
 * full GC, and their buffers (external memory) may pile up by tens of MB before one runs.
 */
export const LOCAL_READ_BUDGET_BYTES = 1 << 20;
const MIN_BATCH = 64;
const MAX_BATCH = 1 << 16;

/**
 * Series per batch for `block` so that `inputs` blocks, each holding `PREFETCH_BATCHES + 1`
 * batches, stay within `budget` bytes: the block's bytes per series from meta.json (chunk
 * segments and index sizes in `thanos.files`, series count in `stats`).
 */
export function seriesBatchFor(block: Block, inputs: number, budget = READ_BUDGET_BYTES): number {
  const series = block.meta.stats.numSeries ?? 0;
  let bytes = 0;
  for (const f of block.meta.thanos?.files ?? []) bytes += f.size_bytes ?? 0;
  if (series <= 0 || bytes <= 0) return DEFAULT_SERIES_BATCH;
  const perBatch = budget / (Math.max(1, inputs) * (PREFETCH_BATCHES + 1));
  const n = Math.floor(perBatch / (bytes / series));
  return Math.min(MAX_BATCH, Math.max(MIN_BATCH, n));
}

/** A chunk as read for compaction: with its checksum, verified on read, to copy it verbatim. */
export interface InputChunk extends BlockChunk {
  readonly crc: number;
}

export interface InputSeries {
  readonly labels: Labels;
  /** The series' chunks in this block, in time order. */
  readonly chunks: readonly InputChunk[];
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

  readonly #recycle: boolean;

  /**
   * With `recycle`, the caller promises to keep nothing of a series' chunk bytes once it
   * advances past it (compaction copies them into the new block): a batch's read buffers then go
   * back to their source for the next reads instead of being left to the GC.
   */
  constructor(block: Block, input: number, batch = DEFAULT_SERIES_BATCH, recycle = false) {
    this.block = block;
    this.input = input;
    this.#batch = batch;
    this.#recycle = recycle;
  }

  async advance(): Promise<void> {
    try {
      if (this.#pos >= this.#buf.length) {
        if (this.#recycle) this.#recycleBatch(this.#buf);
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

  #recycleBatch(batch: readonly InputSeries[]): void {
    const chunks: InputChunk[] = [];
    for (const s of batch) for (const c of s.chunks) chunks.push(c);
    this.block.chunks.recycle(chunks);
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
        return {
          mint: c.mint,
          maxt: c.maxt,
          ref: c.ref,
          encoding: r.encoding,
          data: r.data,
          crc: r.crc,
        };
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
  const out = new Float64Array(refs.length);
  let ascending = true;
  for (let k = 1; k < refs.length && ascending; k++) ascending = refs[k]! > refs[k - 1]!;
  if (ascending) {
    // Chunks written series by series (every writer does): no sort needed.
    for (let k = 0; k + 1 < refs.length; k++) {
      const a = refs[k]!;
      const b = refs[k + 1]!;
      if (Math.floor(a / TWO_32) === Math.floor(b / TWO_32)) out[k] = b - a;
    }
    return out;
  }
  const order = refs.map((_, i) => i).sort((a, b) => refs[a]! - refs[b]!);
  for (let k = 0; k + 1 < order.length; k++) {
    const a = refs[order[k]!]!;
    const b = refs[order[k + 1]!]!;
    if (Math.floor(a / TWO_32) === Math.floor(b / TWO_32) && b > a) out[order[k]!] = b - a;
  }
  return out;
}
