import { describe, expect, it } from 'vitest';
import type { AggregateOp } from '../ast.ts';
import type { StepSeries } from '../value.ts';
import { Random } from '../../../test/helpers/random.ts';
import { heapPop, heapPush } from '../../gocompat/heap.ts';
import { goSortSlice } from '../../gocompat/sort.ts';
import {
  AggregateFolder,
  TopBottomKFolder,
  aggregate,
  foldsSeries,
  sortGrouping,
} from './aggregate.ts';

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e308, -1e308, 5e-324];

function randomInput(r: () => number, count: number): StepSeries[] {
  const n = 1 + Math.floor(r() * 40);
  const out: StepSeries[] = [];
  for (let s = 0; s < n; s++) {
    const values = new Float64Array(count);
    const present = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      if (r() < 0.25) continue;
      present[i] = 1;
      values[i] = r() < 0.1 ? SPECIAL[Math.floor(r() * SPECIAL.length)]! : (r() - 0.5) * 1e6;
    }
    out.push({
      labels: [
        { name: '__name__', value: 'm' },
        { name: 'instance', value: `i${s}` },
        { name: 'job', value: `j${Math.floor(r() * 4)}` },
        { name: 'zone', value: `z${Math.floor(r() * 3)}` },
      ],
      values,
      present,
    });
  }
  return out;
}

/** A series as text, bits included (NaN payloads, -0). */
function show(s: StepSeries): string {
  const bits = new BigUint64Array(Float64Array.from(s.values).buffer);
  return `${JSON.stringify(s.labels)} ${Array.from(s.present).join('')} ${Array.from(bits, (b, i) => (s.present[i] ? b.toString(16) : '-')).join(',')}`;
}

