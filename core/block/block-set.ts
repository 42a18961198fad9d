/**
 * @module core/block/block-set — the open blocks of a bucket store, kept in isolate memory.
 *
 * Opening a block costs one object-store read: its index header, stored in the bucket beside the
 * block (`<ULID>/thanos-edge-index-header`, a name Thanos ignores and deletes with the block). A
 * block without one gets it built from two range reads of its index, written back for every other
 * isolate, and opened from it. Small indexes travel whole inside their header, so their postings
 * and series never cost another read. Open blocks are kept, least recently used dropped first,
 * within a byte budget; blocks that leave the bucket leave the set.
 */
import { CorruptBlockError, NotFoundError, QueryTimeoutError, errorMessage } from '../errors.ts';
import type { Bucket } from '../objstore/bucket.ts';
import { isNotFound } from '../objstore/errors.ts';
import { Block } from '../tsdb/block-reader.ts';
import { ChunkReader, type ChunkReaderOptions } from '../tsdb/chunk-reader.ts';
import { INDEX_FILENAME } from '../tsdb/index-format.ts';
import { DEFAULT_INLINE_BELOW, buildIndexHeader } from '../tsdb/index-header.ts';
import { IndexReader, type IndexReaderOptions } from '../tsdb/index-reader.ts';
import type { BlockMeta } from '../tsdb/meta.ts';
import type { ReadStats } from '../tsdb/source.ts';
import { TOMBSTONES_FILENAME, Tombstones, parseTombstones } from '../tsdb/tombstones.ts';
import { BucketBlockDir } from './bucket-block-dir.ts';
import type { RangeCache } from './range-cache.ts';
import type { PackedHeader } from './bucket-index.ts';
import { PackedHeaderReader } from './header-pack.ts';

/** The index header's object name inside a block's directory. */
export const INDEX_HEADER_OBJECT = 'thanos-edge-index-header';

export interface BlockSetOptions {
  /** Bytes of open blocks (their index headers) kept in memory (default 24 MiB). */
  readonly maxBytes?: number;
  /** Write index headers built here to the bucket for other isolates (default true). */
  readonly writeHeaders?: boolean;
  /** An index smaller than this travels whole inside its header (default 256 KiB). */
  readonly inlineIndexBelow?: number;
  /** An open taking longer is abandoned, so a stalled bucket cannot wedge the block (default 30s). */
  readonly openTimeout?: number;
  /** Read coalescing of the index and chunk readers. */
  readonly index?: IndexReaderOptions;
  readonly chunks?: ChunkReaderOptions;
  /** Where a failed header write is reported (once per block). */
  readonly log?: (msg: string) => void;
}

/** What a request knows about a block besides its meta: the files the last listing showed. */
export interface BlockFiles {
  readonly files?: ReadonlySet<string>;
  /**
   * The block's index header from the bucket index's pack (core/block/header-pack.ts), tried
   * before the block's own header object; undefined or corrupt bytes fall back to that object.
   */
  readonly header?: () => Promise<Uint8Array | undefined>;
}

interface Entry {
  readonly block: Promise<Block>;
  /** Who started the open, while it is in flight; undefined once it has succeeded. */
  owner: object | undefined;
  bytes: number;
}

export class BlockSet {
  readonly #bucket: Bucket;
  readonly #cache: RangeCache | undefined;
  readonly #opts: BlockSetOptions;
  /** In use order: the first entry is the least recently used. */
  readonly #open = new Map<string, Entry>();
  #bytes = 0;
  #headerWriteFailed = false;
  /** Index headers built (and the ones written back) since the isolate started. */
  headersBuilt = 0;
  headersWritten = 0;

  constructor(bucket: Bucket, cache?: RangeCache, options: BlockSetOptions = {}) {
    this.#bucket = bucket;
    this.#cache = cache;
    this.#opts = options;
  }

