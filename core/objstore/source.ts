/**
 * @module core/objstore/source — a bucket object as a `ByteSource` (core/tsdb/source.ts), so
 * the index and chunk readers read blocks in object storage with range requests only.
 */
import type { ByteSource } from '../tsdb/source.ts';
import type { Bucket } from './bucket.ts';

export class BucketObjectSource implements ByteSource {
  readonly name: string;
  readonly #bucket: Bucket;
  readonly #key: string;
  #size: number | undefined;

  /** `size`, when known (e.g. from meta.json's `thanos.files`), saves a HEAD request. */
  constructor(bucket: Bucket, key: string, options: { name?: string; size?: number } = {}) {
    this.#bucket = bucket;
    this.#key = key;
    this.name = options.name ?? key;
    this.#size = options.size;
  }

  async size(): Promise<number> {
    // Objects are immutable once written (blocks), so the size is fetched at most once.
    this.#size ??= (await this.#bucket.attributes(this.#key)).size;
    return this.#size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length < 0
    ) {
      throw new RangeError(`${this.name}: bad range [${offset}, +${length})`);
    }
    if (length === 0) return new Uint8Array(0);
    const bytes = await this.#bucket.getRange(this.#key, offset, length);
    // The bucket returns what exists past the end; ByteSource promises exact ranges.
    if (bytes.byteLength !== length) {
      throw new RangeError(
        `${this.name}: read [${offset}, +${length}) got ${bytes.byteLength} bytes (object shorter)`,
      );
    }
    return bytes;
  }
}