describe('AggregateFolder', () => {
  const ops: AggregateOp[] = ['sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar'];

  it('folds a series at a time to exactly what aggregate() answers over the whole input', () => {
    const random = new Random(42);
    const r = () => random.next();
    const groupings: [string[], boolean][] = [
      [[], false],
      [['job'], false],
      [['job', 'zone'], false],
      [['instance'], true],
      [['nope'], false],
      [[], true],
    ];
    let compared = 0;
    for (let round = 0; round < 60; round++) {
      const count = round % 3 === 0 ? 1 : 1 + Math.floor(r() * 30);
      const input = randomInput(r, count);
      for (const op of ops) {
        for (const [grouping, without] of groupings) {
          const params = () => ({
            op,
            grouping: sortGrouping(grouping),
            without,
            count,
            charge: () => {},
          });
          const whole = aggregate(input, params());
          const folder = new AggregateFolder(params());
          for (const s of input) folder.add(s);
          const folded = folder.finish();
          expect(folded.map(show)).toEqual(whole.map(show));
          compared += whole.length;
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('takes only the operators that fold their members one by one', () => {
    for (const op of ops) expect(foldsSeries(op)).toBe(true);
    for (const op of ['topk', 'bottomk', 'quantile', 'count_values'] as AggregateOp[]) {
      expect(foldsSeries(op)).toBe(false);
      expect(
        () => new AggregateFolder({ op, grouping: [], without: false, count: 1, charge: () => {} }),
      ).toThrow(/cannot fold/);
    }
  });

  it('charges its groups once the input is all in, as aggregate() does', () => {
    const random = new Random(7);
    const input = [1, 2, 3].flatMap(() => randomInput(() => random.next(), 4));
    const charges = (run: (charge: (b: number) => void) => void): number[] => {
      const out: number[] = [];
      run((b) => out.push(b));
      return out;
    };
    const params = (charge: (b: number) => void) => ({
      op: 'sum' as const,
      grouping: ['job'],
      without: false,
      count: 4,
      charge,
    });
    const whole = charges((charge) => aggregate(input, params(charge)));
    let beforeFinish = -1;
    const folded = charges((charge) => {
      const out: number[] = [];
      const folder = new AggregateFolder(params((b) => (out.push(b), charge(b))));
      for (const s of input) folder.add(s);
      beforeFinish = out.length;
      folder.finish();
    });
    expect(beforeFinish).toBe(0);
    expect(folded).toEqual(whole);
    expect(whole.length).toBeGreaterThan(1);
  });
});

/**
 * Reference topk/bottomk over the whole input (how aggregate() computed them before folding):
 * step by step, each group's present members through one Go heap of member indices.
 */
function referenceTopBottomK(
  input: readonly StepSeries[],
  op: 'topk' | 'bottomk',
  grouping: readonly string[],
  k: Float64Array,
): StepSeries[] {
  const count = k.length;
  const key = (s: StepSeries) =>
    s.labels
      .filter((l) => grouping.includes(l.name))
      .map((l) => `${l.name}=${l.value}`)
      .join();
  const groups: number[][] = [];
  const byKey = new Map<string, number[]>();
  input.forEach((s, m) => {
    let g = byKey.get(key(s));
    if (!g) byKey.set(key(s), (g = groups[groups.length] = []));
    g.push(m);
  });
  if (count === 1) {
    const first = (g: number[]) => g.find((m) => input[m]!.present[0] === 1) ?? Infinity;
    groups.sort((a, b) => first(a) - first(b));
  }
  const top = op === 'topk';
  const vals = new Float64Array(input.length);
  const less = top
    ? (a: number, b: number) => Number.isNaN(vals[a]!) || vals[a]! < vals[b]!
    : (a: number, b: number) => Number.isNaN(vals[a]!) || vals[a]! > vals[b]!;
  const out = new Map<number, StepSeries>();
  const order: StepSeries[] = [];
  for (let i = 0; i < count; i++) {
    const kk = Math.trunc(k[i]!);
    if (kk < 1) continue;
    for (const g of groups) {
      const heap: number[] = [];
      for (const m of g) {
        if (input[m]!.present[i] !== 1) continue;
        const v = input[m]!.values[i]!;
        vals[m] = v;
        if (heap.length === 0) {
          heap.push(m);
          continue;
        }
        const h0 = vals[heap[0]!]!;
        if (heap.length < kk || (top ? h0 < v : h0 > v) || Number.isNaN(h0)) {
          if (heap.length === kk) {
            if (kk === 1) {
              heap[0] = m;
              continue;
            }
            heapPop(heap, less);
          }
          heapPush(heap, m, less);
        }
      }
      if (heap.length > 1) goSortSlice(heap, (a, b) => less(b, a));
      for (const m of heap) {
        let o = out.get(m);
        if (!o) {
          o = {
            labels: input[m]!.labels,
            values: new Float64Array(count),
            present: new Uint8Array(count),
          };
          out.set(m, o);
          order.push(o);
        }
        (o.values as Float64Array)[i] = vals[m]!;
        (o.present as Uint8Array)[i] = 1;
      }
    }
  }
  return order;
}

describe('TopBottomKFolder', () => {
  it('keeps per step what a heap over the whole input keeps, in the same order, bit for bit', () => {
    const random = new Random(11);
    const r = () => random.next();
    let compared = 0;
    for (let round = 0; round < 60; round++) {
      for (const count of [1, 7]) {
        const input = randomInput(r, count);
        // Ties on purpose: which member a heap keeps among equal values is part of the answer.
        for (const s of input)
          for (let i = 0; i < count; i++)
            if (r() < 0.3) (s.values as Float64Array)[i] = Math.round(s.values[i]! / 3e5);
        for (const op of ['topk', 'bottomk'] as const) {
          for (const grouping of [[], ['job'], ['job', 'zone']]) {
            const k = Float64Array.from({ length: count }, () =>
              r() < 0.15 ? [0, -1, 0.5, 2.9, 1e6][Math.floor(r() * 5)]! : 1 + Math.floor(r() * 5),
            );
            const params = {
              op,
              grouping: sortGrouping(grouping),
              without: false,
              count,
              scalarParam: k,
              charge: () => {},
            };
            const want = referenceTopBottomK(input, op, grouping, k);
            const folder = new TopBottomKFolder(params);
            for (const s of input) folder.add(s);
            const got = folder.finish();
            expect(got.map(show)).toEqual(want.map(show));
            expect(aggregate(input, params).map(show)).toEqual(want.map(show));
            compared += want.length;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('refuses a parameter that overflows int64 once the input is all in, naming it', () => {
    const input = randomInput(() => 0.5, 3);
    let charged = 0;
    const folder = new TopBottomKFolder({
      op: 'topk',
      grouping: [],
      without: false,
      count: 3,
      scalarParam: Float64Array.from([1, 1e19, NaN]),
      charge: () => charged++,
    });
    for (const s of input) folder.add(s);
    expect(() => folder.finish()).toThrow('Scalar value 1e+19 overflows int64');
    // The steps before it were answered (and charged) first, as Prometheus does.
    expect(charged).toBe(1);
    expect(
      () =>
        new TopBottomKFolder({
          op: 'sum',
          grouping: [],
          without: false,
          count: 1,
          charge: () => {},
        }),
    ).toThrow(/not a topk or bottomk/);
  });
});
