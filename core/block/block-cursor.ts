/**
 * @module core/block/block-cursor — one block's answer to a Series request as a sorted cursor:
 * postings → series entries → chunk references, chunks read lazily one batch of series at a time,
 * the next batch fetched while the current one is consumed. The bucket store merges the cursors
 * of all its blocks, so a request holds about two batches per block, whatever the block's size.
 *
 * The cursor hands out series in the request's order: the index's own order when that is the
 * same, else (external labels that clash with the block's own, or replica labels inside the
 * block) the block's selected entries are sorted first — labels and chunk references only.
 */
import {
  AGGR_COUNT,
  AGGR_COUNTER,
  AGGR_MAX,
  AGGR_MIN,
  AGGR_SUM,
  ENCODING_AGGR,
  AGGR_TYPES,
  aggrChunkLayout,
} from '../chunkenc/aggr.ts';
import { CorruptBlockError, errorMessage } from '../errors.ts';
import { withExternal, type Labels } from '../labels/labels.ts';
import type { Matcher } from '../labels/matcher.ts';
import { newMatcher } from '../labels/matcher.ts';
import type { SortedCursor } from '../storeapi/merge.ts';
import type { StoreStats } from '../storeapi/stats.ts';
import type { Aggr, AggrChunk, ChunkEncoding } from '../storeapi/store.ts';
import { fullyDeleted, type Block } from '../tsdb/block-reader.ts';
import {
  ENCODING_FLOAT_HISTOGRAM,
  ENCODING_HISTOGRAM,
  ENCODING_XOR,
} from '../tsdb/chunk-reader.ts';
import type { ChunkMeta, SeriesEntry } from '../tsdb/index-reader.ts';
import { matchersKey, type SelectionMemo } from './selection-memo.ts';

export interface CursorSeries {
  readonly labels: Labels;
  readonly chunks: readonly AggrChunk[];
}

export interface BlockCursorOptions {
  readonly mint: number;
  readonly maxt: number;
  /** Matchers left after those on external labels were checked against the block. */
  readonly matchers: readonly Matcher[];
  /** The block's external labels, added to every series (they win a name clash, as in Thanos). */
  readonly external: Labels;
  /** The request's replica labels: the order ignores them. */
  readonly replicaLabels: ReadonlySet<string>;
  readonly compare: (a: Labels, b: Labels) => number;
  readonly skipChunks: boolean;
  /** Aggregates wanted from a downsampled block's chunks (raw chunks are sent whole anyway). */
  readonly aggregates: readonly Aggr[];
  /** Series per batch of index and chunk reads. */
  readonly batchSeries: number;
  readonly stats: StoreStats;
  /** Decoded index answers kept across requests (core/block/selection-memo.ts). */
  readonly memo?: SelectionMemo;
}

interface Entry {
  readonly labels: Labels;
  readonly metas: readonly ChunkMeta[];
}

const ENCODINGS: Record<number, ChunkEncoding> = {
  [ENCODING_XOR]: 'XOR',
  [ENCODING_HISTOGRAM]: 'HISTOGRAM',
  [ENCODING_FLOAT_HISTOGRAM]: 'FLOAT_HISTOGRAM',
};

/** Where each storepb aggregate sits in an aggregate chunk (downsample.AggrType). */
const AGGR_INDEX: Record<Exclude<Aggr, 'raw'>, number> = {
  count: AGGR_COUNT,
  sum: AGGR_SUM,
  min: AGGR_MIN,
  max: AGGR_MAX,
  counter: AGGR_COUNTER,
};

/** An aggregate chunk's layout (aggrChunkLayout), reused: filled and read in one synchronous step. */
const aggrLayout = new Int32Array(2 * AGGR_TYPES);

/** A gap this long between a series' chunks is not one chunk (a filtered-out chunk sits there). */
const MAX_KNOWN_CHUNK = 64 * 1024;

/** Selects every series of a block (all postings). */
const ALL_SERIES = newMatcher('=~', '__name__', '.*');

