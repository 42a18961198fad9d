import { describe, expect, it } from 'vitest';
import { at0, call, evalRange, load, matrix, rows, scalar } from './test-helpers.ts';
import { Random } from '../../../test/helpers/random.ts';

const s10 = 10_000;
const m5 = 300_000;
const at = (ms: number) => evalRange(ms, ms, 1);
const one = (name: string, values: number[], rangeMs = 60_000, atMs = 60_000) => {
  const r = at(atMs);
  return at0(call(name, [matrix(r, rangeMs, [{ labels: {}, samples: load(s10, values) }])], r))[
    '{}'
  ];
};

describe('avg_over_time and sum_over_time (Inf handling, overflow)', () => {
  const cases: Array<[number[], number, number]> = [
    [[1, 2, 3, 4, 5], 3, 3],
    [[1, 2, 3, 4, Infinity], Infinity, Infinity],
    [[1, 2, 3, 4, -Infinity], -Infinity, -Infinity],
    [[1, 2, 3, Infinity, -Infinity], NaN, NaN],
    [[Infinity, 0, Infinity], Infinity, Infinity],
    [[Infinity, Infinity, Infinity, -Infinity], NaN, NaN],
    [[1, 2, 3, -Infinity, -Infinity], -Infinity, -Infinity],
    [[-Infinity, 0, -Infinity], -Infinity, -Infinity],
    [[-Infinity, -Infinity, -Infinity, Infinity], NaN, NaN],
    [[1, 2, -Infinity, -Infinity, Infinity], NaN, NaN],
    [[9.988465674311579e307, 9.988465674311579e307], 9.988465674311579e307, Infinity],
    [
      [-9.988465674311579e307, -9.988465674311579e307, -9.988465674311579e307],
      -9.988465674311579e307,
      -Infinity,
    ],
    [[-9.988465674311579e307, 9.988465674311579e307], 0, 0],
  ];
  it.each(cases)('%j → avg %d, sum/count %d', (values, avg, sumPerCount) => {
    expect(one('avg_over_time', values)).toBe(avg);
    expect(one('sum_over_time', values)! / one('count_over_time', values)!).toBe(sumPerCount);
  });
});

describe('stddev/stdvar/quantile_over_time', () => {
  it('variance of 0 8 8 2 3', () => {
    expect(one('stdvar_over_time', [0, 8, 8, 2, 3])).toBeCloseTo(10.56, 12);
    expect(one('stddev_over_time', [0, 8, 8, 2, 3])).toBeCloseTo(3.249615, 6);
  });
  it('constant series has exactly zero variance (prometheus#4927)', () => {
    const c = 1.5990505637277868;
    expect(one('stdvar_over_time', [c, c, c])).toBe(0);
    expect(one('stddev_over_time', [c, c, c])).toBe(0);
  });
  it('quantiles with interpolation and out-of-range q', () => {
    const r = at(60_000);
    const mat = matrix(r, 60_000, [
      { labels: { test: 'two' }, samples: load(s10, [0, 1]) },
      { labels: { test: 'three' }, samples: load(s10, [0, 1, 2]) },
      { labels: { test: 'uneven' }, samples: load(s10, [0, 1, 4]) },
    ]);
    const q = (x: number) => at0(call('quantile_over_time', [scalar(1, x), mat], r));
    expect(q(0)).toEqual({ '{test="two"}': 0, '{test="three"}': 0, '{test="uneven"}': 0 });
    expect(q(0.5)).toEqual({ '{test="two"}': 0.5, '{test="three"}': 1, '{test="uneven"}': 1 });
    expect(q(0.75)).toEqual({
      '{test="two"}': 0.75,
      '{test="three"}': 1.5,
      '{test="uneven"}': 2.5,
    });
    expect(q(0.8)['{test="uneven"}']).toBeCloseTo(2.8, 12);
    expect(q(-1)).toEqual({
      '{test="two"}': -Infinity,
      '{test="three"}': -Infinity,
      '{test="uneven"}': -Infinity,
    });
    expect(q(2)['{test="two"}']).toBe(Infinity);
    expect(q(NaN)['{test="two"}']).toBeNaN();
  });
  it("-0 and 0 keep the order Go's sort leaves them in", () => {
    const r = at(60_000);
    const mat = matrix(r, 60_000, [{ labels: {}, samples: load(s10, [0, -0]) }]);
    expect(Object.is(at0(call('quantile_over_time', [scalar(1, 1), mat], r))['{}'], -0)).toBe(true);
    expect(Object.is(at0(call('quantile_over_time', [scalar(1, 0), mat], r))['{}'], 0)).toBe(true);
  });
  it('NaN samples sort first', () => {
    const r = at(60_000);
    const mat = matrix(r, 60_000, [{ labels: {}, samples: load(s10, [3, NaN, 1, 2]) }]);
    expect(at0(call('quantile_over_time', [scalar(1, 0), mat], r))['{}']).toBeNaN();
    expect(at0(call('quantile_over_time', [scalar(1, 1), mat], r))['{}']).toBe(3);
  });
});

