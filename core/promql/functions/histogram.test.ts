import { describe, expect, it } from 'vitest';
import { at0, call, evalRange, rows, scalar, vector } from './test-helpers.ts';
import { parseLe } from './histogram.ts';

const r = evalRange(0, 0, 1);
const hist = (name: string, extra: Record<string, string>, buckets: Array<[string, number]>) =>
  buckets.map(([le, v]) => ({
    labels: { __name__: name, ...extra, le },
    values: [v] as Array<number | undefined>,
  }));

const testhistogram = () =>
  vector([
    ...hist('testhistogram_bucket', { start: 'positive' }, [
      ['0.1', 50],
      ['.2', 70],
      ['1e0', 110],
      ['+Inf', 120],
    ]),
    ...hist('testhistogram_bucket', { start: 'negative' }, [
      ['-.2', 10],
      ['-0.1', 20],
      ['0.3', 20],
      ['+Inf', 30],
    ]),
  ]);
const hq = (q: number, v = testhistogram()) =>
  at0(call('histogram_quantile', [scalar(1, q), v], r));

describe('histogram_quantile (histograms.test cases)', () => {
  it('out-of-range and NaN quantiles', () => {
    expect(hq(-0.1)).toEqual({ '{start="positive"}': -Infinity, '{start="negative"}': -Infinity });
    expect(hq(1.01)).toEqual({ '{start="positive"}': Infinity, '{start="negative"}': Infinity });
    expect(hq(NaN)).toEqual({ '{start="positive"}': NaN, '{start="negative"}': NaN });
  });
  it('lowest, highest and interpolated quantiles', () => {
    expect(hq(0)).toEqual({ '{start="positive"}': 0, '{start="negative"}': -0.2 });
    expect(hq(1)).toEqual({ '{start="positive"}': 1, '{start="negative"}': 0.3 });
    const q2 = hq(0.2);
    expect(q2['{start="positive"}']).toBeCloseTo(0.048, 12);
    expect(q2['{start="negative"}']).toBe(-0.2);
    const q5 = hq(0.5);
    expect(q5['{start="positive"}']).toBeCloseTo(0.15, 12);
    expect(q5['{start="negative"}']).toBeCloseTo(-0.15, 12);
    const q8 = hq(0.8);
    expect(q8['{start="positive"}']).toBeCloseTo(0.72, 12);
    expect(q8['{start="negative"}']).toBe(0.3);
  });
  it('non-monotonic buckets are fixed up', () => {
    const v = vector(
      hist('nonmonotonic_bucket', {}, [
        ['0.1', 20],
        ['1', 10],
        ['10', 50],
        ['100', 40],
        ['1000', 90],
        ['+Inf', 80],
      ]),
    );
    expect(hq(0.01, v)['{}']).toBeCloseTo(0.0045, 12);
    expect(hq(0.5, v)['{}']).toBeCloseTo(8.5, 12);
    expect(hq(0.99, v)['{}']).toBeCloseTo(979.75, 12);
  });
  it('equal bounds spelled differently add up; no observations is NaN', () => {
    const v = vector([
      ...hist('mixed_bucket', { instance: 'ins1' }, [
        ['0.1', 1],
        ['0.2', 1],
        ['2e-1', 1],
        ['2.0e-1', 1],
        ['+Inf', 4],
      ]),
      ...hist('mixed_bucket', { instance: 'ins2' }, [
        ['+inf', 0],
        ['+Inf', 0],
      ]),
    ]);
    expect(hq(0.5, v)['{instance="ins1"}']).toBeCloseTo(0.15, 12);
    expect(hq(0.75, v)['{instance="ins1"}']).toBeCloseTo(0.2, 12);
    expect(hq(0.5, v)['{instance="ins2"}']).toBeNaN();
  });
  it('no +Inf bucket is NaN; malformed le is skipped', () => {
    const v = vector(
      hist('h', {}, [
        ['0.1', 1],
        ['1', 2],
        ['foo', 100],
      ]),
    );
    expect(hq(0.5, v)['{}']).toBeNaN();
  });
  it('groups by all labels but le, name included: two names give two series with equal labels', () => {
    const v = vector([
      ...hist('a_bucket', { job: 'j' }, [
        ['1', 1],
        ['+Inf', 2],
      ]),
      ...hist('b_bucket', { job: 'j' }, [
        ['1', 1],
        ['+Inf', 2],
      ]),
    ]);
    const out = rows(call('histogram_quantile', [scalar(1, 0.5), v], r));
    expect(out.map((o) => o.labels)).toEqual([
      [{ name: 'job', value: 'j' }],
      [{ name: 'job', value: 'j' }],
    ]);
  });
  it('per step: a group is present only where some bucket is', () => {
    const rr = evalRange(0, 2, 1);
    const v = vector([
      { labels: { le: '1' }, values: [1, undefined, 1] },
      { labels: { le: '+Inf' }, values: [2, undefined, 4] },
    ]);
    const out = rows(call('histogram_quantile', [scalar(3, 0.5), v], rr));
    // step 2: rank 2 falls past the last finite bucket, whose bound is returned.
    expect(out[0]!.values).toEqual([1, undefined, 1]);
  });
  it('native-histogram functions return nothing for float series', () => {
    expect(rows(call('histogram_count', [testhistogram()], r))).toEqual([]);
    expect(rows(call('histogram_sum', [testhistogram()], r))).toEqual([]);
    expect(
      rows(call('histogram_fraction', [scalar(1, 0), scalar(1, 1), testhistogram()], r)),
    ).toEqual([]);
  });
});

describe('parseLe follows strconv.ParseFloat', () => {
  it.each([
    ['0.1', 0.1],
    ['+Inf', Infinity],
    ['+inf', Infinity],
    ['-Infinity', -Infinity],
    ['1e0', 1],
    ['.2', 0.2],
    ['0x1p-2', 0.25],
    ['0x1.8p1', 3],
  ])('%s', (s, v) => expect(parseLe(s)).toBe(v));
  it.each(['', 'foo', '1e400', ' 1', '0x10', '+NaN'])('%j is an error', (s) =>
    expect(parseLe(s)).toBeUndefined(),
  );
});
