/**
 * @module core/compact/output — where a compacted block is written before it is visible, and how
 * it becomes visible. The Node compactor writes to its `--data-dir` and uploads (meta.json last);
 * `bucketOutput` streams straight into the bucket (the BlockAssembler puts meta.json last).
 */
import type { Bucket } from '../objstore/bucket.ts';
import type { BlockMeta } from '../tsdb/meta.ts';
import type { SinkFactory } from '../tsdb/writer/block-writer.ts';
import { bucketSinkFactory } from '../block/bucket-sink.ts';

export interface CompactionOutput {
  /** Where the new block's files are written. */
  readonly sink: SinkFactory;
  /**
   * Size at which to cut the new block's chunk segments, given the inputs' chunk bytes
   * (undefined: Prometheus's 512 MiB). An output that uploads each segment once written wants
   * several per block.
   */
  segmentSize?(inputChunkBytes: number): number | undefined;
  /** Makes a finished block visible in the bucket, meta.json last; returns the meta as uploaded. */
  publish(meta: BlockMeta): Promise<BlockMeta>;
  /** Drops local leftovers of a block (after publishing, or after a failure). */
  discard(ulid: string): Promise<void>;
}

/** Writes straight into the bucket: finishing the block is publishing it. */
export function bucketOutput(bucket: Bucket): CompactionOutput {
  return {
    sink: bucketSinkFactory(bucket),
    publish: async (meta) => meta,
    discard: async () => {},
  };
}
