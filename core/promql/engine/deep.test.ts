/**
 * Issue #18 finding 4 in the engine: deep and long queries Prometheus 2.42 evaluates (Go's
 * stacks grow) evaluate here on an explicit stack, with Prometheus's values: parentheses keep the
 * metric name, `+` and unary `-` and functions drop it, nested aggregations sum once.
 */
import { describe, expect, it } from 'vitest';
import { labelsFrom } from '../../labels/labels.ts';
import { splittable } from '../../frontend/splittable.ts';
import { parseExpr } from '../parser/parse.ts';
import { MemoryStorage } from '../storage/memory.ts';
import { Engine } from './engine.ts';
import type { QueryResult } from './result.ts';

const T = 5 * 60_000;

function engine(): Engine {
  const s = new MemoryStorage();
  const times = Array.from({ length: 41 }, (_, i) => i * 15_000);
  s.append(
    labelsFrom({ __name__: 'up', job: 'a' }),
    times,
    times.map(() => 1),
  );
  s.append(
    labelsFrom({ __name__: 'up', job: 'b' }),
    times,
    times.map(() => 2),
  );
  return new Engine(s);
}

/** `{labels}` → value, for an instant vector or a scalar (`scalar` key). */
function values(r: QueryResult): Record<string, number> {
  const v = r.value;
  if (v.type === 'scalar') return { scalar: v.v };
  if (v.type !== 'vector') throw new Error(`unexpected ${v.type}`);
  const out: Record<string, number> = {};
  for (const s of v.samples) {
    out[`{${s.metric.map((l) => `${l.name}=${l.value}`).join(',')}}`] = s.v;
  }
  return out;
}

const chain = (n: number, term: string, op = '+'): string => Array(n).fill(term).join(op);
const wrap = (n: number, open: string, inner: string, close: string): string =>
  open.repeat(n) + inner + close.repeat(n);

describe('deep queries evaluate with Prometheus values', () => {
  const e = engine();
  const at = async (q: string) => values(await e.instantQuery(q, T));

  it('10,000 nested parentheses keep the selector as it is', async () => {
    expect(await at(wrap(10_000, '(', 'up', ')'))).toEqual({
      '{__name__=up,job=a}': 1,
      '{__name__=up,job=b}': 2,
    });
    expect(await at(wrap(10_000, '(', '1', ')'))).toEqual({ scalar: 1 });
  });

  it.each([818, 10_000, 40_000])('`up+up+…` with %i terms sums per series', async (n) => {
    expect(await at(chain(n, 'up'))).toEqual({ '{job=a}': n, '{job=b}': 2 * n });
  });

  it('20,000 nested `sum(` sum once', async () => {
    expect(await at(wrap(20_000, 'sum(', 'up', ')'))).toEqual({ '{}': 3 });
  });

  it('`-` chains: folded before a number, unary (dropping the name) before a selector', async () => {
    expect(await at('-'.repeat(20_000) + '1')).toEqual({ scalar: 1 });
    expect(await at('-'.repeat(20_001) + '1')).toEqual({ scalar: -1 });
    expect(await at('-'.repeat(20_000) + 'up')).toEqual({ '{job=a}': 1, '{job=b}': 2 });
    expect(await at('-'.repeat(20_001) + 'up')).toEqual({ '{job=a}': -1, '{job=b}': -2 });
  });

  it('20,000 nested calls and a 20,000-term `^` chain', async () => {
    expect(await at(wrap(20_000, 'abs(', 'up', ')'))).toEqual({ '{job=a}': 1, '{job=b}': 2 });
    expect(await at(chain(20_000, '1', '^'))).toEqual({ scalar: 1 });
  });

  it('300 nested subqueries', async () => {
    // last_over_time keeps the metric name (Prometheus 2.42).
    const q = wrap(300, 'last_over_time(', 'up', '[1m:30s])');
    expect(await at(q)).toEqual({ '{__name__=up,job=a}': 1, '{__name__=up,job=b}': 2 });
  });

  it('a range query over a deep expression', async () => {
    const r = await e.rangeQuery(wrap(5_000, '(', chain(2_000, 'up'), ')'), 0, T, 60_000);
    if (r.value.type !== 'matrix') throw new Error(r.value.type);
    expect(r.value.series.map((s) => [...s.v])).toEqual([
      Array(6).fill(2_000),
      Array(6).fill(4_000),
    ]);
  });
});

describe('query frontend analysis of deep queries', () => {
  it('splittable walks 40,000 terms and 20,000 unary minus without recursion', () => {
    expect(splittable(parseExpr(chain(40_000, 'up')))).toBe(true);
    // Unary minus over a selector without a fixed name may collide across split pieces.
    expect(splittable(parseExpr('-'.repeat(20_001) + '{job="a"}'))).toBe(false);
    expect(splittable(parseExpr(wrap(10_000, '(', '{job="a"}', ')')))).toBe(true);
  });
});
