/**
 * @module core/compact/retention — Thanos's ApplyRetentionPolicyByResolution: a block whose
 * maxTime is older than its resolution's retention is marked for deletion (0 keeps forever).
 * Deletion itself happens after the delete delay, like every marked block.
 */
import { RES_LEVEL0, RES_LEVEL1, RES_LEVEL2, type BlockMeta } from '../tsdb/meta.ts';

/** Retention per resolution in ms; 0 or absent = forever. */
export interface RetentionPolicy {
  readonly raw?: number;
  readonly res5m?: number;
  readonly res1h?: number;
}

export function retentionFor(policy: RetentionPolicy, resolution: number): number {
  switch (resolution) {
    case RES_LEVEL0:
      return policy.raw ?? 0;
    case RES_LEVEL1:
      return policy.res5m ?? 0;
    case RES_LEVEL2:
      return policy.res1h ?? 0;
    default:
      return 0;
  }
}

/** Blocks past their resolution's retention at `now` (ms). */
export function blocksPastRetention(
  metas: Iterable<BlockMeta>,
  policy: RetentionPolicy,
  now: number,
): BlockMeta[] {
  const out: BlockMeta[] = [];
  for (const m of metas) {
    const keep = retentionFor(policy, m.thanos?.downsample.resolution ?? 0);
    if (keep > 0 && m.maxTime < now - keep) out.push(m);
  }
  return out;
}
