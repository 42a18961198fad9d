/**
 * @module core/block/block-set — the open blocks of a bucket store, kept in isolate memory:
 * a Block (with its index header) is opened once and reused by every request, since blocks are
 * immutable. Blocks that disappear from the bucket (or fail to open) leave the set.
 */
import { errorMessage } from '../errors.ts';
import type { Bucket } from '../objstore/bucket.ts';
import { Block, type BlockOptions } from '../tsdb/block-reader.ts';
import type { BlockMeta } from '../tsdb/meta.ts';
import { BucketBlockDir } from './bucket-block-dir.ts';
import type { RangeCache } from './range-cache.ts';

export class BlockSet {
  readonly #bucket: Bucket;
  readonly #cache: RangeCache | undefined;
  readonly #open = new Map<string, Promise<Block>>();
  readonly #readers: Pick<BlockOptions, 'index' | 'chunks'>;

  /** `readers` tunes read coalescing (gaps, read-ahead) of the index and chunk readers. */
  constructor(
    bucket: Bucket,
    cache?: RangeCache,
    readers: Pick<BlockOptions, 'index' | 'chunks'> = {},
  ) {
    this.#bucket = bucket;
    this.#cache = cache;
    this.#readers = readers;
  }

  /** Opens (or returns the already open) block for this meta. Failures are not cached. */
  get(meta: BlockMeta): Promise<Block> {
    let p = this.#open.get(meta.ulid);
    if (!p) {
      const dir = new BucketBlockDir(this.#bucket, meta.ulid, {
        meta,
        ...(this.#cache ? { cache: this.#cache } : {}),
      });
      p = Block.open(dir, { ...this.#readers, id: meta.ulid });
      this.#open.set(meta.ulid, p);
      p.catch(() => this.#open.delete(meta.ulid));
    }
    return p;
  }

  /** Drops blocks that are no longer in the bucket. */
  retain(ids: ReadonlySet<string>): void {
    for (const id of this.#open.keys()) if (!ids.has(id)) this.#open.delete(id);
  }
}

export function describeOpenFailure(meta: BlockMeta, err: unknown): string {
  const msg = errorMessage(err);
  return msg.includes(meta.ulid) ? msg : `block ${meta.ulid}: ${msg}`;
}
