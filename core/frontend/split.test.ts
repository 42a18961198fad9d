import { describe, expect, it } from 'vitest';
import { parseExpr } from '../promql/parser/index.ts';
import { splitByInterval } from './split.ts';
import { splittable } from './splittable.ts';

const H = 3600_000;
const D = 24 * H;

describe('splitByInterval', () => {
  it('cuts at day boundaries, every piece on the request grid, covering every step once', () => {
    const start = 3 * D - 5 * H + 7_000;
    const end = 5 * D + 2 * H;
    const step = 60_000 * 7;
    const pieces = splitByInterval(start, end, step, D);
    expect(pieces).toHaveLength(4);
    const steps: number[] = [];
    for (const p of pieces) {
      expect((p.start - start) % step).toBe(0);
      expect(Math.floor(p.start / D)).toBe(Math.floor(p.end / D));
      for (let t = p.start; t <= p.end; t += step) steps.push(t);
    }
    const want: number[] = [];
    for (let t = start; t <= end; t += step) want.push(t);
    expect(steps).toEqual(want);
  });
  it('a step longer than the interval still covers each step once', () => {
    const pieces = splitByInterval(0, 10 * D, 3 * D, D);
    expect(pieces.map((p) => [p.start, p.end])).toEqual([
      [0, 0],
      [3 * D, 3 * D],
      [6 * D, 6 * D],
      [9 * D, 9 * D],
    ]);
  });
  it('interval 0 is one piece; a one-step range is one piece', () => {
    expect(splitByInterval(5, 500, 5, 0)).toEqual([{ start: 5, end: 500 }]);
    expect(splitByInterval(D - 1, D - 1, 60_000, D)).toEqual([{ start: D - 1, end: D - 1 }]);
  });
});

describe('splittable', () => {
  it.each([
    ['rate(http_requests_total[5m])', true],
    ['sum by (job) (rate({__name__="x", job="a"}[5m]))', true],
    ['label_replace(up, "a", "b", "", "")', true],
    ['{__name__=~"a|b"}', true],
    ['-{__name__=~"a|b"}', false],
    ['rate({job="a"}[5m])', false],
    ['up @ start()', false],
    ['rate(up[5m] @ end())', false],
    ['max_over_time(up[10m:1m] @ end())', false],
    ['up @ 100', true],
  ])('%s → %s', (q, want) => {
    expect(splittable(parseExpr(q))).toBe(want);
  });
});