export class BlockCursor implements SortedCursor<CursorSeries> {
  head: CursorSeries | undefined;
  readonly block: Block;
  readonly #o: BlockCursorOptions;
  #refs: Uint32Array | undefined;
  #refAt = 0;
  /** Selected entries in request order, when the index order is not it. */
  #sorted: Entry[] | undefined;
  #sortedAt = 0;
  #batch: CursorSeries[] = [];
  #at = 0;
  #next: Promise<CursorSeries[] | undefined> | undefined;
  #failure: Error | undefined;
  #done = false;

  constructor(block: Block, options: BlockCursorOptions) {
    this.block = block;
    this.#o = options;
  }

  /** Why the cursor ended early, once. */
  takeFailure(): Error | undefined {
    const f = this.#failure;
    this.#failure = undefined;
    return f;
  }

  async advance(): Promise<void> {
    this.head = undefined;
    if (this.#done) return;
    try {
      while (this.#at >= this.#batch.length) {
        const next = await (this.#next ?? this.#load());
        this.#next = undefined;
        if (next === undefined) {
          this.#done = true;
          return;
        }
        this.#batch = next;
        this.#at = 0;
      }
      this.head = this.#batch[this.#at]!;
      this.#batch[this.#at++] = undefined as unknown as CursorSeries;
      // Half way through the batch, start reading the next one.
      if (!this.#next && this.#at >= this.#batch.length >> 1 && this.#more()) {
        this.#next = this.#load();
        this.#next.catch(() => {});
      }
    } catch (err) {
      this.#done = true;
      this.head = undefined;
      this.#failure = err instanceof Error ? err : new Error(errorMessage(err));
    }
  }

  #more(): boolean {
    if (this.#sorted) return this.#sortedAt < this.#sorted.length;
    return this.#refs === undefined || this.#refAt < this.#refs.length;
  }

  /** The next batch of series with their chunks; undefined at the end. */
  async #load(): Promise<CursorSeries[] | undefined> {
    const o = this.#o;
    if (this.#refs === undefined) {
      const matchers = o.matchers.length > 0 ? o.matchers : [ALL_SERIES];
      this.#refs = await this.#postings(matchers);
      if (this.#needsSort()) this.#sorted = await this.#sortAll();
    }
    for (;;) {
      let entries: Entry[];
      if (this.#sorted) {
        if (this.#sortedAt >= this.#sorted.length) return undefined;
        entries = this.#sorted.slice(this.#sortedAt, (this.#sortedAt += o.batchSeries));
      } else {
        if (this.#refAt >= this.#refs.length) return undefined;
        const refs = this.#refs.subarray(this.#refAt, (this.#refAt += o.batchSeries));
        entries = await this.#entries(refs);
      }
      if (entries.length > 0) return this.#withChunks(entries);
    }
  }

  /** Whether the index's order differs from the request's (see the module comment). */
  #needsSort(): boolean {
    const ix = this.block.index;
    for (const l of this.#o.external) if (ix.hasLabelName(l.name)) return true;
    for (const r of this.#o.replicaLabels) if (ix.hasLabelName(r)) return true;
    return false;
  }

  async #sortAll(): Promise<Entry[]> {
    const all: Entry[] = [];
    const refs = this.#refs!;
    for (let i = 0; i < refs.length; i += 1024) {
      for (const e of await this.#entries(refs.subarray(i, i + 1024))) all.push(e);
    }
    return all.sort((a, b) => this.#o.compare(a.labels, b.labels));
  }

  async #postings(matchers: readonly Matcher[]): Promise<Uint32Array> {
    const { memo, stats } = this.#o;
    if (!memo) return this.block.index.postingsForMatchers(matchers, stats.postings);
    const id = this.block.meta.ulid;
    const key = matchersKey(matchers);
    const kept = memo.refs(id, key);
    if (kept) return kept;
    const refs = await this.block.index.postingsForMatchers(matchers, stats.postings);
    memo.setRefs(id, key, refs);
    return refs;
  }

  /** The index's entries of `refs`, those of a small selection kept in the memo. */
  async #seriesEntries(refs: Uint32Array): Promise<readonly SeriesEntry[]> {
    const { memo, stats } = this.#o;
    if (!memo || this.#refs!.length > memo.maxSelection) {
      return this.block.index.seriesBatch(refs, stats.series);
    }
    const id = this.block.meta.ulid;
    const out = new Array<SeriesEntry>(refs.length);
    const missing: number[] = [];
    for (let i = 0; i < refs.length; i++) {
      const kept = memo.series(id, refs[i]!);
      if (kept) out[i] = kept;
      else missing.push(i);
    }
    if (missing.length > 0) {
      const read = await this.block.index.seriesBatch(
        Uint32Array.from(missing, (i) => refs[i]!),
        stats.series,
      );
      for (let k = 0; k < missing.length; k++) {
        out[missing[k]!] = read[k]!;
        memo.setSeries(id, read[k]!);
      }
    }
    return out;
  }

  /** Series entries of `refs` with a chunk in the range and not wholly deleted. */
  async #entries(refs: Uint32Array): Promise<Entry[]> {
    const o = this.#o;
    const out: Entry[] = [];
    for (const s of await this.#seriesEntries(refs)) {
      const deleted = this.block.tombstones.get(s.ref);
      const metas = s.chunks.filter(
        (c) => c.maxt >= o.mint && c.mint <= o.maxt && !(deleted && fullyDeleted(deleted, c)),
      );
      if (metas.length > 0) out.push({ labels: withExternal(s.labels, o.external), metas });
    }
    return out;
  }

  async #withChunks(entries: readonly Entry[]): Promise<CursorSeries[]> {
    const o = this.#o;
    if (o.skipChunks) return entries.map((e) => ({ labels: e.labels, chunks: [] }));
    const refs: number[] = [];
    const lengths: number[] = [];
    for (const e of entries) {
      const m = e.metas;
      for (let i = 0; i < m.length; i++) {
        refs.push(m[i]!.ref);
        // A series' chunks are written back to back: the next one's ref ends this one.
        const next = m[i + 1]?.ref ?? 0;
        lengths.push(
          next > m[i]!.ref && next - m[i]!.ref <= MAX_KNOWN_CHUNK ? next - m[i]!.ref : 0,
        );
      }
    }
    const raw = await this.block.chunks.chunks(refs, o.stats.chunks, lengths);
    let k = 0;
    return entries.map((e) => ({
      labels: e.labels,
      chunks: e.metas.map((c): AggrChunk => {
        const r = raw[k++]!;
        if (r.encoding === ENCODING_AGGR) return this.#aggrChunk(c, r.data);
        return {
          minTime: c.mint,
          maxTime: c.maxt,
          raw: { encoding: ENCODINGS[r.encoding] ?? 'XOR', data: r.data },
        };
      }),
    }));
  }

  /** The requested aggregates of a downsampled chunk, each its own XOR chunk (populateChunk). */
  #aggrChunk(c: ChunkMeta, data: Uint8Array): AggrChunk {
    const block = this.block.meta.ulid;
    const layout = aggrLayout;
    try {
      aggrChunkLayout(data, layout);
    } catch (err) {
      throw new CorruptBlockError(errorMessage(err), { block }, { cause: err });
    }
    const out: { -readonly [K in keyof AggrChunk]: AggrChunk[K] } = {
      minTime: c.mint,
      maxTime: c.maxt,
    };
    for (const a of this.#o.aggregates) {
      if (a === 'raw') continue;
      const i = AGGR_INDEX[a];
      const end = layout[2 * i + 1]!;
      if (end === 0)
        throw new CorruptBlockError(`aggregate ${a} does not exist in chunk`, { block });
      out[a] = { encoding: 'XOR', data: data.subarray(layout[2 * i]!, end) };
    }
    return out;
  }
}
