/**
 * @module core/tsdb/writer/head — builds one block from samples appended in any series order,
 * with the semantics of the Prometheus 2.42 head behind `tsdb.BlockWriter` (what promtool's
 * backfill appends to):
 *
 * - `append` checks a sample against the series' state as of the last `commit`: older than the
 *   committed newest sample → "out of order sample"; same timestamp, other value bits →
 *   "duplicate sample for timestamp" (both BadDataError, they abort a backfill).
 * - Samples that pass but are not newer than the series' live newest sample (out of order or
 *   duplicated within one batch) are dropped silently, as the head's Commit does.
 * - Chunks are cut as the head cuts them (chunk-cutter.ts) and encoded as samples arrive, so the
 *   builder holds compressed chunks (~1-2 bytes per sample), never raw samples.
 * - Label sets lose empty values; duplicate label names are rejected.
 */
import { BadDataError } from '../../errors.ts';
import { compareLabels, compareStrings, type Label, type Labels } from '../../labels/labels.ts';
import { ENCODING_XOR, XorAppender } from '../../chunkenc/xor.ts';
import type { BlockMeta } from '../meta.ts';
import { BlockAssembler, type BlockWriteOptions, type SinkFactory } from './block-writer.ts';
import { ChunkCutter } from './chunk-cutter.ts';
import type { ChunkMeta } from './chunk-writer.ts';

const scratchF = new Float64Array(1);
const scratchW = new Uint32Array(scratchF.buffer);
const LITTLE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const HI = LITTLE ? 1 : 0;
const LO = 1 - HI;

class HeadSeries {
  readonly labels: Labels;
  readonly cutter: ChunkCutter;
  readonly chunks: ChunkMeta[] = [];
  app: XorAppender | undefined;
  chunkMin = 0;
  // Live state (after every applied sample).
  has = false;
  maxT = 0;
  hi = 0;
  lo = 0;
  // State as of the last commit (what Append checks against).
  batch = -1;
  cHas = false;
  cMaxT = 0;
  cHi = 0;
  cLo = 0;

  constructor(labels: Labels, chunkRange: number) {
    this.labels = labels;
    this.cutter = new ChunkCutter(chunkRange);
  }

  closeChunk(): void {
    if (!this.app) return;
    this.chunks.push({
      minTime: this.chunkMin,
      maxTime: this.maxT,
      data: this.app.bytes(),
      encoding: ENCODING_XOR,
      numSamples: this.app.numSamples,
      ref: 0,
    });
    this.app = undefined;
  }
}

export interface HeadBlockBuilderOptions {
  /** Chunk range in ms (promtool backfill uses twice the block duration). */
  chunkRange: number;
}

export class HeadBlockBuilder {
  readonly #chunkRange: number;
  readonly #series: HeadSeries[] = [];
  readonly #byLabels = new Map<string, number>();
  #batch = 0;
  #minTime = Infinity;
  #maxTime = -Infinity;
  #appended = 0;
  #dropped = 0;

  constructor(opts: HeadBlockBuilderOptions) {
    this.#chunkRange = opts.chunkRange;
  }

  get numSeries(): number {
    return this.#series.length;
  }
  /** Samples that went into chunks. */
  get numSamples(): number {
    return this.#appended;
  }
  /** Samples dropped at commit as out of order or duplicate within a batch. */
  get numDropped(): number {
    return this.#dropped;
  }
  /** Earliest / latest sample in chunks (±Infinity when empty). */
  get minTime(): number {
    return this.#minTime;
  }
  get maxTime(): number {
    return this.#maxTime;
  }

  /**
   * The series ref for a label set (created on first use). The set may be unsorted and hold
   * empty values; duplicate names are an error ("label name ... is not unique: invalid sample").
   */
  seriesRef(input: readonly Label[]): number {
    const ls = input.filter((l) => l.value !== '').sort((a, b) => compareStrings(a.name, b.name));
    if (ls.length === 0) throw new BadDataError('invalid sample: empty labelset');
    for (let i = 1; i < ls.length; i++) {
      if (ls[i]!.name === ls[i - 1]!.name) {
        throw new BadDataError(`label name "${ls[i]!.name}" is not unique: invalid sample`);
      }
    }
    let key = '';
    for (const l of ls) key += `${l.name}\u0000${l.value}\u0000`;
    let ref = this.#byLabels.get(key);
    if (ref === undefined) {
      ref = this.#series.length;
      this.#series.push(new HeadSeries(ls, this.#chunkRange));
      this.#byLabels.set(key, ref);
    }
    return ref;
  }

  /** Appends a sample (value bits kept: any NaN payload survives). See the module comment. */
  append(ref: number, t: number, v: number): void {
    scratchF[0] = v;
    this.appendBits(ref, t, scratchW[HI]!, scratchW[LO]!);
  }

  appendBits(ref: number, t: number, hi: number, lo: number): void {
    const s = this.#series[ref];
    if (s === undefined) throw new RangeError(`unknown series ref ${ref}`);
    if (!Number.isSafeInteger(t)) throw new BadDataError(`timestamp ${t} is not an integer`);
    if (s.batch !== this.#batch) {
      s.batch = this.#batch;
      s.cHas = s.has;
      s.cMaxT = s.maxT;
      s.cHi = s.hi;
      s.cLo = s.lo;
    }
    if (s.cHas) {
      if (t < s.cMaxT) throw new BadDataError('out of order sample');
      if (t === s.cMaxT && (hi !== s.cHi || lo !== s.cLo))
        throw new BadDataError('duplicate sample for timestamp');
    }
    // What Commit does with it: only a sample newer than the series' newest is applied.
    if (s.has && t <= s.maxT) {
      this.#dropped++;
      return;
    }
    if (s.cutter.startsChunk(t)) {
      s.closeChunk();
      s.app = new XorAppender();
      s.chunkMin = t;
    }
    s.app!.appendBits(t, hi, lo);
    s.cutter.appended(t);
    s.has = true;
    s.maxT = t;
    s.hi = hi >>> 0;
    s.lo = lo >>> 0;
    this.#appended++;
    if (t < this.#minTime) this.#minTime = t;
    if (t > this.#maxTime) this.#maxTime = t;
  }

  /** Ends a batch: later appends are checked against everything appended so far. */
  commit(): void {
    this.#batch++;
  }

  /**
   * Writes the block [minTime, maxTime + 1) as BlockWriter.Flush does; undefined when no sample
   * was appended (Prometheus writes no block then).
   */
  async flush(openSink: SinkFactory, opts: BlockWriteOptions = {}): Promise<BlockMeta | undefined> {
    if (this.#appended === 0) return undefined;
    const order = this.#series.map((_, i) => i);
    const series = this.#series;
    order.sort((a, b) => compareLabels(series[a]!.labels, series[b]!.labels));
    // The head's symbols: every name and value, plus "" from its all-postings key.
    const symbols = new Set<string>(['']);
    for (const s of series) {
      for (const l of s.labels) {
        symbols.add(l.name);
        symbols.add(l.value);
      }
    }
    const w = new BlockAssembler(openSink, opts);
    try {
      w.setSymbols([...symbols].sort(compareStrings));
      for (const i of order) {
        const s = series[i]!;
        s.closeChunk();
        await w.addSeries(s.labels, s.chunks);
        // Free the chunk bytes as soon as they are out.
        s.chunks.length = 0;
      }
    } catch (err) {
      await w.abort(err);
      throw err;
    }
    return w.finish(this.#minTime, this.#maxTime + 1);
  }
}
