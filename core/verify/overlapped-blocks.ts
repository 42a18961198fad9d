/**
 * @module core/verify/overlapped-blocks — Thanos's `overlapped_blocks` check: within one
 * compaction group (same external labels and resolution) no two blocks may cover the same time.
 * Overlaps halt the compactor (unless vertical compaction is on) and double samples in queries.
 */
import { groupBlocks } from '../compact/group.ts';
import { findOverlaps } from '../compact/planner.ts';
import { goFormatDuration } from '../gocompat/duration.ts';
import { goRFC3339 } from '../gocompat/time.ts';
import { META_FILENAME, type BlockMeta } from '../tsdb/meta.ts';
import type { VerifyIssue } from './issue.ts';

function labelText(labels: Record<string, string>): string {
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')}}`;
}

/** One issue per overlapping pair, naming both blocks and the overlapping range. */
export function overlappedBlocks(metas: Iterable<BlockMeta>): VerifyIssue[] {
  const out: VerifyIssue[] = [];
  for (const g of groupBlocks(metas)) {
    for (const { a, b } of findOverlaps(g.metas)) {
      const from = Math.max(a.minTime, b.minTime);
      const to = Math.min(a.maxTime, b.maxTime);
      out.push({
        issue: 'overlapped_blocks',
        block: a.ulid,
        file: META_FILENAME,
        blocks: [a.ulid, b.ulid],
        message:
          `overlaps block ${b.ulid} in group ${labelText(g.labels)} resolution ` +
          `${goFormatDuration(g.resolution)}: [${goRFC3339(from)}, ${goRFC3339(to)}) ` +
          `(${a.ulid} [${a.minTime}, ${a.maxTime}), ${b.ulid} [${b.minTime}, ${b.maxTime}))`,
      });
    }
  }
  return out;
}
