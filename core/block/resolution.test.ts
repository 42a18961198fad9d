import { describe, expect, it } from 'vitest';
import type { BlockMeta } from '../tsdb/meta.ts';
import { selectResolution } from './resolution.ts';

const H = 3_600_000;

function block(ulid: string, from: number, to: number, resolution: number, group = 'g') {
  const meta: BlockMeta = {
    ulid,
    minTime: from * H,
    maxTime: to * H,
    stats: {},
    compaction: { level: 1 },
    version: 1,
    thanos: { labels: {}, downsample: { resolution }, source: 'test' },
  };
  return { meta, group };
}

const ids = (bs: { meta: BlockMeta }[]): string[] => bs.map((b) => b.meta.ulid);

describe('selectResolution (Thanos getFor)', () => {
  const blocks = [
    block('raw1', 0, 48, 0),
    block('raw2', 48, 50, 0),
    block('raw3', 50, 52, 0),
    block('5m', 0, 48, 300_000),
    block('1h', 0, 24, 3_600_000),
    block('other-raw', 0, 48, 0, 'h'),
  ];

  it('takes the coarsest allowed resolution and fills its gaps from finer ones', () => {
    expect(ids(selectResolution(blocks, 0, 52 * H, 0))).toEqual([
      'raw1',
      'raw2',
      'raw3',
      'other-raw',
    ]);
    expect(ids(selectResolution(blocks, 0, 52 * H, 300_000))).toEqual([
      '5m',
      'raw2',
      'raw3',
      'other-raw',
    ]);
    // 1h for the first day, 5m for the second, raw after that.
    expect(ids(selectResolution(blocks, 0, 52 * H, 3_600_000))).toEqual([
      '1h',
      '5m',
      'raw2',
      'raw3',
      'other-raw',
    ]);
  });

  it('keeps a block inside another of the same resolution', () => {
    const bs = [block('big', 0, 10, 0), block('inner', 0, 1, 0), block('later', 2, 3, 0)];
    expect(ids(selectResolution(bs, 0, 10 * H, 0)).sort()).toEqual(['big', 'inner', 'later']);
  });

  it('a gap before the coarse block is filled too', () => {
    const bs = [block('raw', 0, 10, 0), block('5m', 5, 10, 300_000)];
    expect(ids(selectResolution(bs, 0, 10 * H - 1, Infinity))).toEqual(['raw', '5m']);
    expect(ids(selectResolution(bs, 6 * H, 10 * H - 1, Infinity))).toEqual(['5m']);
  });
});
