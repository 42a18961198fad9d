import { describe, expect, it } from 'vitest';
import type { AggregateOp } from '../ast.ts';
import type { StepSeries } from '../value.ts';
import { Random } from '../../../test/helpers/random.ts';
import { AggregateFolder, aggregate, foldsSeries, sortGrouping } from './aggregate.ts';

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

  it('charges each group as it is made', () => {
    const charged: number[] = [];
    const folder = new AggregateFolder({
      op: 'sum',
      grouping: ['job'],
      without: false,
      count: 4,
      charge: (b) => charged.push(b),
    });
    const random = new Random(7);
    for (const s of randomInput(() => random.next(), 4)) folder.add(s);
    const out = folder.finish();
    expect(charged.length).toBeGreaterThanOrEqual(out.length);
    expect(charged.every((b) => b > 0)).toBe(true);
  });
});
