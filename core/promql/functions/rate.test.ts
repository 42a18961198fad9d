import { describe, expect, it } from 'vitest';
import { at0, call, evalRange, load, matrix, rows } from './test-helpers.ts';
import { extrapolatedRate } from './rate.ts';
import { Random } from '../../../test/helpers/random.ts';

const m5 = 300_000;
const at = (ms: number) => evalRange(ms, ms, 1);

describe('rate/increase/delta (Prometheus functions.test cases)', () => {
  it('increase over a counter with and without a reset', () => {
    const r = at(50 * 60_000);
    const mat = matrix(r, 50 * 60_000, [
      { labels: { path: '/foo' }, samples: load(m5, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]) },
      {
        labels: { path: '/bar' },
        samples: load(m5, [0, 10, 20, 30, 40, 50, 0, 10, 20, 30, 40, 50]),
      },
    ]);
    expect(at0(call('increase', [mat], r))).toEqual({ '{path="/foo"}': 100, '{path="/bar"}': 90 });
  });

  it('a decreasing counter counts as a reset to zero', () => {
    const r = at(30 * 60_000);
    const mat = matrix(r, 30 * 60_000, [{ labels: {}, samples: load(m5, [0, 1, 2, 3, 2, 3, 4]) }]);
    expect(at0(call('increase', [mat], r))).toEqual({ '{}': 7 });
  });

  it('rate with a reset in the middle and at the end of the range', () => {
    const r = at(50 * 60_000);
    const middle = matrix(r, 50 * 60_000, [
      { labels: {}, samples: load(m5, [0, 10, 20, 30, 40, 0, 10, 20, 30, 40, 50]) },
    ]);
    expect(at0(call('rate', [middle], r))['{}']).toBeCloseTo(0.03, 15);
    const end = matrix(r, m5, [
      { labels: {}, samples: load(m5, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 0, 10]) },
    ]);
    expect(at0(call('rate', [end], r))).toEqual({ '{}': 0 });
  });

  it('rate with offset and exact per-second values', () => {
    const r = at(50 * 60_000);
    const ok = matrix(r, 50 * 60_000, [
      {
        labels: {},
        samples: load(
          m5,
          Array.from({ length: 11 }, (_, i) => i * 80),
        ),
      },
    ]);
    expect(at0(call('rate', [ok], r))).toEqual({ '{}': 0.26666666666666666 });
    const off = matrix(
      r,
      10 * 60_000,
      [
        {
          labels: { x: 'a' },
          samples: load(
            m5,
            Array.from({ length: 11 }, (_, i) => i * 10),
          ),
        },
      ],
      m5,
    );
    expect(at0(call('rate', [off], r))).toEqual({ '{x="a"}': 0.03333333333333333 });
  });

  it('zero-point cutoff for left-side extrapolation', () => {
    const expected10 = [0.5, 0.55, 0.6, 0.65, 0.7, 0.6];
    for (let k = 0; k < 6; k++) {
      const samples = load(
        240_000,
        Array.from({ length: 11 }, (_, i) => k * 60 + 240 * i),
      );
      const r10 = at(10 * 60_000);
      const v10 = at0(call('rate', [matrix(r10, 20 * 60_000, [{ labels: {}, samples }])], r10))[
        '{}'
      ]!;
      expect(v10).toBeCloseTo(expected10[k]!, 12);
      const r50 = at(50 * 60_000);
      const v50 = at0(call('rate', [matrix(r50, 20 * 60_000, [{ labels: {}, samples }])], r50))[
        '{}'
      ]!;
      expect(v50).toBeCloseTo(0.6, 12);
    }
  });

  it('delta extrapolates without counter handling', () => {
    const r = at(20 * 60_000);
    const mat = matrix(r, 20 * 60_000, [
      { labels: { path: '/foo' }, samples: load(m5, [0, 50, 100, 150, 200]) },
      { labels: { path: '/bar' }, samples: load(m5, [200, 150, 100, 50, 0]) },
    ]);
    expect(at0(call('delta', [mat], r))).toEqual({ '{path="/foo"}': 200, '{path="/bar"}': -200 });
  });

  it('drops single-sample and empty windows, and keeps one output slot per step', () => {
    const r = evalRange(0, 20 * 60_000, m5);
    const mat = matrix(r, m5, [
      {
        labels: { __name__: 'x', a: '1' },
        samples: [
          [0, 1],
          [m5, 2],
          [4 * m5, 5],
        ],
      },
    ]);
    const out = rows(call('rate', [mat], r));
    expect(out).toHaveLength(1);
    expect(out[0]!.labels).toEqual([{ name: 'a', value: '1' }]);
    // step 0: one sample; step 1: two samples; steps 2, 3: one or none; step 4: one.
    expect(out[0]!.values.map((x) => x !== undefined)).toEqual([false, true, false, false, false]);
  });

  it('leaves out series without any output', () => {
    const r = at(m5);
    const mat = matrix(r, m5, [{ labels: { a: '1' }, samples: [[0, 1]] }]);
    expect(rows(call('increase', [mat], r))).toEqual([]);
  });

  it('extrapolation thresholds: far from the boundaries extrapolates half an interval', () => {
    // Window [0, 100s], samples at 40s and 50s: both ends are farther than 1.1 × 10s.
    const v = extrapolatedRate(
      Float64Array.of(40_000, 50_000),
      Float64Array.of(1, 2),
      0,
      2,
      0,
      100_000,
      100,
      false,
      false,
    );
    expect(v).toBe(2); // (10 + 5 + 5) / 10 × 1
    // NaN and Inf propagate as Go computes them.
    expect(
      extrapolatedRate(
        Float64Array.of(0, 10_000),
        Float64Array.of(1, NaN),
        0,
        2,
        0,
        10_000,
        10,
        true,
        true,
      ),
    ).toBeNaN();
  });
});

