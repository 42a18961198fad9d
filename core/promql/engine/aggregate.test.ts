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