describe('min/max/last_over_time with NaN', () => {
  const data: Array<[string, number[]]> = [
    ['numbers', [2, 0, 3]],
    ['some_nan', [2, 0, NaN]],
    ['some_nan2', [2, NaN, 1]],
    ['some_nan3', [NaN, 0, 1]],
    ['only_nan', [NaN, NaN, NaN]],
  ];
  const r = at(60_000);
  const mat = matrix(
    r,
    60_000,
    data.map(([type, v]) => ({ labels: { __name__: 'data', type }, samples: load(s10, v) })),
  );
  it('min', () => {
    expect(at0(call('min_over_time', [mat], r))).toEqual({
      '{type="numbers"}': 0,
      '{type="some_nan"}': 0,
      '{type="some_nan2"}': 1,
      '{type="some_nan3"}': 0,
      '{type="only_nan"}': NaN,
    });
  });
  it('max', () => {
    expect(at0(call('max_over_time', [mat], r))).toEqual({
      '{type="numbers"}': 3,
      '{type="some_nan"}': 2,
      '{type="some_nan2"}': 2,
      '{type="some_nan3"}': 1,
      '{type="only_nan"}': NaN,
    });
  });
  it('last keeps the metric name', () => {
    expect(at0(call('last_over_time', [mat], r))).toEqual({
      '{__name__="data",type="numbers"}': 3,
      '{__name__="data",type="some_nan"}': NaN,
      '{__name__="data",type="some_nan2"}': 1,
      '{__name__="data",type="some_nan3"}': 1,
      '{__name__="data",type="only_nan"}': NaN,
    });
  });
});

/** Prometheus's per-window loops, for differential checks of the sliding versions. */
function goMax(v: number[]): number {
  let max = v[0]!;
  for (const x of v) if (x > max || Number.isNaN(max)) max = x;
  return max;
}
function goMin(v: number[]): number {
  let min = v[0]!;
  for (const x of v) if (x < min || Number.isNaN(min)) min = x;
  return min;
}
function goChanges(v: number[]): number {
  let c = 0;
  for (let i = 1; i < v.length; i++)
    if (v[i] !== v[i - 1] && !(Number.isNaN(v[i]!) && Number.isNaN(v[i - 1]!))) c++;
  return c;
}
function goResets(v: number[]): number {
  let c = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! < v[i - 1]!) c++;
  return c;
}

describe('sliding windows across many steps match per-window recomputation', () => {
  const rnd = new Random(7);
  const pool = [NaN, 0, -0, 1, 1, 2, 5, -3, Infinity, -Infinity];
  const samples: Array<[number, number]> = [];
  let t = 0;
  for (let i = 0; i < 400; i++) {
    t += 1 + rnd.int(30_000);
    samples.push([t, rnd.next() < 0.5 ? rnd.pick(pool) : Math.round(rnd.next() * 20)]);
  }
  const r = evalRange(0, t + 60_000, 7_000);
  const rangeMs = 95_000;
  const mat = matrix(r, rangeMs, [{ labels: {}, samples }]);
  const windowOf = (i: number) =>
    samples.filter(([ts]) => ts >= r.times[i]! - rangeMs && ts <= r.times[i]!).map((p) => p[1]);
  const check = (name: string, ref: (v: number[]) => number) => {
    const out = rows(call(name, [mat], r))[0]!.values;
    for (let i = 0; i < r.count; i++) {
      const w = windowOf(i);
      if (w.length === 0) expect(out[i]).toBeUndefined();
      else
        expect(Object.is(out[i], ref(w)) || (Number.isNaN(out[i]) && Number.isNaN(ref(w)))).toBe(
          true,
        );
    }
  };
  it('max_over_time', () => check('max_over_time', goMax));
  it('min_over_time', () => check('min_over_time', goMin));
  it('changes', () => check('changes', goChanges));
  it('resets', () => check('resets', goResets));
  it('count_over_time', () => check('count_over_time', (v) => v.length));
  it('present_over_time', () => check('present_over_time', () => 1));
});

describe('changes and resets (functions.test)', () => {
  const r = at(50 * 60_000);
  const data = [
    { labels: { path: '/foo' }, samples: load(m5, [1, 2, 3, 0, 1, 0, 0, 1, 2, 0]) },
    { labels: { path: '/bar' }, samples: load(m5, [1, 2, 3, 4, 5, 1, 2, 3, 4, 5]) },
    { labels: { path: '/biz' }, samples: load(m5, [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]) },
  ];
  const f = (name: string, minutes: number) =>
    at0(call(name, [matrix(r, minutes * 60_000, data)], r));
  it('resets', () => {
    expect(f('resets', 5)).toEqual({ '{path="/foo"}': 0, '{path="/bar"}': 0, '{path="/biz"}': 0 });
    expect(f('resets', 20)).toEqual({ '{path="/foo"}': 1, '{path="/bar"}': 0, '{path="/biz"}': 0 });
    expect(f('resets', 30)).toEqual({ '{path="/foo"}': 2, '{path="/bar"}': 1, '{path="/biz"}': 0 });
    expect(f('resets', 50)).toEqual({ '{path="/foo"}': 3, '{path="/bar"}': 1, '{path="/biz"}': 0 });
  });
  it('changes', () => {
    expect(f('changes', 20)).toEqual({
      '{path="/foo"}': 3,
      '{path="/bar"}': 3,
      '{path="/biz"}': 0,
    });
    expect(f('changes', 30)).toEqual({
      '{path="/foo"}': 4,
      '{path="/bar"}': 5,
      '{path="/biz"}': 1,
    });
    expect(f('changes', 50)).toEqual({
      '{path="/foo"}': 8,
      '{path="/bar"}': 9,
      '{path="/biz"}': 1,
    });
  });
  it('NaN to NaN is no change', () => {
    const r15 = at(15 * 60_000);
    const mat = matrix(r15, 15 * 60_000, [
      { labels: { a: 'b' }, samples: load(m5, [NaN, NaN, NaN]) },
      { labels: { a: 'c' }, samples: load(m5, [0, NaN, 0]) },
    ]);
    expect(at0(call('changes', [mat], r15))).toEqual({ '{a="b"}': 0, '{a="c"}': 2 });
  });
});
