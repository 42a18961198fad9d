/**
 * @module core/block/bucket-block-dir — a block directory in a bucket, as the `BlockDir` the
 * TSDB readers take: every read is a range GET, sizes come from meta.json's `thanos.files` when
 * present (saving a HEAD per file), and ranges go through the range cache. Reads count into the
 * request's ReadStats: each read, and those that had to go to the bucket.
 */
import { CorruptBlockError } from '../errors.ts';
import type { Bucket } from '../objstore/bucket.ts';
import { getAll } from '../objstore/bucket.ts';
import type { BlockDir } from '../tsdb/block-reader.ts';
import type { BlockMeta } from '../tsdb/meta.ts';
import type { ByteSource, ReadStats } from '../tsdb/source.ts';
import type { PutOptions, RangeCache } from './range-cache.ts';

export class BucketBlockDir implements BlockDir {
  readonly #bucket: Bucket;
  readonly #id: string;
  readonly #sizes = new Map<string, number>();
  readonly #cache: RangeCache | undefined;
  /** Files held whole in the range cache (an index its header carried): reads slice them. */
  readonly #whole = new Set<string>();

  constructor(bucket: Bucket, id: string, options: { meta?: BlockMeta; cache?: RangeCache } = {}) {
    this.#bucket = bucket;
    this.#id = id;
    this.#cache = options.cache;
    for (const f of options.meta?.thanos?.files ?? []) {
      if (typeof f.size_bytes === 'number' && f.size_bytes > 0)
        this.#sizes.set(f.rel_path, f.size_bytes);
    }
  }

  /** Size of a file when meta.json lists it. */
  knownSize(name: string): number | undefined {
    return this.#sizes.get(name);
  }

  async open(name: string): Promise<ByteSource> {
    return new BucketObjectSource(
      this.#bucket,
      `${this.#id}/${name}`,
      name,
      this.#sizes.get(name),
      this.#cache,
      () => this.#whole.has(name),
    );
  }

  /**
   * Puts a whole file in the range cache (an index its header carried); reads of it slice the
   * cached copy while the cache keeps it, and go to the bucket once it has been evicted.
   */
  async cacheWhole(name: string, bytes: Uint8Array, options?: PutOptions): Promise<void> {
    if (!this.#cache) return;
    this.#whole.add(name);
    await this.#cache.put(`${this.#id}/${name}#all`, bytes, options);
  }

  /** A whole (small) object, through the range cache. Throws NotFoundError when absent. */
  async readWhole(name: string, stats?: ReadStats): Promise<Uint8Array> {
    const key = `${this.#id}/${name}`;
    const cached = await this.#cache?.get(`${key}#all`);
    let bytes = cached;
    if (!bytes) {
      bytes = await getAll(this.#bucket, key);
      if (stats) {
        stats.requests++;
        stats.requestBytes += bytes.length;
      }
      await this.#cache?.put(`${key}#all`, bytes);
    }
    if (stats) {
      stats.reads++;
      stats.bytes += bytes.length;
    }
    return bytes;
  }

  /** Writes a whole object into the block's directory (the index header). */
  async write(name: string, bytes: Uint8Array): Promise<void> {
    await this.#bucket.upload(`${this.#id}/${name}`, bytes);
    await this.#cache?.put(`${this.#id}/${name}#all`, bytes);
  }
}

class BucketObjectSource implements ByteSource {
  readonly name: string;
  readonly #bucket: Bucket;
  readonly #key: string;
  #size: number | undefined;
  readonly #cache: RangeCache | undefined;
  readonly #wholeCached: () => boolean;

  constructor(
    bucket: Bucket,
    key: string,
    name: string,
    size: number | undefined,
    cache: RangeCache | undefined,
    whole: () => boolean,
  ) {
    this.#bucket = bucket;
    this.#key = key;
    this.name = name;
    this.#size = size;
    this.#cache = cache;
    this.#wholeCached = whole;
  }

  async size(): Promise<number> {
    if (this.#size === undefined) {
      const cached = await this.#cache?.get(`${this.#key}#size`);
      if (cached) this.#size = new DataView(cached.buffer, cached.byteOffset).getFloat64(0);
      else {
        this.#size = (await this.#bucket.attributes(this.#key)).size;
        const b = new Uint8Array(8);
        new DataView(b.buffer).setFloat64(0, this.#size);
        await this.#cache?.put(`${this.#key}#size`, b);
      }
    }
    return this.#size;
  }

  async read(offset: number, length: number, stats?: ReadStats): Promise<Uint8Array> {
    if (stats) {
      stats.reads++;
      stats.bytes += length;
    }
    if (this.#wholeCached()) {
      const all = await this.#cache?.get(`${this.#key}#all`);
      if (all && offset + length <= all.length) return all.subarray(offset, offset + length);
    }
    const key = `${this.#key}#${offset}+${length}`;
    const cached = await this.#cache?.get(key);
    if (cached) return cached;
    const bytes = await this.#bucket.getRange(this.#key, offset, length);
    if (stats) {
      stats.requests++;
      stats.requestBytes += bytes.length;
    }
    if (bytes.length !== length) {
      const [block] = this.#key.split('/');
      throw new CorruptBlockError(
        `short read: wanted ${length} bytes, got ${bytes.length} (object shorter than expected)`,
        {
          block,
          file: this.name,
          offset,
        },
      );
    }
    await this.#cache?.put(key, bytes);
    return bytes;
  }
}
