import { describe, expect, it } from 'vitest';
import { at0, call, evalRange, vector } from './test-helpers.ts';
import type { Expr } from '../ast.ts';
import { Random } from '../../../test/helpers/random.ts';

const at = (ms: number) => evalRange(ms, ms, 1);
const r0 = at(0);
const f = (name: string, v: number) =>
  at0(call(name, [vector([{ labels: { __name__: 'x' }, values: [v] }])], r0))['{}'];

describe('time and timestamp', () => {
  it('time() is the step time in seconds', () => {
    const r = evalRange(1, 3_000_001, 3_000_000);
    const t = call('time', [], r);
    expect(t.type === 'scalar' && Array.from(t.values)).toEqual([0.001, 3000.001]);
  });
  it('timestamp uses sample times only for a selector argument', () => {
    const r = at(5_000);
    const v = vector([{ labels: { __name__: 'metric' }, values: [1] }]);
    const withTs = {
      type: 'vector' as const,
      series: [{ ...v.series[0]!, timestamps: Float64Array.of(0) }],
    };
    const pos = { start: 0, end: 0 };
    const sel: Expr = { kind: 'VectorSelector', name: 'metric', matchers: [], offset: 0, pos };
    expect(at0(call('timestamp', [withTs], r, [{ kind: 'ParenExpr', expr: sel, pos }]))).toEqual({
      '{}': 0,
    });
    const other: Expr = { kind: 'NumberLiteral', value: 1, pos };
    expect(at0(call('timestamp', [withTs], r, [other]))).toEqual({ '{}': 5 });
  });
});

describe('date functions (functions.test cases and Prometheus 2.42 answers)', () => {
  it('default argument is the step time', () => {
    expect(at0(call('year', [], r0))).toEqual({ '{}': 1970 });
    expect(at0(call('day_of_week', [], r0))).toEqual({ '{}': 4 });
    expect(at0(call('month', [], r0))).toEqual({ '{}': 1 });
    expect(at0(call('day_of_month', [], r0))).toEqual({ '{}': 1 });
    expect(at0(call('day_of_year', [], r0))).toEqual({ '{}': 1 });
    expect(at0(call('hour', [], r0))).toEqual({ '{}': 0 });
    // Go's integer division truncates toward zero: -0.5s is still 1970-01-01.
    expect(at0(call('year', [], at(-500)))).toEqual({ '{}': 1970 });
  });
  it('2006-01-02 22:04:05 and friends', () => {
    expect(f('year', 1136239445)).toBe(2006);
    expect(f('month', 1136239445)).toBe(1);
    expect(f('day_of_month', 1136239445)).toBe(2);
    expect(f('day_of_year', 1136239445)).toBe(2);
    expect(f('day_of_week', 1136239445)).toBe(1);
    expect(f('hour', 1136239445)).toBe(22);
    expect(f('minute', 1136239445)).toBe(4);
    expect(f('year', 1230767999)).toBe(2008);
    expect(f('year', 1230768000)).toBe(2009);
    expect(f('month', 1456790399)! + f('day_of_month', 1456790399)! / 100).toBe(2.29);
    expect(f('month', 1456790400)! + f('day_of_month', 1456790400)! / 100).toBe(3.01);
    expect(f('day_of_year', 1483191420)).toBe(366);
    expect(f('day_of_year', 1672493820)).toBe(365);
    expect(f('days_in_month', 1454284800)).toBe(29);
    expect(f('days_in_month', 1485907200)).toBe(28);
  });
  it('negative, huge and NaN inputs as the Prometheus 2.42 binary answers', () => {
    expect(f('day_of_year', -1.5)).toBe(365);
    expect(f('hour', -1)).toBe(23);
    expect(f('year', -62135596801)).toBe(0);
    expect(f('year', 9e15)).toBe(285200616);
    expect(f('year', 1e18)).toBe(31688740476);
    expect(f('month', -1e18)).toBe(3);
    expect(f('day_of_week', -1e17)).toBe(4);
    expect(f('year', NaN)).toBe(292277026596);
    expect(f('month', NaN)).toBe(12);
    expect(f('day_of_month', NaN)).toBe(4);
    expect(f('day_of_year', NaN)).toBe(339);
    expect(f('day_of_week', NaN)).toBe(0);
    expect(f('hour', NaN)).toBe(15);
    expect(f('minute', NaN)).toBe(30);
    expect(f('days_in_month', NaN)).toBe(31);
  });
  it('drops the metric name and keeps absent steps absent', () => {
    const r = evalRange(0, 1, 1);
    const out = call(
      'hour',
      [vector([{ labels: { __name__: 'x', a: 'b' }, values: [3600, undefined] }])],
      r,
    );
    expect(
      out.type === 'vector' && out.series.map((s) => [s.labels, Array.from(s.present)]),
    ).toEqual([[[{ name: 'a', value: 'b' }], [1, 0]]]);
  });
});
