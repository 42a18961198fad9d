import { describe, expect, it } from 'vitest';
import { ownsBlock, shardOf, type ShardSpec } from './shard.ts';

const IDS = Array.from({ length: 64 }, (_, i) => `01J${String(i).padStart(23, '0')}`);
const DAY = 24 * 3600_000;

describe('ownsBlock', () => {
  for (const by of ['block', 'day'] as const) {
    it(`gives every block to exactly one of n shards (${by})`, () => {
      const specs: ShardSpec[] = [0, 1, 2].map((index) => ({ index, count: 3, by }));
      for (const [i, id] of IDS.entries()) {
        const meta = { minTime: i * DAY };
        const owners = specs.filter((s) => ownsBlock(s, id, meta)).map((s) => s.index);
        expect(owners).toEqual([shardOf(id, meta.minTime, 3, by)]);
      }
    });
  }

  it('a block known only by ULID: by block its hash decides, by day shard 0 reports it', () => {
    for (const id of IDS) {
      const byBlock = [0, 1, 2].filter((index) => ownsBlock({ index, count: 3, by: 'block' }, id));
      expect(byBlock).toEqual([shardOf(id, 0, 3, 'block')]);
      const byDay = [0, 1, 2].filter((index) => ownsBlock({ index, count: 3, by: 'day' }, id));
      expect(byDay).toEqual([0]);
    }
  });
});