  /** Blocks open now and the bytes they hold. */
  get size(): { blocks: number; bytes: number } {
    return { blocks: this.#open.size, bytes: this.#bytes };
  }

  /**
   * The open block for this meta, opening it if needed. Failures are not kept: the next call
   * tries again. `stats` counts the open's reads.
   *
   * An open in flight is shared only with calls of the same `owner` (one request): in a Worker an
   * I/O promise belongs to the request that started it and dies with it, so a request that was
   * cancelled must not leave others waiting on its open. Other requests open the block themselves;
   * the first open to succeed is kept for everyone.
   */
  get(meta: BlockMeta, known: BlockFiles = {}, stats?: ReadStats, owner?: object): Promise<Block> {
    const id = meta.ulid;
    const hit = this.#open.get(id);
    if (hit && (hit.owner === undefined || hit.owner === owner)) {
      this.#open.delete(id);
      this.#open.set(id, hit);
      return hit.block;
    }
    const entry: Entry = {
      block: this.#openWithTimeout(meta, known, stats),
      owner: owner ?? {},
      bytes: 0,
    };
    if (!hit) this.#open.set(id, entry);
    entry.block.then(
      (b) => {
        const current = this.#open.get(id);
        if (current !== undefined && current !== entry && current.owner === undefined) return;
        if (current !== entry) this.#open.set(id, entry);
        entry.owner = undefined;
        entry.bytes = blockBytes(b);
        this.#bytes += entry.bytes;
        this.#evict();
      },
      () => {
        if (this.#open.get(id) === entry) this.#open.delete(id);
      },
    );
    return entry.block;
  }

  /**
   * A reader of the packed index headers of the blocks in `located` that are not open here: what
   * one request passes to `get` as `header` (stats count the pack's reads).
   */
  packedHeaders(
    located: ReadonlyMap<string, PackedHeader> | undefined,
    ids: Iterable<string>,
    stats?: ReadStats,
    onFailure?: (pack: string) => void,
  ): PackedHeaderReader | undefined {
    if (!located) return undefined;
    const wanted = new Map<string, PackedHeader>();
    for (const id of ids) {
      const h = located.get(id);
      if (h && !this.#open.has(id)) wanted.set(id, h);
    }
    return wanted.size > 0
      ? new PackedHeaderReader(this.#bucket, wanted, stats, onFailure)
      : undefined;
  }

  /** Whether the block is open (or opening) here. */
  has(id: string): boolean {
    return this.#open.has(id);
  }

  /** Drops blocks that are no longer in the bucket. */
  retain(ids: ReadonlySet<string>): void {
    for (const [id, e] of this.#open) {
      if (ids.has(id)) continue;
      this.#open.delete(id);
      this.#bytes -= e.bytes;
    }
  }

  #evict(): void {
    const max = this.#opts.maxBytes ?? 24 * 1024 * 1024;
    for (const [id, e] of this.#open) {
      if (this.#bytes <= max) break;
      // Requests already holding the block keep using it; it is only forgotten here.
      this.#open.delete(id);
      this.#bytes -= e.bytes;
    }
  }

  #openWithTimeout(meta: BlockMeta, known: BlockFiles, stats?: ReadStats): Promise<Block> {
    const timeout = this.#opts.openTimeout ?? 30_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new QueryTimeoutError(`block ${meta.ulid}: open took longer than ${timeout}ms`)),
        timeout,
      );
    });
    return Promise.race([this.#openBlock(meta, known, stats), timedOut]).finally(
      () => timer !== undefined && clearTimeout(timer),
    );
  }

  async #openBlock(meta: BlockMeta, known: BlockFiles, stats?: ReadStats): Promise<Block> {
    const block = meta.ulid;
    const dir = new BucketBlockDir(this.#bucket, block, {
      meta,
      ...(this.#cache ? { cache: this.#cache } : {}),
    });
    const files = known.files;
    if (files && !files.has(INDEX_FILENAME)) {
      throw new CorruptBlockError('index missing', { block, file: INDEX_FILENAME });
    }
    const indexSrc = await dir.open(INDEX_FILENAME);
    const indexSize = dir.knownSize(INDEX_FILENAME);
    // An index the header carries whole goes to the range cache, not into the open block: a
    // query over many blocks holds their headers at once, and must hold kilobytes per block.
    const readerOpts = {
      ...this.#opts.index,
      block,
      inline: 'source' as const,
      // Kept in this isolate only: another isolate gets it with the header (from the pack).
      onInlineIndex: (index: Uint8Array) =>
        void dir
          .cacheWhole(INDEX_FILENAME, index, { local: true, placed: true })
          .catch(() => undefined),
      ...(meta.stats?.numSeries ? { numSeries: meta.stats.numSeries } : {}),
      headerFile: INDEX_HEADER_OBJECT,
      ...(indexSize !== undefined ? { indexSize } : {}),
    };
    const tombstones = this.#tombstones(dir, block, files, stats);
    // Awaited below; until then a failure must not count as unhandled.
    tombstones.catch(() => {});
    let index: IndexReader | undefined;
    const packed = await known.header?.();
    if (packed) {
      try {
        index = IndexReader.fromHeader(indexSrc, packed, readerOpts);
      } catch (err) {
        if (!(err instanceof CorruptBlockError)) throw err;
      }
    }
    if (!index && (!files || files.has(INDEX_HEADER_OBJECT))) {
      try {
        index = IndexReader.fromHeader(
          indexSrc,
          await dir.readWhole(INDEX_HEADER_OBJECT, stats),
          readerOpts,
        );
      } catch (err) {
        // Absent (an unlisted block), or corrupt (then rebuilt and overwritten).
        if (!isNotFound(err) && !(err instanceof CorruptBlockError)) throw err;
      }
    }
    if (!index) {
      let header: Uint8Array;
      try {
        header = await buildIndexHeader(indexSrc, {
          block,
          inlineBelow: this.#opts.inlineIndexBelow ?? DEFAULT_INLINE_BELOW,
          ...(indexSize !== undefined ? { size: indexSize } : {}),
          ...(stats ? { stats } : {}),
        });
      } catch (err) {
        if (isNotFound(err)) {
          throw new CorruptBlockError(
            'index missing',
            { block, file: INDEX_FILENAME },
            { cause: err },
          );
        }
        throw err;
      }
      this.headersBuilt++;
      index = IndexReader.fromHeader(indexSrc, header, readerOpts);
      await this.#writeHeader(dir, block, header);
    }
    const chunks = new ChunkReader((name) => dir.open(name), {
      ...this.#opts.chunks,
      block,
      // One request per segment saved; every chunk's CRC32C still checks it.
      verifySegmentHeaders: false,
    });
    return new Block(meta, index, chunks, await tombstones);
  }

