import { describe, expect, it } from 'vitest';
import type { BlockMeta } from '../tsdb/meta.ts';
import { duplicatedCompaction } from './duplicated-compaction.ts';
import { overlappedBlocks } from './overlapped-blocks.ts';

const H = 3_600_000;
let n = 0;
function meta(
  from: number,
  to: number,
  labels: Record<string, string>,
  o: { resolution?: number; sources?: string[]; level?: number } = {},
): BlockMeta {
  const ulid = `01J${String(n++).padStart(23, '0')}`;
  return {
    ulid,
    minTime: from * H,
    maxTime: to * H,
    stats: {},
    compaction: { level: o.level ?? 1, sources: o.sources ?? [ulid] },
    version: 1,
    thanos: { labels, downsample: { resolution: o.resolution ?? 0 }, source: 'sidecar' },
  };
}

describe('overlapped_blocks', () => {
  it('adjacent blocks do not overlap; other labels or resolutions are other groups', () => {
    const a = meta(0, 2, { c: 'eu' });
    const b = meta(2, 4, { c: 'eu' });
    const c = meta(0, 4, { c: 'us' });
    const d = meta(0, 4, { c: 'eu' }, { resolution: 300_000 });
    expect(overlappedBlocks([a, b, c, d])).toEqual([]);
  });

  it('names both blocks and the overlapping range', () => {
    const a = meta(0, 2, { c: 'eu' });
    const b = meta(1, 3, { c: 'eu' });
    const [issue, ...rest] = overlappedBlocks([b, a]);
    expect(rest).toEqual([]);
    expect(issue!.blocks).toEqual([a.ulid, b.ulid]);
    expect(issue!.message).toContain('[1970-01-01T01:00:00Z, 1970-01-01T02:00:00Z)');
  });
});

describe('duplicated_compaction', () => {
  it('a block whose sources another covers, and equal sources', () => {
    const a = meta(0, 2, { c: 'eu' });
    const b = meta(2, 4, { c: 'eu' });
    const ab = meta(0, 4, { c: 'eu' }, { sources: [a.ulid, b.ulid], level: 2 });
    const again = meta(0, 4, { c: 'eu' }, { sources: [b.ulid, a.ulid], level: 2 });
    const issues = duplicatedCompaction([a, ab, again]);
    expect(issues.map((i) => i.blocks)).toEqual([
      [again.ulid, ab.ulid],
      [a.ulid, ab.ulid],
    ]);
    expect(issues[0]!.message).toContain('same 2 sources');
  });

  it('a downsampled copy is not a duplicate of its raw block', () => {
    const a = meta(0, 48, { c: 'eu' });
    const d = meta(0, 48, { c: 'eu' }, { resolution: 300_000, sources: [a.ulid] });
    expect(duplicatedCompaction([a, d])).toEqual([]);
  });
});
