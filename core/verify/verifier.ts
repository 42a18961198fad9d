/**
 * @module core/verify/verifier — Thanos's bucket verifier: the blocks of a bucket (those with
 * meta.json and without a deletion mark) checked for the chosen issues. Overlaps and duplicated
 * compactions are found from the metas; index issues by reading each block's index (and chunks)
 * through range reads, a few blocks at a time. Repair is not implemented.
 */
import { BucketBlockDir } from '../block/bucket-block-dir.ts';
import { forEachLimit } from '../block/concurrency.ts';
import { MetaFetcher } from '../block/meta-fetcher.ts';
import { errorMessage } from '../errors.ts';
import type { Bucket } from '../objstore/bucket.ts';
import { Block } from '../tsdb/block-reader.ts';
import { INDEX_FILENAME } from '../tsdb/index-format.ts';
import type { BlockMeta } from '../tsdb/meta.ts';
import { duplicatedCompaction } from './duplicated-compaction.ts';
import { indexIssues } from './index-issues.ts';
import { ISSUE_NAMES, type IssueName, type VerifyIssue } from './issue.ts';
import { overlappedBlocks } from './overlapped-blocks.ts';

export interface VerifyEvents {
  /** Index check progress: block `n` of `total`, series done of the block's series. */
  progress?(p: { block: string; n: number; total: number; series: number; of: number }): void;
}

export interface VerifyOptions {
  /** Checks to run (default: all). */
  readonly issues?: readonly IssueName[];
  /** Only these blocks (Thanos `--id`); overlaps and duplicates are those involving one of them. */
  readonly ids?: readonly string[];
  /** Blocks whose index is checked at once (default 4). */
  readonly concurrency?: number;
  /** Read every chunk during the index check (default true). */
  readonly readChunks?: boolean;
  readonly events?: VerifyEvents;
}

export interface VerifyResult {
  /** Blocks verified. */
  readonly blocks: readonly BlockMeta[];
  readonly issues: readonly VerifyIssue[];
  /** Blocks that could not be looked at (no meta.json, unreadable meta), with why. */
  readonly skipped: readonly string[];
}

export async function verifyBucket(
  bucket: Bucket,
  opts: VerifyOptions = {},
): Promise<VerifyResult> {
  const checks = new Set(opts.issues ?? ISSUE_NAMES);
  // A deletion mark of any age leaves the block out: it is on its way out of the bucket.
  const synced = await new MetaFetcher(bucket, { deletionMarkDelay: -1 }).sync();
  const all = [...synced.metas.values()];
  const ids = opts.ids ? new Set(opts.ids) : undefined;
  const chosen = ids ? all.filter((m) => ids.has(m.ulid)) : all;
  const involves = (i: VerifyIssue): boolean => !ids || i.blocks.some((b) => ids.has(b));
  const issues: VerifyIssue[] = [];
  if (checks.has('overlapped_blocks')) issues.push(...overlappedBlocks(all).filter(involves));
  if (checks.has('duplicated_compaction'))
    issues.push(...duplicatedCompaction(all).filter(involves));
  if (checks.has('index_known_issues')) {
    const ordered = [...chosen].sort((a, b) => a.minTime - b.minTime || (a.ulid < b.ulid ? -1 : 1));
    // Blocks are independent: a few at a time hide the object store's latency; issues stay in
    // block order.
    const perBlock: VerifyIssue[][] = new Array(ordered.length);
    await forEachLimit([...ordered.keys()], opts.concurrency ?? 4, async (n) => {
      perBlock[n] = await blockIndexIssues(bucket, ordered[n]!, n, ordered.length, opts);
    });
    for (const list of perBlock) issues.push(...list);
  }
  const skipped = synced.skipped
    .filter((s) => s.reason !== 'marked-for-deletion')
    .map((s) => s.detail);
  return { blocks: chosen, issues, skipped };
}

async function blockIndexIssues(
  bucket: Bucket,
  m: BlockMeta,
  n: number,
  total: number,
  opts: VerifyOptions,
): Promise<VerifyIssue[]> {
  let block: Block;
  try {
    block = await Block.open(new BucketBlockDir(bucket, m.ulid, { meta: m }), {
      id: m.ulid,
      // A whole-block read: large reads, fewer requests.
      index: { ...(m.stats.numSeries ? { numSeries: m.stats.numSeries } : {}), maxRead: 16 << 20 },
      chunks: { verifySegmentHeaders: true, maxRead: 16 << 20 },
    });
  } catch (err) {
    return [
      {
        issue: 'index_known_issues',
        problem: 'unreadable-index',
        block: m.ulid,
        file: INDEX_FILENAME,
        blocks: [m.ulid],
        message: `unreadable-index: ${errorMessage(err)}`,
      },
    ];
  }
  const progress = opts.events?.progress;
  return indexIssues(block, {
    ...(opts.readChunks !== undefined ? { readChunks: opts.readChunks } : {}),
    ...(progress
      ? { onProgress: (series, of) => progress({ block: m.ulid, n: n + 1, total, series, of }) }
      : {}),
  });
}
