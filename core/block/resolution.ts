/**
 * @module core/block/resolution — which blocks answer a request, by resolution, as Thanos's
 * `bucketBlockSet.getFor`: per set of external labels, the coarsest resolution allowed by the
 * request's max_resolution_window covers what it can, and the gaps it leaves (before, between and
 * after its blocks) are filled recursively from the next finer resolution. So a range with 1h
 * data reads only that, and missing coarse data falls back to finer data instead of vanishing.
 */
import { RES_LEVEL0, type BlockMeta } from '../tsdb/meta.ts';

export interface ResolutionCandidate {
  readonly meta: BlockMeta;
  /** Key of the block's external label set: blocks of different sets never stand in for each other. */
  readonly group: string;
}

export function resolutionOf(meta: BlockMeta): number {
  return meta.thanos?.downsample.resolution ?? RES_LEVEL0;
}

/**
 * The blocks among `blocks` (all overlapping [mint, maxt]) that serve the range: for each group,
 * the best available resolution ≤ `maxResolution` per part of the range.
 */
export function selectResolution<T extends ResolutionCandidate>(
  blocks: readonly T[],
  mint: number,
  maxt: number,
  maxResolution: number,
): T[] {
  const groups = new Map<string, T[]>();
  for (const b of blocks) {
    if (resolutionOf(b.meta) > maxResolution) continue;
    let g = groups.get(b.group);
    if (!g) groups.set(b.group, (g = []));
    g.push(b);
  }
  const out: T[] = [];
  for (const g of groups.values()) out.push(...selectGroup(g, mint, maxt));
  return out;
}

function selectGroup<T extends ResolutionCandidate>(blocks: T[], mint: number, maxt: number): T[] {
  const byRes = new Map<number, T[]>();
  for (const b of blocks) {
    const r = resolutionOf(b.meta);
    let list = byRes.get(r);
    if (!list) byRes.set(r, (list = []));
    list.push(b);
  }
  const resolutions = [...byRes.keys()].sort((a, b) => b - a);
  for (const list of byRes.values()) list.sort((a, b) => a.meta.minTime - b.meta.minTime);
  const fill = (i: number, from: number, to: number): T[] => {
    if (from > to || i >= resolutions.length) return [];
    const out: T[] = [];
    // Unlike getFor, a block inside another of its resolution is kept (overlapping raw blocks
    // before vertical compaction both hold data); only the gaps in their union go finer.
    let covered = from;
    for (const b of byRes.get(resolutions[i]!)!) {
      // meta.maxTime is exclusive.
      if (b.meta.maxTime <= from) continue;
      if (b.meta.minTime > to) break;
      out.push(...fill(i + 1, covered, b.meta.minTime - 1));
      out.push(b);
      covered = Math.max(covered, b.meta.maxTime);
    }
    out.push(...fill(i + 1, covered, to));
    return out;
  };
  return fill(0, mint, maxt);
}
