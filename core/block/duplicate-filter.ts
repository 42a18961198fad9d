/**
 * @module core/block/duplicate-filter — Thanos's DeduplicateFilter: within one resolution, a block
 * whose sources all lie in another block is redundant, the input of a compaction whose output is
 * already in the bucket (uploaded, its meta.json last). The compactor skips such blocks; the
 * store gateway serves the output alone, so for the day its inputs wait out their deletion delay
 * a query reads one block where it would read several and merge their overlapping chunks.
 */
import type { BlockMeta } from '../tsdb/meta.ts';

const sourcesOf = (m: BlockMeta): readonly string[] => m.compaction.sources ?? [m.ulid];

/**
 * The redundant blocks among `metas`, each mapped to a block that covers it. A block with more
 * sources wins over one with fewer, and between equal source sets the earlier ULID wins.
 */
export function duplicateBlocks(metas: Iterable<BlockMeta>): Map<string, string> {
  const byResolution = new Map<number, BlockMeta[]>();
  for (const m of metas) {
    const r = m.thanos?.downsample.resolution ?? 0;
    let list = byResolution.get(r);
    if (!list) byResolution.set(r, (list = []));
    list.push(m);
  }
  const dup = new Map<string, string>();
  for (const list of byResolution.values()) {
    list.sort(
      (a, b) =>
        sourcesOf(b).length - sourcesOf(a).length ||
        (a.ulid < b.ulid ? -1 : a.ulid > b.ulid ? 1 : 0),
    );
    /** Kept blocks by each of their sources: a covering block must hold a block's first source. */
    const keptBySource = new Map<string, Array<{ ulid: string; sources: ReadonlySet<string> }>>();
    for (const m of list) {
      const sources = sourcesOf(m);
      const candidates = sources.length > 0 ? keptBySource.get(sources[0]!) : undefined;
      const cover = candidates?.find((k) => sources.every((s) => k.sources.has(s)));
      if (cover) {
        dup.set(m.ulid, cover.ulid);
        continue;
      }
      const kept = { ulid: m.ulid, sources: new Set(sources) };
      for (const s of kept.sources) {
        const at = keptBySource.get(s);
        if (at) at.push(kept);
        else keptBySource.set(s, [kept]);
      }
    }
  }
  return dup;
}
