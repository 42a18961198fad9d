import { describe, expect, it } from 'vitest';
import type { BlockMeta } from '../tsdb/meta.ts';
import { findDuplicates } from './syncer.ts';

function meta(ulid: string, sources: string[], resolution = 0): BlockMeta {
  return {
    ulid,
    minTime: 0,
    maxTime: 1,
    stats: {},
    compaction: { level: sources.length > 1 ? 2 : 1, sources },
    version: 1,
    thanos: { labels: {}, downsample: { resolution }, source: 'sidecar' },
  };
}

describe('findDuplicates', () => {
  it('finds inputs a compacted block already covers, per resolution', () => {
    const ms = [
      meta('A', ['A']),
      meta('B', ['B']),
      meta('C', ['C']),
      meta('AB', ['A', 'B']),
      meta('A5', ['A'], 300_000),
    ];
    expect([...findDuplicates(ms)].sort()).toEqual(['A', 'B']);
  });
});
