import { describe, expect, it } from 'vitest';
import type { BlockMeta } from '../tsdb/meta.ts';
import {
  DEFAULT_RANGES,
  exponentialBlockRanges,
  findOverlaps,
  plan,
  splitByRange,
} from './planner.ts';

const H = 3600_000;
let seq = 0;
function meta(minH: number, maxH: number, id?: string): BlockMeta {
  const ulid = id ?? `01H${String(seq++).padStart(23, '0')}`;
  return {
    ulid,
    minTime: minH * H,
    maxTime: maxH * H,
    stats: {},
    compaction: { level: 1, sources: [ulid] },
    version: 1,
  };
}
const ids = (ms: BlockMeta[]): string[] => ms.map((m) => m.ulid);

describe('planner', () => {
  it('has Thanos ranges 2h, 8h, 2d, 14d', () => {
    expect(DEFAULT_RANGES).toEqual([2 * H, 8 * H, 48 * H, 14 * 24 * H]);
    expect(exponentialBlockRanges(2 * H, 3, 4)).toEqual([2 * H, 8 * H, 32 * H]);
  });

  it('compacts a full 8h range of 2h blocks but never the newest block', () => {
    const bs = [meta(0, 2), meta(2, 4), meta(4, 6), meta(6, 8), meta(8, 10)];
    expect(ids(plan(bs))).toEqual(ids(bs.slice(0, 4)));
    // Only the first three + newest: range 0-8h is incomplete and reaches past the newest start.
    expect(plan([bs[0]!, bs[1]!, bs[2]!, bs[3]!])).toEqual([]);
  });

  it('takes an incomplete range that lies before the newest block', () => {
    const bs = [meta(0, 2), meta(2, 4), meta(8, 10), meta(10, 12)];
    expect(ids(plan(bs))).toEqual(ids(bs.slice(0, 2)));
  });

  it('skips no-compact blocks without opening gaps', () => {
    const bs = [meta(0, 2), meta(2, 4), meta(4, 6), meta(6, 8), meta(8, 10)];
    expect(ids(plan(bs, { noCompact: new Set([bs[1]!.ulid]) }))).toEqual(ids(bs.slice(2, 4)));
    expect(plan(bs, { noCompact: new Set([bs[0]!.ulid, bs[2]!.ulid]) })).toEqual([]);
  });

  it('plans overlapping blocks first with vertical compaction', () => {
    const bs = [meta(0, 2), meta(1, 3), meta(4, 6)];
    expect(findOverlaps(bs).map((o) => [o.a.ulid, o.b.ulid])).toEqual([[bs[0]!.ulid, bs[1]!.ulid]]);
    expect(ids(plan(bs, { vertical: true }))).toEqual(ids(bs.slice(0, 2)));
  });

  it('splits by aligned ranges', () => {
    const bs = [meta(0, 2), meta(2, 4), meta(6, 10), meta(8, 10)];
    expect(splitByRange(bs, 8 * H).map(ids)).toEqual([ids(bs.slice(0, 2)), ids(bs.slice(3))]);
  });

  it('goes up the levels: four 8h blocks of a 2d range once the range is complete', () => {
    const bs = [0, 8, 16, 24, 32, 40].map((s) => meta(s, s + 8)).concat([meta(48, 50)]);
    expect(ids(plan(bs))).toEqual(ids(bs.slice(0, 6)));
  });
});