describe('irate/idelta', () => {
  it('uses the last two samples; a drop is a reset for irate', () => {
    const foo = load(
      m5,
      Array.from({ length: 11 }, (_, i) => i * 10),
    );
    const bar = load(m5, [0, 10, 20, 30, 40, 50, 0, 10, 20, 30, 40, 50]);
    const r50 = at(50 * 60_000);
    const mat50 = matrix(r50, 50 * 60_000, [
      { labels: { path: '/foo' }, samples: foo },
      { labels: { path: '/bar' }, samples: bar },
    ]);
    expect(at0(call('irate', [mat50], r50))).toEqual({
      '{path="/foo"}': 10 / 300,
      '{path="/bar"}': 10 / 300,
    });
    const r30 = at(30 * 60_000);
    const mat30 = matrix(r30, 50 * 60_000, [
      { labels: { path: '/foo' }, samples: foo },
      { labels: { path: '/bar' }, samples: bar },
    ]);
    expect(at0(call('irate', [mat30], r30))).toEqual({
      '{path="/foo"}': 10 / 300,
      '{path="/bar"}': 0,
    });
  });

  it('idelta is the plain difference', () => {
    const r = at(20 * 60_000);
    const mat = matrix(r, 20 * 60_000, [
      { labels: { path: '/foo' }, samples: load(m5, [0, 50, 100, 150]) },
      { labels: { path: '/bar' }, samples: load(m5, [0, 50, 100, 50]) },
    ]);
    expect(at0(call('idelta', [mat], r))).toEqual({ '{path="/foo"}': 50, '{path="/bar"}': -50 });
  });
});

describe('reset cursor equals the reference loop', () => {
  it('rate/increase over many overlapping windows with resets and NaN, bit for bit', () => {
    const rnd = new Random(11);
    const samples: Array<[number, number]> = [];
    let t = 0;
    let c = 0;
    for (let i = 0; i < 600; i++) {
      t += 1_000 + rnd.int(20_000);
      const u = rnd.next();
      if (u < 0.05) c = rnd.next() * 3;
      else if (u < 0.08) c = NaN;
      else c = (Number.isNaN(c) ? 0 : c) + rnd.next() * 10;
      samples.push([t, c]);
    }
    const r = evalRange(0, t + 30_000, 13_000);
    const range = 170_000;
    const mat = matrix(r, range, [{ labels: {}, samples }]);
    const tv = Float64Array.from(samples.map((p) => p[0]));
    const vv = Float64Array.from(samples.map((p) => p[1]));
    for (const [name, isRate] of [
      ['rate', true],
      ['increase', false],
    ] as const) {
      const got = rows(call(name, [mat], r))[0]!.values;
      let compared = 0;
      for (let i = 0; i < r.count; i++) {
        const end = r.times[i]!;
        let lo = 0;
        while (lo < tv.length && tv[lo]! < end - range) lo++;
        let hi = lo;
        while (hi < tv.length && tv[hi]! <= end) hi++;
        const want = extrapolatedRate(tv, vv, lo, hi, end - range, end, range / 1000, true, isRate);
        expect(Object.is(got[i], want) || (Number.isNaN(got[i]!) && Number.isNaN(want!))).toBe(
          true,
        );
        if (want !== undefined) compared++;
      }
      expect(compared).toBeGreaterThan(r.count / 2);
    }
  });
});
