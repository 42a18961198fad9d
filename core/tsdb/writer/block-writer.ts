/**
 * @module core/tsdb/writer/block-writer — assembles a block the way Prometheus's
 * `LeveledCompactor.write` does: series in label order, each series' chunks into the segment
 * files and its entry into the index as it comes (nothing but postings is held), then an empty
 * `tombstones` file and `meta.json` LAST (level 1, sources [ulid], version 1), so a reader that
 * sees meta.json sees a whole block. `writeBlock` is the entry point for callers holding samples
 * in typed arrays; `HeadBlockBuilder` (head.ts) for appenders fed in arbitrary order.
 */
import { BadDataError } from '../../errors.ts';
import { compareLabels, compareStrings, type Labels } from '../../labels/labels.ts';
import { ENCODING_XOR, XorAppender } from '../../chunkenc/xor.ts';
import { LITTLE_ENDIAN, u32View } from '../../chunkenc/stale.ts';
import {
  META_FILENAME,
  META_VERSION_1,
  serializeMeta,
  type BlockMeta,
  type BlockMetaCompaction,
  type ThanosFile,
  type ThanosMeta,
} from '../meta.ts';
import { newUlid } from '../ulid.ts';
import { ChunkCutter } from './chunk-cutter.ts';
import { ChunkSegmentWriter, type ChunkMeta } from './chunk-writer.ts';
import { INDEX_FILENAME } from '../index-format.ts';
import { IndexWriter } from './index-writer.ts';
import type { BlockSink } from './sink.ts';

/** tsdb.DefaultBlockDuration: 2h in ms, also the head's default chunk range. */
export const DEFAULT_BLOCK_DURATION = 2 * 60 * 60 * 1000;
export const TOMBSTONES_FILENAME = 'tombstones';
/** An empty tombstones file: magic 0x0130BA30, format 1, CRC-32C of nothing (tombstones.WriteFile). */
export const EMPTY_TOMBSTONES = new Uint8Array([0x01, 0x30, 0xba, 0x30, 0x01, 0, 0, 0, 0]);

export interface BlockWriteOptions {
  /** Block ULID; a new one (now) by default. */
  ulid?: string;
  /** Chunk segment size in bytes (512 MiB). */
  segmentSize?: number;
  /** Write the empty `tombstones` file Prometheus writes (default true; Thanos uploads skip it). */
  tombstones?: boolean;
  /** Adds Thanos's meta.json section; `files` is filled in from what was written. */
  thanos?: Omit<ThanosMeta, 'files'>;
  /**
   * Compaction section for a block made from others (a compactor's level, sources, parents).
   * Default: level 1 with the block itself as the only source, as a head flush writes.
   */
  compaction?: BlockMetaCompaction;
}

/** Opens the sink for a block once its ULID is known. */
export type SinkFactory = (ulid: string) => BlockSink;

/** The low-level writer: symbols, then series with ready chunks in label order, then finish. */
export class BlockAssembler {
  readonly ulid: string;
  readonly #sink: BlockSink;
  readonly #opts: BlockWriteOptions;
  readonly #chunks: ChunkSegmentWriter;
  readonly #index: IndexWriter;
  #numSamples = 0;
  #numChunks = 0;
  #numSeries = 0;
  #aborted = false;

  constructor(openSink: SinkFactory, opts: BlockWriteOptions = {}) {
    this.ulid = opts.ulid ?? newUlid();
    this.#opts = opts;
    this.#sink = openSink(this.ulid);
    this.#chunks = new ChunkSegmentWriter(this.#sink, { segmentSize: opts.segmentSize });
    this.#index = new IndexWriter(this.#sink);
  }

  /** Sorted, unique symbols: every label name and value of the series to come. */
  setSymbols(symbols: Iterable<string>): void {
    this.#index.addSymbols(symbols);
  }

  /** Adds a series (strictly after the previous one in label order). Series without chunks are skipped. */
  async addSeries(lset: Labels, chunks: ChunkMeta[]): Promise<void> {
    if (chunks.length === 0) return;
    this.#chunks.writeChunks(chunks);
    this.#index.addSeries(lset, chunks);
    this.#numSeries++;
    this.#numChunks += chunks.length;
    for (const c of chunks) this.#numSamples += c.numSamples;
    await this.#chunks.drain();
    await this.#index.drain();
  }

  get numSamples(): number {
    return this.#numSamples;
  }

