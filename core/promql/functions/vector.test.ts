import { describe, expect, it } from 'vitest';
import { newMatcher, type MatchType } from '../../labels/matcher.ts';
import type { Expr } from '../ast.ts';
import { at0, call, evalRange, matrix, rows, scalar, vector } from './test-helpers.ts';

const r = evalRange(0, 0, 1);
const pos = { start: 0, end: 0 };
const sel = (...ms: Array<[MatchType, string, string]>): Expr => ({
  kind: 'VectorSelector',
  name: undefined,
  matchers: ms.map(([t, n, v]) => newMatcher(t, n, v)),
  offset: 0,
  pos,
});

describe('vector and scalar', () => {
  it('vector(s) is one label-less series', () => {
    expect(at0(call('vector', [scalar(1, 3)], r))).toEqual({ '{}': 3 });
  });
  it('scalar(v) is NaN unless exactly one element', () => {
    const rr = evalRange(0, 2, 1);
    const v = vector([
      { labels: { a: '1' }, values: [1, 5, undefined] },
      { labels: { a: '2' }, values: [2, undefined, undefined] },
    ]);
    const s = call('scalar', [v], rr);
    expect(s.type === 'scalar' && Array.from(s.values)).toEqual([NaN, 5, NaN]);
  });
});

describe('sort and sort_desc (functions.test order, NaN last)', () => {
  const labels = [
    ['production', '0', 'api-server', 100],
    ['production', '1', 'api-server', 200],
    ['canary', '0', 'api-server', 300],
    ['canary', '1', 'api-server', 400],
    ['canary', '2', 'api-server', NaN],
    ['production', '0', 'app-server', 500],
    ['production', '1', 'app-server', 600],
    ['canary', '0', 'app-server', 700],
    ['canary', '1', 'app-server', 800],
  ] as const;
  const input = () =>
    vector(
      labels.map(([group, instance, job, v]) => ({
        labels: { __name__: 'http_requests', group, instance, job },
        values: [v],
      })),
    );
  const values = (v: ReturnType<typeof call>) => rows(v).map((x) => x.values[0]);
  it('sort', () => {
    expect(values(call('sort', [input()], r))).toEqual([
      100,
      200,
      300,
      400,
      500,
      600,
      700,
      800,
      NaN,
    ]);
    expect(rows(call('sort', [input()], r))[0]!.labels[0]!.name).toBe('__name__');
  });
  it('sort_desc', () => {
    expect(values(call('sort_desc', [input()], r))).toEqual([
      800,
      700,
      600,
      500,
      400,
      300,
      200,
      100,
      NaN,
    ]);
  });
  it('large inputs go through pdqsort and still sort', () => {
    const n = 300;
    const vals = Array.from({ length: n }, (_, i) => (i * 7919) % 1000);
    const v = vector(vals.map((x, i) => ({ labels: { i: String(i) }, values: [x] })));
    const got = values(call('sort', [v], r));
    expect(got).toEqual([...vals].sort((a, b) => a - b));
  });
});

describe('absent', () => {
  it('labels from equality matchers; repeated or non-equality names are dropped', () => {
    const empty = vector([]);
    expect(
      rows(call('absent', [empty], r, [sel(['=', '__name__', 'nonexistent'])]))[0]!.labels,
    ).toEqual([]);
    expect(
      at0(
        call('absent', [empty], r, [
          sel(
            ['=', '__name__', 'x'],
            ['=', 'job', 'testjob'],
            ['=', 'instance', 'testinstance'],
            ['=~', 'method', '.x'],
          ),
        ]),
      ),
    ).toEqual({ '{instance="testinstance",job="testjob"}': 1 });
    expect(
      at0(
        call('absent', [empty], r, [
          sel(['=', 'job', 'a'], ['=', 'job', 'b'], ['=', 'foo', 'bar']),
        ]),
      ),
    ).toEqual({ '{foo="bar"}': 1 });
    expect(
      at0(
        call('absent', [empty], r, [
          sel(['=', 'job', 'a'], ['=', 'job', 'b'], ['=', 'job', 'c'], ['=', 'foo', 'bar']),
        ]),
      ),
    ).toEqual({
      '{foo="bar"}': 1,
    });
    expect(
      at0(
        call('absent', [empty], r, [
          sel(['=', 'job', 'a'], ['=~', 'job', 'b'], ['=', 'foo', 'bar']),
        ]),
      ),
    ).toEqual({ '{foo="bar"}': 1 });
  });
  it('nothing when the argument has elements; per step otherwise', () => {
    const rr = evalRange(0, 2, 1);
    const v = vector([{ labels: { a: '1' }, values: [1, undefined, 1] }]);
    expect(rows(call('absent', [v], rr, [sel(['=', 'a', '1'])]))).toEqual([
      { labels: [{ name: 'a', value: '1' }], values: [undefined, 1, undefined] },
    ]);
    const full = vector([{ labels: { a: '1' }, values: [1, 1, 1] }]);
    expect(rows(call('absent', [full], rr))).toEqual([]);
  });
});

describe('absent_over_time', () => {
  const m1 = 60_000;
  const series = [
    {
      labels: { job: 'httpd' },
      samples: Array.from({ length: 11 }, (_, i) => [i * m1, i + 1] as [number, number]),
    },
  ];
  const ms = (range: number): Expr => ({
    kind: 'MatrixSelector',
    vectorSelector: sel(['=', 'job', 'grok']) as never,
    range,
    pos,
  });
  it('1 only at steps where no series has samples in the window', () => {
    const rr = evalRange(5 * m1, 21 * m1, m1);
    const out = rows(call('absent_over_time', [matrix(rr, 5 * m1, series)], rr, [ms(5 * m1)]));
    expect(out).toHaveLength(1);
    expect(out[0]!.labels).toEqual([{ name: 'job', value: 'grok' }]);
    // Last sample at 10m: windows up to 15m still see it.
    expect(out[0]!.values.map((x) => x ?? 0)).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1,
    ]);
  });
  it('no series when every step is covered; subqueries give no labels', () => {
    const rr = evalRange(5 * m1, 5 * m1, 1);
    expect(rows(call('absent_over_time', [matrix(rr, 5 * m1, series)], rr, [ms(5 * m1)]))).toEqual(
      [],
    );
    const sq: Expr = {
      kind: 'SubqueryExpr',
      expr: sel(['=', 'job', 'x']),
      range: 5 * m1,
      step: 0,
      offset: 0,
      pos,
    };
    expect(rows(call('absent_over_time', [matrix(rr, 5 * m1, [])], rr, [sq]))[0]!.labels).toEqual(
      [],
    );
  });
});
