/**
 * @module core/compact/input — where a compaction reads its input blocks from. `bucketInput`
 * reads them in place with range reads (a runtime without a disk, such as a Worker); the Node
 * compactor downloads each input into its `--data-dir` first, as Thanos does
 * (sidecar-agent/compact/local-input.ts): one streamed GET per file instead of a few hundred
 * range reads, whose per-request latency would leave the merge waiting.
 */
import { BucketBlockDir } from '../block/bucket-block-dir.ts';
import type { Bucket } from '../objstore/bucket.ts';
import type { BlockDir } from '../tsdb/block-reader.ts';
import type { BlockMeta } from '../tsdb/meta.ts';
import { READ_BUDGET_BYTES } from './block-series.ts';
import type { Group } from './group.ts';

/** The input blocks of one compaction, ready to read. */
export interface OpenedInputs {
  /** One directory per input, in the order of the metas given to `open`. */
  readonly dirs: readonly BlockDir[];
  /**
   * Bytes the merge may hold in read batches, all inputs and read-ahead together (see
   * `seriesBatchFor`). Reads from a bucket pay a request's latency each, so they want large
   * batches; reads from a local disk cost little, so small batches there keep memory low.
   */
  readonly readBudget: number;
  /** Drops local copies and open handles; called once the compaction ended, either way. */
  release(): Promise<void>;
}

export interface CompactionInput {
  open(group: Group, inputs: readonly BlockMeta[]): Promise<OpenedInputs>;
}

/** Reads the inputs straight from the bucket. */
export function bucketInput(bucket: Bucket): CompactionInput {
  return {
    open: async (_group, inputs) => ({
      dirs: inputs.map((m) => new BucketBlockDir(bucket, m.ulid, { meta: m })),
      readBudget: READ_BUDGET_BYTES,
      release: async () => {},
    }),
  };
}
