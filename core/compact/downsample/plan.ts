/**
 * @module core/compact/downsample/plan — which blocks are due for downsampling, by Thanos's rule
 * (compact.go `downsampleBucket`): a raw block spanning at least 40h gets a 5m copy, a 5m block
 * spanning at least 10 days a 1h copy, unless blocks of the target resolution already hold all
 * its sources. Blocks shorter than that are left for the compactor to merge first: downsampling
 * them would give chunks of a few windows each.
 */
import { RES_LEVEL0, RES_LEVEL1, RES_LEVEL2, type BlockMeta } from '../../tsdb/meta.ts';

/** A raw block is downsampled to 5m once it spans this much (downsample.ResLevel1DownsampleRange). */
export const RES_LEVEL1_DOWNSAMPLE_RANGE = 40 * 60 * 60 * 1000;
/** A 5m block is downsampled to 1h once it spans this much (ResLevel2DownsampleRange). */
export const RES_LEVEL2_DOWNSAMPLE_RANGE = 10 * 24 * 60 * 60 * 1000;

export interface DownsampleTask {
  readonly meta: BlockMeta;
  /** The resolution to write, ms. */
  readonly resolution: number;
}

/**
 * The downsampling due among `metas` (the bucket's blocks, marked-for-deletion ones left out by
 * the caller), raw blocks first. A 1h copy of a 5m block written in this pass is planned in the
 * next pass, as Thanos runs its raw and 5m rounds one after the other.
 */
export function planDownsample(metas: readonly BlockMeta[]): DownsampleTask[] {
  const covered = new Map<number, Set<string>>([
    [RES_LEVEL1, new Set()],
    [RES_LEVEL2, new Set()],
  ]);
  for (const m of metas) {
    const set = covered.get(resolutionOf(m));
    if (set) for (const id of sourcesOf(m)) set.add(id);
  }
  const tasks: DownsampleTask[] = [];
  for (const m of metas) {
    const res = resolutionOf(m);
    const target = res === RES_LEVEL0 ? RES_LEVEL1 : res === RES_LEVEL1 ? RES_LEVEL2 : 0;
    if (target === 0) continue;
    const minRange =
      target === RES_LEVEL1 ? RES_LEVEL1_DOWNSAMPLE_RANGE : RES_LEVEL2_DOWNSAMPLE_RANGE;
    if (m.maxTime - m.minTime < minRange) continue;
    const have = covered.get(target)!;
    if (sourcesOf(m).every((id) => have.has(id))) continue;
    tasks.push({ meta: m, resolution: target });
  }
  return tasks.sort((a, b) => a.resolution - b.resolution || a.meta.minTime - b.meta.minTime);
}

function resolutionOf(m: BlockMeta): number {
  return m.thanos?.downsample.resolution ?? RES_LEVEL0;
}

function sourcesOf(m: BlockMeta): readonly string[] {
  return m.compaction.sources && m.compaction.sources.length > 0 ? m.compaction.sources : [m.ulid];
}
