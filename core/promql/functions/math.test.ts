import { describe, expect, it } from 'vitest';
import { at0, call, evalRange, rows, scalar, vector } from './test-helpers.ts';

const r = evalRange(0, 0, 1);
const one = (name: string, x: number, ...extra: number[]) =>
  at0(
    call(
      name,
      [
        vector([{ labels: { __name__: 'm', l: 'x' }, values: [x] }]),
        ...extra.map((e) => scalar(1, e)),
      ],
      r,
    ),
  )['{l="x"}'];

describe('element-wise math (values from functions.test / the Prometheus 2.42 binary)', () => {
  it('exp, ln, log2, log10, sqrt', () => {
    expect(one('exp', 10)).toBe(22026.465794806718);
    expect(one('ln', 10)).toBe(2.302585092994046);
    expect(one('ln', 0)).toBe(-Infinity);
    expect(one('ln', -10)).toBeNaN();
    // Go: Log(frac)·(1/Ln2) + exp — the Prometheus binary answers 3.321928094887362 for log2(10).
    expect(one('log2', 10)).toBe(3.321928094887362);
    expect(one('log2', 8)).toBe(3);
    expect(one('log10', 10)).toBe(1);
    expect(one('log10', 20)).toBe(1.301029995663981);
    expect(one('sqrt', 20)).toBe(4.47213595499958);
  });
  it('sgn keeps NaN and signed zero', () => {
    expect([-Infinity, Infinity, NaN, -50, 0, 100].map((x) => one('sgn', x))).toEqual([
      -1,
      1,
      NaN,
      -1,
      0,
      1,
    ]);
    expect(Object.is(one('sgn', -0), -0)).toBe(true);
  });
  it('round: ties up, to_nearest via its inverse', () => {
    expect(one('round', 2.5)).toBe(3);
    expect(one('round', -2.5)).toBe(-2);
    expect(one('round', 5.13, 0.1)).toBe(5.1);
    expect(one('round', 0.35, 0.1)).toBe(0.4);
    expect(one('round', 1.005, 0.01)).toBe(1);
    expect(one('round', 17, 5)).toBe(15);
  });
  it('clamp family: Go Max/Min special cases and min > max', () => {
    expect(one('clamp', -50, -25, 75)).toBe(-25);
    expect(one('clamp', 100, -25, 75)).toBe(75);
    expect(one('clamp', 0, 0, NaN)).toBeNaN();
    expect(one('clamp', 0, NaN, 0)).toBeNaN();
    expect(one('clamp', 1, 5, -5)).toBeUndefined();
    expect(one('clamp_max', 100, 75)).toBe(75);
    expect(one('clamp_min', -50, -25)).toBe(-25);
  });
  it('deg, rad, pi', () => {
    expect(one('deg', Math.PI)).toBe(180);
    expect(one('rad', 180)).toBe(Math.PI);
    const p = call('pi', [], r);
    expect(p.type === 'scalar' && p.values[0]).toBe(Math.PI);
  });
  it('drops the metric name, keeps absent steps', () => {
    const rr = evalRange(0, 1, 1);
    const out = rows(
      call('abs', [vector([{ labels: { __name__: 'm', a: 'b' }, values: [-1, undefined] }])], rr),
    );
    expect(out).toEqual([{ labels: [{ name: 'a', value: 'b' }], values: [1, undefined] }]);
  });
});
