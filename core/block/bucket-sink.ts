/**
 * @module core/block/bucket-sink — a BlockSink that writes a block straight into object
 * storage under `<prefix><ulid>/`, in the shipper's order: chunk segments and index (streamed),
 * then meta.json last, so a reader that lists the block and finds meta.json finds all of it.
 * Use `tombstones: false` in the write options: Thanos does not upload tombstones.
 */
import type { Bucket } from '../objstore/bucket.ts';
import type { BlockSink, SinkData } from '../tsdb/writer/sink.ts';

export class BucketBlockSink implements BlockSink {
  readonly #bucket: Bucket;
  readonly #dir: string;
  readonly #written: string[] = [];

  constructor(bucket: Bucket, ulid: string, prefix = '') {
    this.#bucket = bucket;
    this.#dir = `${prefix}${ulid}/`;
  }

  async put(name: string, data: SinkData): Promise<void> {
    const key = this.#dir + name;
    this.#written.push(key);
    await this.#bucket.upload(key, data);
  }

  /** Removes what was uploaded: without meta.json the block never existed, but it takes space. */
  async abort(): Promise<void> {
    await Promise.allSettled(this.#written.map((k) => this.#bucket.delete(k)));
  }
}

/** A SinkFactory writing blocks into `bucket` (optionally under a key prefix). */
export function bucketSinkFactory(bucket: Bucket, prefix = ''): (ulid: string) => BucketBlockSink {
  return (ulid) => new BucketBlockSink(bucket, ulid, prefix);
}
