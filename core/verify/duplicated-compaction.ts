/**
 * @module core/verify/duplicated-compaction — Thanos's `duplicated_compaction` check: two blocks of
 * one group whose sources are equal (the same compaction done twice) or where one block's sources
 * are all sources of another (an input still there beside its compacted block). Either doubles
 * samples in queries until the redundant block goes. Blocks marked for deletion are left out by
 * the caller: the compactor marks its inputs once the output is uploaded.
 */
import { groupBlocks } from '../compact/group.ts';
import { compareStrings } from '../labels/labels.ts';
import { META_FILENAME, type BlockMeta } from '../tsdb/meta.ts';
import type { VerifyIssue } from './issue.ts';

const sourcesOf = (m: BlockMeta): readonly string[] => m.compaction.sources ?? [m.ulid];

/** One issue per redundant block, naming the block whose sources cover it. */
export function duplicatedCompaction(metas: Iterable<BlockMeta>): VerifyIssue[] {
  const out: VerifyIssue[] = [];
  for (const g of groupBlocks(metas)) {
    // Widest first, so a block is compared with every block that could cover it.
    const sorted = [...g.metas].sort(
      (a, b) => sourcesOf(b).length - sourcesOf(a).length || compareStrings(a.ulid, b.ulid),
    );
    const kept: { meta: BlockMeta; sources: Set<string> }[] = [];
    for (const m of sorted) {
      const s = sourcesOf(m);
      const cover = kept.find((k) => s.every((x) => k.sources.has(x)));
      if (!cover) {
        kept.push({ meta: m, sources: new Set(s) });
        continue;
      }
      const equal = cover.sources.size === s.length;
      out.push({
        issue: 'duplicated_compaction',
        block: m.ulid,
        file: META_FILENAME,
        blocks: [m.ulid, cover.meta.ulid],
        message: equal
          ? `same ${s.length} sources as block ${cover.meta.ulid} (a compaction done twice)`
          : `all ${s.length} sources are also sources of block ${cover.meta.ulid} (level ${cover.meta.compaction.level})`,
      });
    }
  }
  return out;
}
