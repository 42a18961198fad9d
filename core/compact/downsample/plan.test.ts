import { describe, expect, it } from 'vitest';
import { RES_LEVEL1, RES_LEVEL2, type BlockMeta } from '../../tsdb/meta.ts';
import { planDownsample } from './plan.ts';

const H = 3_600_000;

function meta(ulid: string, hours: number, resolution: number, sources: string[]): BlockMeta {
  return {
    ulid,
    minTime: 0,
    maxTime: hours * H,
    stats: {},
    compaction: { level: 2, sources },
    version: 1,
    thanos: { labels: {}, downsample: { resolution }, source: 'compactor' },
  };
}

describe('planDownsample', () => {
  it('raw ≥ 40h → 5m, 5m ≥ 10d → 1h, skipping sources already covered', () => {
    const tasks = planDownsample([
      meta('A', 39, 0, ['s1']), // too short
      meta('B', 40, 0, ['s2', 's3']), // due
      meta('C', 48, 0, ['s4', 's5']), // covered by D
      meta('D', 48, RES_LEVEL1, ['s4', 's5']),
      meta('E', 48, 0, ['s6', 's7']), // half covered by F: due
      meta('F', 24, RES_LEVEL1, ['s6']),
      meta('G', 240, RES_LEVEL1, ['s8']), // due for 1h
      meta('H', 239, RES_LEVEL1, ['s9']), // too short
      meta('I', 240, RES_LEVEL1, ['s10']), // covered by J
      meta('J', 240, RES_LEVEL2, ['s10']),
    ]);
    expect(tasks.map((t) => [t.meta.ulid, t.resolution])).toEqual([
      ['B', RES_LEVEL1],
      ['E', RES_LEVEL1],
      ['G', RES_LEVEL2],
    ]);
  });
});
