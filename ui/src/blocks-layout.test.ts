import { describe, expect, it } from 'vitest';
import { layoutBlocks, resolutionName, timeTicks, type BlockInfo } from './blocks-layout.ts';

const H = 3_600_000;
const block = (
  ulid: string,
  from: number,
  to: number,
  labels: Record<string, string>,
  resolution = 0,
  level = 1,
): BlockInfo => ({
  ulid,
  minTime: from * H,
  maxTime: to * H,
  compaction: { level },
  thanos: { labels, downsample: { resolution } },
});

describe('blocks layout', () => {
  it('one row per label set and resolution, positions in % of the time axis', () => {
    const l = layoutBlocks([
      block('A', 0, 2, { c: 'eu' }),
      block('B', 2, 4, { c: 'eu' }),
      block('C', 0, 4, { c: 'eu' }, 300_000, 2),
      block('D', 4, 8, { c: 'us' }),
    ]);
    expect(l.minTime).toBe(0);
    expect(l.maxTime).toBe(8 * H);
    expect(l.rows.map((r) => [r.labels, resolutionName(r.resolution), r.blocks.length])).toEqual([
      [{ c: 'eu' }, 'raw', 2],
      [{ c: 'eu' }, '5m', 1],
      [{ c: 'us' }, 'raw', 1],
    ]);
    const b = l.rows[0]!.blocks.find((p) => p.block.ulid === 'B')!;
    expect([b.left, b.width, b.lane]).toEqual([25, 25, 0]);
  });

  it('overlapping blocks of a row take separate lanes', () => {
    const l = layoutBlocks([
      block('A', 0, 2, { c: 'eu' }),
      block('B', 1, 3, { c: 'eu' }),
      block('C', 2, 4, { c: 'eu' }),
    ]);
    expect(l.rows[0]!.lanes).toBe(2);
    expect(l.rows[0]!.blocks.map((p) => [p.block.ulid, p.lane])).toEqual([
      ['A', 0],
      ['B', 1],
      ['C', 0],
    ]);
  });

  it('ticks are round times inside the range', () => {
    const t = timeTicks(H / 2, 10 * H);
    expect(t[0]).toBe(2 * H);
    expect(t.every((x) => x % (2 * H) === 0 && x <= 10 * H)).toBe(true);
  });
});