  async #tombstones(
    dir: BucketBlockDir,
    block: string,
    files: ReadonlySet<string> | undefined,
    stats: ReadStats | undefined,
  ): Promise<Tombstones> {
    if (files && !files.has(TOMBSTONES_FILENAME)) return new Tombstones();
    try {
      const bytes = await dir.readWhole(TOMBSTONES_FILENAME, stats);
      return parseTombstones(bytes, block);
    } catch (err) {
      if (isNotFound(err) || err instanceof NotFoundError) return new Tombstones();
      throw err;
    }
  }

  async #writeHeader(dir: BucketBlockDir, block: string, header: Uint8Array): Promise<void> {
    if (this.#opts.writeHeaders === false || this.#headerWriteFailed) return;
    try {
      await dir.write(INDEX_HEADER_OBJECT, header);
      this.headersWritten++;
    } catch (err) {
      // A read-only bucket: keep building headers in memory, and stop trying to write them.
      this.#headerWriteFailed = true;
      this.#opts.log?.(
        `block ${block}: index header not written to the bucket: ${errorMessage(err)}`,
      );
    }
  }
}

/** What keeping a block open costs: its index header dominates. */
function blockBytes(b: Block): number {
  return b.index.headerBytes + 1024;
}

export function describeOpenFailure(meta: BlockMeta, err: unknown): string {
  const msg = errorMessage(err);
  return msg.includes(meta.ulid) ? msg : `block ${meta.ulid}: ${msg}`;
}
