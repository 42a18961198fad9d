import { describe, expect, it } from 'vitest';
import type { BlockMeta } from '../tsdb/meta.ts';
import { duplicateBlocks } from './duplicate-filter.ts';

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

const sorted = (m: Map<string, string>): Array<[string, string]> =>
  [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1));

describe('duplicateBlocks', () => {
  it('finds inputs a compacted block already covers, per resolution', () => {
    const ms = [
      meta('A', ['A']),
      meta('B', ['B']),
      meta('C', ['C']),
      meta('AB', ['A', 'B']),
      meta('A5', ['A'], 300_000),
    ];
    expect(sorted(duplicateBlocks(ms))).toEqual([
      ['A', 'AB'],
      ['B', 'AB'],
    ]);
  });

  it('maps every level of a chain to the block with the most sources', () => {
    const ms = [
      meta('ABCD', ['A', 'B', 'C', 'D']),
      meta('A', ['A']),
      meta('AB', ['A', 'B']),
      meta('CD', ['C', 'D']),
      meta('D', ['D']),
      meta('E', ['E']),
    ];
    expect(sorted(duplicateBlocks(ms))).toEqual([
      ['A', 'ABCD'],
      ['AB', 'ABCD'],
      ['CD', 'ABCD'],
      ['D', 'ABCD'],
    ]);
  });

  it('keeps blocks that only overlap a larger one, and the earlier of two equal ones', () => {
    const ms = [
      meta('X2', ['A', 'B']),
      meta('X1', ['A', 'B']),
      meta('BC', ['B', 'C']),
      meta('ABD', ['A', 'B', 'D']),
    ];
    // BC shares B with ABD but holds C: both stay. X1 and X2 are inside ABD.
    expect(sorted(duplicateBlocks(ms))).toEqual([
      ['X1', 'ABD'],
      ['X2', 'ABD'],
    ]);
    expect(sorted(duplicateBlocks([meta('X2', ['A', 'B']), meta('X1', ['A', 'B'])]))).toEqual([
      ['X2', 'X1'],
    ]);
  });

  it('takes a block without sources as its own only source', () => {
    const bare = { ...meta('A', []), compaction: { level: 1 } } as BlockMeta;
    expect(sorted(duplicateBlocks([bare, meta('AB', ['A', 'B'])]))).toEqual([['A', 'AB']]);
  });

  it('sorts out a year of blocks (4,380 2h blocks and their compactions)', () => {
    const ms: BlockMeta[] = [];
    const raw = Array.from({ length: 4380 }, (_, i) => `R${String(i).padStart(5, '0')}`);
    for (const id of raw) ms.push(meta(id, [id]));
    for (let i = 0; i + 4 <= raw.length; i += 4) ms.push(meta(`L2-${i}`, raw.slice(i, i + 4)));
    for (let i = 0; i + 24 <= raw.length; i += 24) ms.push(meta(`L3-${i}`, raw.slice(i, i + 24)));
    const dup = duplicateBlocks(ms);
    // Every raw block (4,380) and every level-2 block inside a level-3 one (1,092 of 1,095).
    expect(dup.size).toBe(4380 + 1092);
    expect(dup.get('R00000')).toBe('L3-0');
    expect(dup.has('L2-4376')).toBe(false);
  });
});
