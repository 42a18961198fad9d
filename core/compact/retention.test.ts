import { describe, expect, it } from 'vitest';
import type { BlockMeta } from '../tsdb/meta.ts';
import { blocksPastRetention } from './retention.ts';

const D = 86400_000;
function meta(id: string, maxTime: number, resolution = 0): BlockMeta {
  return {
    ulid: id,
    minTime: maxTime - D,
    maxTime,
    stats: {},
    compaction: { level: 1 },
    version: 1,
    thanos: { labels: {}, downsample: { resolution }, source: 'sidecar' },
  };
}

describe('retention', () => {
  it('selects blocks whose maxTime is past their resolution retention', () => {
    const now = 100 * D;
    const ms = [meta('old', 80 * D), meta('new', 95 * D), meta('old5m', 50 * D, 300_000)];
    expect(blocksPastRetention(ms, { raw: 10 * D }, now).map((m) => m.ulid)).toEqual(['old']);
    expect(blocksPastRetention(ms, { raw: 0, res5m: 30 * D }, now).map((m) => m.ulid)).toEqual([
      'old5m',
    ]);
  });
});
