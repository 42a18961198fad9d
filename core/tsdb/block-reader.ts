/**
 * @module core/tsdb/block-reader — one TSDB block read through a directory-like accessor:
 * `meta.json`, the index header, lazily the chunk segments, and `tombstones` if present.
 * `select` streams the series matching a selector in label order with their raw (still
 * encoded) chunks, in batches: postings → series entries → coalesced chunk reads.
 */
import { CorruptBlockError, NotFoundError } from '../errors.ts';
import type { Labels } from '../labels/labels.ts';
import { ChunkReader, type ChunkReaderOptions } from './chunk-reader.ts';
import { INDEX_FILENAME } from './index-format.ts';
import { IndexReader, type ChunkMeta, type IndexReaderOptions } from './index-reader.ts';
import { META_FILENAME, parseMeta, type BlockMeta } from './meta.ts';
import type { PostingsMatcher } from './postings-for-matchers.ts';
import type { ByteSource } from './source.ts';
import { TOMBSTONES_FILENAME, Tombstones, parseTombstones, type Intervals } from './tombstones.ts';

/** A block directory: files by their path inside the block (`index`, `chunks/000001`, …). */
export interface BlockDir {
  /** May resolve to a source whose reads reject with NotFoundError for a missing file. */
  open(name: string): Promise<ByteSource>;
}

export interface BlockChunk extends ChunkMeta {
  readonly encoding: number;
  readonly data: Uint8Array;
}

export interface BlockSeries {
  readonly ref: number;
  readonly labels: Labels;
  /** Chunks overlapping the selected time range, in time order. */
  readonly chunks: readonly BlockChunk[];
  /** Deleted intervals of this series, if any. */
  readonly deleted: Intervals | undefined;
}

export interface BlockOptions {
  /** Block ULID (the directory name); checked against meta.json and used in errors. */
  id?: string;
  index?: IndexReaderOptions;
  chunks?: ChunkReaderOptions;
}

export interface SelectOptions {
  /** Series per batch of index and chunk reads (default 256). */
  batchSize?: number;
  /** Only labels and chunk metas; chunk data stays unread (Thanos `skip_chunks`). */
  skipChunks?: boolean;
}

export class Block {
  readonly meta: BlockMeta;
  readonly index: IndexReader;
  readonly chunks: ChunkReader;
  readonly tombstones: Tombstones;

  /** From already opened parts (the store gateway opens them from an index header). */
  constructor(meta: BlockMeta, index: IndexReader, chunks: ChunkReader, tombstones: Tombstones) {
    this.meta = meta;
    this.index = index;
    this.chunks = chunks;
    this.tombstones = tombstones;
  }

  get id(): string {
    return this.meta.ulid;
  }

  /**
   * Reads meta.json, the index header and tombstones. A missing meta.json is NotFoundError (a
   * block without meta.json does not exist yet); a missing index is a CorruptBlockError.
   */
  static async open(dir: BlockDir, opts: BlockOptions = {}): Promise<Block> {
    const metaBytes = await readWhole(dir, META_FILENAME);
    if (!metaBytes) throw new NotFoundError(`block ${opts.id ?? ''}: meta.json not found`);
    const meta = parseMeta(metaBytes, opts.id);
    const block = meta.ulid;
    const openIndex = async (): Promise<IndexReader> => {
      try {
        return await IndexReader.open(await dir.open(INDEX_FILENAME), { ...opts.index, block });
      } catch (err) {
        if (err instanceof NotFoundError)
          throw new CorruptBlockError(
            'index missing',
            { block, file: INDEX_FILENAME },
            { cause: err },
          );
        throw err;
      }
    };
    const [index, tombBytes] = await Promise.all([
      openIndex(),
      readWhole(dir, TOMBSTONES_FILENAME),
    ]);
    const tombstones = tombBytes ? parseTombstones(tombBytes, block) : new Tombstones();
    const chunks = new ChunkReader((name) => dir.open(name), { ...opts.chunks, block });
    return new Block(meta, index, chunks, tombstones);
  }

  /**
   * Series matching all `matchers` with a chunk overlapping [mint, maxt], sorted by labels.
   * Series whose overlapping chunks are all deleted are skipped, as Prometheus does.
   */
  async *select(
    matchers: readonly PostingsMatcher[],
    mint: number,
    maxt: number,
    opts: SelectOptions = {},
  ): AsyncGenerator<BlockSeries> {
    if (maxt < this.meta.minTime || mint >= this.meta.maxTime) return;
    const refs = await this.index.postingsForMatchers(matchers);
    const batch = opts.batchSize ?? 256;
    for (let i = 0; i < refs.length; i += batch) {
      const entries = await this.index.seriesBatch(refs.subarray(i, i + batch));
      const picked: {
        ref: number;
        labels: Labels;
        metas: ChunkMeta[];
        deleted: Intervals | undefined;
      }[] = [];
      const chunkRefs: number[] = [];
      for (const s of entries) {
        const deleted = this.tombstones.get(s.ref);
        const metas = s.chunks.filter(
          (c) => c.maxt >= mint && c.mint <= maxt && !(deleted && fullyDeleted(deleted, c)),
        );
        if (metas.length === 0) continue;
        picked.push({ ref: s.ref, labels: s.labels, metas, deleted });
        if (!opts.skipChunks) for (const c of metas) chunkRefs.push(c.ref);
      }
      const raw = opts.skipChunks ? [] : await this.chunks.chunks(chunkRefs);
      let k = 0;
      for (const p of picked) {
        const chunks: BlockChunk[] = p.metas.map((c) => {
          if (opts.skipChunks) return { ...c, encoding: 0, data: EMPTY };
          const r = raw[k++]!;
          return { mint: c.mint, maxt: c.maxt, ref: c.ref, encoding: r.encoding, data: r.data };
        });
        yield { ref: p.ref, labels: p.labels, chunks, deleted: p.deleted };
      }
    }
  }
}

const EMPTY = new Uint8Array(0);

export function fullyDeleted(ivs: Intervals, c: ChunkMeta): boolean {
  for (const [a, b] of ivs) if (a <= c.mint && c.maxt <= b) return true;
  return false;
}

/** Reads a whole (small) file; undefined when it does not exist. */
async function readWhole(dir: BlockDir, name: string): Promise<Uint8Array | undefined> {
  try {
    const src = await dir.open(name);
    try {
      return await src.read(0, await src.size());
    } finally {
      // Small files read once (meta.json, tombstones) need no open handle afterwards.
      await src.close?.();
    }
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}