  /**
   * Closes chunks and index, writes tombstones and meta.json, commits the sink. A block without
   * samples is not written (as Prometheus): the sink is aborted and the result is undefined.
   */
  async finish(minTime: number, maxTime: number): Promise<BlockMeta | undefined> {
    try {
      const segments = await this.#chunks.close();
      const indexSize = await this.#index.close();
      if (this.#numSamples === 0) {
        this.#aborted = true;
        await this.#sink.abort?.();
        return undefined;
      }
      if (this.#opts.tombstones ?? true)
        await this.#sink.put(TOMBSTONES_FILENAME, EMPTY_TOMBSTONES);
      const meta: BlockMeta = {
        ulid: this.ulid,
        minTime,
        maxTime,
        stats: {
          numSamples: this.#numSamples,
          numSeries: this.#numSeries,
          numChunks: this.#numChunks,
        },
        compaction: this.#opts.compaction ?? { level: 1, sources: [this.ulid] },
        version: META_VERSION_1,
      };
      if (this.#opts.thanos) {
        // Thanos's GatherFileStats: chunk segments and index with sizes, meta.json without.
        const files: ThanosFile[] = segments.map((s) => ({ rel_path: s.name, size_bytes: s.size }));
        files.push(
          { rel_path: INDEX_FILENAME, size_bytes: indexSize },
          { rel_path: META_FILENAME },
        );
        files.sort((a, b) => compareStrings(a.rel_path, b.rel_path));
        meta.thanos = { ...this.#opts.thanos, files };
      }
      await this.#sink.put(META_FILENAME, new TextEncoder().encode(serializeMeta(meta)));
      await this.#sink.commit?.();
      return meta;
    } catch (err) {
      await this.abort(err);
      throw err;
    }
  }

  async abort(reason?: unknown): Promise<void> {
    if (this.#aborted) return;
    this.#aborted = true;
    await this.#chunks.abort(reason);
    await this.#index.abort(reason);
    await this.#sink.abort?.();
  }
}

/** One series' samples for `writeBlock`: timestamps strictly increasing (ms). */
export interface SeriesSamples {
  labels: Labels;
  timestamps: Float64Array;
  /** Values; NaN payloads (stale markers) are written bit-exactly. */
  values: Float64Array;
  /** Samples used from the arrays (default: all of `timestamps`). */
  count?: number;
}

export interface WriteBlockOptions extends BlockWriteOptions {
  /** Chunk range for cutting chunks like the head (default 2h). */
  chunkRange?: number;
  /** Block bounds; default [first sample, last sample + 1). Samples outside are an error. */
  minTime?: number;
  maxTime?: number;
}

/**
 * Writes one block from series held in typed arrays, cutting chunks as Prometheus's head would.
 * Chunks are encoded and streamed out series by series; returns the meta (undefined if empty).
 */
export async function writeBlock(
  openSink: SinkFactory,
  series: readonly SeriesSamples[],
  opts: WriteBlockOptions = {},
): Promise<BlockMeta | undefined> {
  const chunkRange = opts.chunkRange ?? DEFAULT_BLOCK_DURATION;
  const order = series
    .map((s, i) => ({ s, i, n: s.count ?? s.timestamps.length }))
    .filter((x) => x.n > 0)
    .sort((a, b) => compareLabels(a.s.labels, b.s.labels));
  const symbols = new Set<string>(['']);
  let mint = Infinity;
  let maxt = -Infinity;
  for (let k = 0; k < order.length; k++) {
    const { s, n } = order[k]!;
    if (k > 0 && compareLabels(order[k - 1]!.s.labels, s.labels) === 0) {
      throw new BadDataError(`write block: duplicate series ${JSON.stringify(s.labels)}`);
    }
    if (s.values.length < n || s.timestamps.length < n)
      throw new BadDataError('write block: fewer values than samples');
    for (const l of s.labels) {
      symbols.add(l.name);
      symbols.add(l.value);
    }
    const ts = s.timestamps;
    for (let j = 0; j < n; j++) {
      if (!Number.isSafeInteger(ts[j]!))
        throw new BadDataError(`write block: timestamp ${ts[j]} is not an integer`);
      if (j > 0 && ts[j]! <= ts[j - 1]!) {
        throw new BadDataError(
          `write block: timestamps of ${JSON.stringify(s.labels)} not strictly increasing at ${ts[j]}`,
        );
      }
    }
    mint = Math.min(mint, ts[0]!);
    maxt = Math.max(maxt, ts[n - 1]!);
  }
  const minTime = opts.minTime ?? mint;
  const maxTime = opts.maxTime ?? maxt + 1;
  if (order.length > 0 && (mint < minTime || maxt >= maxTime)) {
    throw new BadDataError(
      `write block: samples [${mint}, ${maxt}] outside block range [${minTime}, ${maxTime})`,
    );
  }
  const w = new BlockAssembler(openSink, opts);
  try {
    w.setSymbols([...symbols].sort(compareStrings));
    for (const { s, n } of order)
      await w.addSeries(s.labels, encodeChunks(s.timestamps, s.values, n, chunkRange));
  } catch (err) {
    await w.abort(err);
    throw err;
  }
  return w.finish(minTime, maxTime);
}

/** Cuts and XOR-encodes one series' samples into chunks (values' bits taken verbatim). */
export function encodeChunks(
  ts: Float64Array,
  vs: Float64Array,
  n: number,
  chunkRange: number,
): ChunkMeta[] {
  const words = u32View(vs.buffer);
  const base = vs.byteOffset >>> 2;
  const hiOff = LITTLE_ENDIAN ? 1 : 0;
  const cutter = new ChunkCutter(chunkRange);
  const out: ChunkMeta[] = [];
  let app: XorAppender | undefined;
  let start = 0;
  const close = (end: number): void => {
    out.push({
      minTime: ts[start]!,
      maxTime: ts[end - 1]!,
      data: app!.bytes(),
      encoding: ENCODING_XOR,
      numSamples: app!.numSamples,
      ref: 0,
    });
  };
  for (let i = 0; i < n; i++) {
    const t = ts[i]!;
    if (cutter.startsChunk(t)) {
      if (app) close(i);
      app = new XorAppender();
      start = i;
    }
    app!.appendBits(t, words[base + 2 * i + hiOff]!, words[base + 2 * i + 1 - hiOff]!);
    cutter.appended(t);
  }
  if (app) close(n);
  return out;
}
