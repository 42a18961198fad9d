import { describe, expect, it } from 'vitest';
import { CHEAP_GAP, SizeSampler, planReads, type PlanOptions } from './read-planner.ts';

const OPTS: PlanOptions = {
  ahead: 2048,
  guess: 300,
  maxGap: 16 * 1024,
  maxRead: 8 * 1024 * 1024,
  limit: 1 << 30,
};

/** Items of `size` bytes every `every` bytes. */
const items = (n: number, size: number, every: number) =>
  Array.from({ length: n }, (_, i) => ({ start: i * every, size }));

const plan = (xs: { start: number; size: number }[], opts = OPTS) =>
  planReads(
    xs,
    (x) => x.start,
    (x) => x.size,
    opts,
  );

describe('planReads', () => {
  it('reads through gaps of a few KiB however sparse (one request, not one per range)', () => {
    // A dashboard refresh's new step: each series' last chunks, 300 bytes in every 1.9 KiB.
    const reads = plan(items(500, 300, 1900));
    expect(reads).toHaveLength(1);
    expect(reads[0]!.items).toHaveLength(500);
    expect(reads[0]!.end - reads[0]!.start).toBe(499 * 1900 + 300);
  });

  it('keeps bytes within about 2x past the cheap gap, and never reads through maxGap', () => {
    // 1 KiB ranges 6 KiB apart: each gap (5 KiB) is past CHEAP_GAP and 5x the range: read apart.
    expect(6 * 1024 - 1024).toBeGreaterThan(CHEAP_GAP);
    expect(plan(items(10, 1024, 6 * 1024))).toHaveLength(10);
    // 10 KiB ranges with 4.5 KiB gaps: past CHEAP_GAP, but under half of the bytes read: joined.
    expect(4608).toBeGreaterThan(CHEAP_GAP);
    expect(plan(items(10, 10 * 1024, 10 * 1024 + 4608))).toHaveLength(1);
    // A gap past maxGap always splits.
    expect(plan(items(3, 64 * 1024, 64 * 1024 + OPTS.maxGap + 1))).toHaveLength(3);
  });

  it('never makes a read larger than maxRead', () => {
    const reads = plan(items(100, 300, 1900), { ...OPTS, maxRead: 19_000 });
    for (const r of reads) expect(r.end - r.start).toBeLessThanOrEqual(19_000);
    expect(reads.flatMap((r) => r.items)).toHaveLength(100);
  });
});

describe('SizeSampler', () => {
  it('keeps the last `max` sizes and gives their median', () => {
    const s = new SizeSampler(5);
    expect(s.median(42)).toBe(42);
    s.add(100);
    expect(s.median(42)).toBe(100);
    for (const size of [1, 2]) s.add(size);
    expect(s.count).toBe(3);
    expect(s.median(0)).toBe(2);
    // 100, 1 and 2 fall out of the window of five.
    for (const size of [50, 60, 70, 80, 90]) s.add(size);
    expect(s.count).toBe(5);
    expect(s.median(0)).toBe(70);
    s.add(5);
    expect(s.median(0)).toBe(70);
    s.add(6);
    expect(s.median(0)).toBe(70);
    s.add(7);
    expect(s.median(0)).toBe(7);
  });
});
