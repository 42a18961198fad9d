import { describe, expect, it } from 'vitest';
import { labelsFrom } from '../../labels/labels.ts';
import type { Matcher } from '../../labels/matcher.ts';
import {
  BadDataError,
  ExecutionError,
  QueryCanceledError,
  QueryTimeoutError,
  StorageError,
  TooManySamplesError,
} from '../../errors.ts';
import { STALE_NAN } from '../../chunkenc/stale.ts';
import type { Queryable, SeriesSet, SelectHints } from '../storage/queryable.ts';
import { MemoryStorage } from '../storage/memory.ts';
import { Engine } from './engine.ts';
import { functionImpls } from '../functions/table.ts';
import type { FunctionImpl } from '../functions/types.ts';
import type { MatrixValue } from '../value.ts';

const M = 60_000;

function storage(): MemoryStorage {
  const s = new MemoryStorage();
  // foo{a="1"}: 0,1,2,… every minute for 20m; foo{a="2"} only at 0m and 10m.
  s.append(
    labelsFrom({ __name__: 'foo', a: '1' }),
    Array.from({ length: 21 }, (_, i) => i * M),
    Array.from({ length: 21 }, (_, i) => i),
  );
  s.append(labelsFrom({ __name__: 'foo', a: '2' }), [0, 10 * M], [100, 110]);
  return s;
}

/** Records the hints of every select (a decorator over the real MemoryStorage). */
class RecordingQueryable implements Queryable {
  readonly hints: SelectHints[] = [];
  constructor(readonly inner: Queryable) {}
  select(m: readonly Matcher[], h: SelectHints): SeriesSet {
    this.hints.push(h);
    return this.inner.select(m, h);
  }
}

/** FAKE: a store that answers only after `ms` (ignoring the signal), to outlive a deadline. */
class SlowQueryable implements Queryable {
  readonly signals: (AbortSignal | undefined)[] = [];
  constructor(
    readonly inner: Queryable,
    readonly ms: number,
  ) {}
  select(m: readonly Matcher[], h: SelectHints): SeriesSet {
    this.signals.push(h.signal);
    const { inner, ms } = this;
    return {
      warnings: [],
      async *[Symbol.asyncIterator]() {
        await new Promise((r) => setTimeout(r, ms));
        yield* inner.select(m, h);
      },
    };
  }
}

/** FAKE: a store whose select fails with a plain Error, as a broken network client would. */
class FailingQueryable implements Queryable {
  select(): SeriesSet {
    return {
      warnings: [],
      async *[Symbol.asyncIterator]() {
        throw new Error('connection reset');
      },
    };
  }
}

describe('Engine', () => {
  it('looks back 5m including the sample exactly 5m old (2.42 closed window)', async () => {
    const e = new Engine(storage());
    const at15 = await e.instantQuery('foo{a="2"}', 15 * M);
    expect(at15.value).toEqual({
      type: 'vector',
      samples: [{ metric: labelsFrom({ __name__: 'foo', a: '2' }), t: 15 * M, v: 110 }],
    });
    const after = await e.instantQuery('foo{a="2"}', 15 * M + 1);
    expect(after.value).toEqual({ type: 'vector', samples: [] });
  });

  it('ends a series at a stale marker', async () => {
    const s = new MemoryStorage();
    s.append(labelsFrom({ __name__: 'x' }), [0, M], Float64Array.of(1, STALE_NAN));
    const e = new Engine(s);
    expect((await e.instantQuery('x', 30_000)).value).toMatchObject({ samples: [{ v: 1 }] });
    expect((await e.instantQuery('x', 2 * M)).value).toEqual({ type: 'vector', samples: [] });
    expect((await e.instantQuery('count_over_time(x[5m])', 2 * M)).value).toMatchObject({
      samples: [{ v: 1 }],
    });
  });

  it('returns raw samples of a closed range window for a top-level matrix selector', async () => {
    const e = new Engine(storage());
    const r = await e.instantQuery('foo{a="1"}[2m]', 5 * M);
    expect(r.value.type).toBe('matrix');
    if (r.value.type !== 'matrix') return;
    expect([...r.value.series[0]!.t]).toEqual([3 * M, 4 * M, 5 * M]);
    expect([...r.value.series[0]!.v]).toEqual([3, 4, 5]);
  });

  it('aligns subquery steps to absolute multiples of the step', async () => {
    const e = new Engine(storage());
    const r = await e.instantQuery('foo{a="1"}[1m:20s]', 70_000);
    if (r.value.type !== 'matrix') throw new Error('want matrix');
    expect([...r.value.series[0]!.t]).toEqual([20_000, 40_000, 60_000]);
  });

  it('gives range results sorted by labels, points only where a value exists', async () => {
    const e = new Engine(storage());
    const r = await e.rangeQuery('foo', 0, 20 * M, 5 * M);
    if (r.value.type !== 'matrix') throw new Error('want matrix');
    expect(r.value.series.map((s) => s.metric[1]!.value)).toEqual(['1', '2']);
    // At 5m the 0m sample is exactly 5m old: still inside the 2.42 lookback window.
    expect([...r.value.series[1]!.t]).toEqual([0, 5 * M, 10 * M, 15 * M]);
    const sc = await e.rangeQuery('time()', 0, 2 * M, M);
    if (sc.value.type !== 'matrix') throw new Error('want matrix');
    expect(sc.value.series).toHaveLength(1);
    expect([...sc.value.series[0]!.v]).toEqual([0, 60, 120]);
  });

  it('evaluates @ once and repeats it at every step', async () => {
    const e = new Engine(storage());
    const r = await e.rangeQuery('foo{a="1"} @ 120', 0, 10 * M, M);
    if (r.value.type !== 'matrix') throw new Error('want matrix');
    expect([...r.value.series[0]!.v]).toEqual(new Array(11).fill(2));
  });

  it('passes Prometheus select hints', async () => {
    const rec = new RecordingQueryable(storage());
    const e = new Engine(rec);
    await e.instantQuery('rate(foo[5m] offset 1m)', 60 * M);
    expect(rec.hints[0]).toMatchObject({
      start: 54 * M,
      end: 59 * M,
      range: 5 * M,
      func: 'rate',
      step: 0,
    });
    await e.rangeQuery('sum by (a) (foo)', 0, 10 * M, M);
    expect(rec.hints[1]).toMatchObject({
      start: -5 * M,
      end: 10 * M,
      step: M,
      func: 'sum',
      by: true,
      grouping: ['a'],
    });
    await e.instantQuery('max_over_time(foo[10m:30s])', 60 * M);
    expect(rec.hints[2]).toMatchObject({
      start: 45 * M,
      end: 60 * M,
      step: 30_000,
      func: 'max_over_time',
    });
  });

  it('names the instants a selector is read at only where the query steps read it (pickAt)', async () => {
    const pickAt = async (q: string, instant = false): Promise<number[] | undefined> => {
      const rec = new RecordingQueryable(storage());
      const e = new Engine(rec);
      if (instant) await e.instantQuery(q, 5 * M);
      else await e.rangeQuery(q, 0, 2 * M, M);
      const p = rec.hints[0]!.pickAt;
      return p && [...p];
    };
    expect(await pickAt('sum by (a) (foo)')).toEqual([0, M, 2 * M]);
    expect(await pickAt('timestamp(foo offset 1m)')).toEqual([-M, 0, M]);
    expect(await pickAt('foo', true)).toEqual([5 * M]);
    // Read at other times, or as ranges: every sample stays.
    expect(await pickAt('rate(foo[5m])')).toBeUndefined();
    expect(await pickAt('foo @ 60')).toBeUndefined();
    expect(await pickAt('max_over_time(foo[10m:30s])')).toBeUndefined();
  });

  it('enforces max samples with Prometheus error text', async () => {
    const e = new Engine(storage(), { maxSamples: 5 });
    const err = await e.rangeQuery('foo', 0, 20 * M, M).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(TooManySamplesError);
    expect((err as Error).message).toBe(
      'query processing would load too many samples into memory in query execution',
    );
    await expect(
      new Engine(storage(), { maxSamples: 100 }).rangeQuery('foo', 0, 20 * M, M),
    ).resolves.toBeDefined();
  });

  it('enforces the byte budget for raw samples and intermediate results', async () => {
    const e = new Engine(storage(), { maxBytes: 16 * 10 });
    await expect(e.rangeQuery('foo', 0, 20 * M, M)).rejects.toThrow(
      /query processing would use too much memory in query execution/,
    );
    await expect(e.instantQuery('foo', 20 * M)).resolves.toBeDefined();
    // 23 raw samples fit in 1000 bytes, but 2 series x 201 steps x 9 bytes of results do not.
    const e2 = new Engine(storage(), { maxBytes: 1000 });
    await expect(e2.rangeQuery('foo', 0, 20 * M, 6_000)).rejects.toBeInstanceOf(ExecutionError);
    const ok = await new Engine(storage()).rangeQuery('foo', 0, 20 * M, 6_000);
    // The output of 2 series x 201 steps x 9 bytes; the raw batch is let go before it is charged.
    expect(ok.stats.peakBytes).toBeGreaterThanOrEqual(2 * 201 * 9);
  });

  it("charges a subquery's steps to the byte budget before allocating them", async () => {
    // foo[1w:1ms] is 604,800,001 inner steps: 4.8 GB of step times alone.
    const t0 = Date.now();
    const budget = new Engine(storage(), { maxBytes: 48 << 20 });
    await expect(budget.instantQuery('count_over_time(foo[1w:1ms])', 20 * M)).rejects.toThrow(
      /query processing would use too much memory in query execution/,
    );
    expect(Date.now() - t0).toBeLessThan(1000);
    // The same subquery at a step the budget allows still answers.
    const ok = await budget.instantQuery('count_over_time(foo[1h:1s])', 20 * M);
    expect(ok.value).toMatchObject({ type: 'vector', samples: [{ v: 1201 }, { v: 602 }] });
  });

  it('checks the deadline between series of a range function over a subquery-sized range', async () => {
    const s = new MemoryStorage();
    for (let i = 0; i < 20; i++)
      s.append(labelsFrom({ __name__: 'bar', i: String(i) }), [0, 10 * M], [1, 2]);
    // FAKE: min_over_time that takes 100 ms per series, standing in for a real one over
    // millions of steps (which would need hundreds of MB here to be as slow).
    const slowMin: FunctionImpl = (args, ctx, call) => {
      const m = args[0] as MatrixValue;
      const until = Date.now() + 100 * m.series.length;
      while (Date.now() < until);
      return functionImpls.get('min_over_time')!(args, ctx, call);
    };
    const functions = new Map(functionImpls).set('min_over_time', slowMin);
    const t0 = Date.now();
    const err = await new Engine(s, { timeout: 300, functions })
      .instantQuery('max_over_time(min_over_time(bar[5m])[20m:1ms])', 20 * M)
      .catch((x: unknown) => x);
    expect(err).toBeInstanceOf(QueryTimeoutError);
    // 20 series x 100 ms in one call would be 2 s; a check between series ends it after a few.
    expect(Date.now() - t0).toBeLessThan(1200);
  });

  it('lets the event loop run while it evaluates data already in memory', async () => {
    // 200 selectors over memory: every await resolves at once, so only an explicit turn of the
    // event loop lets a timer (or another request in the isolate) run before the query ends.
    const q = Array.from({ length: 200 }, () => 'foo').join(' + ');
    let firedAt: number | undefined;
    setTimeout(() => (firedAt = performance.now()), 0);
    await new Engine(storage()).rangeQuery(q, 0, 20 * M, M);
    expect(firedAt).toBeDefined();
  });

  it('times out and cancels with Prometheus error text', async () => {
    const slow = new SlowQueryable(storage(), 1500);
    const e = new Engine(slow, { timeout: 20 });
    const t0 = Date.now();
    const err = await e.instantQuery('foo', 0).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(QueryTimeoutError);
    expect((err as Error).message).toBe('query timed out in query preparation');
    // It does not wait for a store that ignores the signal, and the store was told to stop.
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(slow.signals[0]?.aborted).toBe(true);
    const ac = new AbortController();
    ac.abort();
    await expect(
      new Engine(storage()).instantQuery('foo', 0, { signal: ac.signal }),
    ).rejects.toBeInstanceOf(QueryCanceledError);
  });

  it('reports store failures as Prometheus does', async () => {
    const err = await new Engine(new FailingQueryable())
      .instantQuery('foo', 0)
      .catch((x: unknown) => x);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).toBe('expanding series: connection reset');
  });

  it('rejects range queries over range vectors and strings', async () => {
    const e = new Engine(storage());
    const err = await e.rangeQuery('foo[5m]', 0, M, M).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(BadDataError);
    expect((err as Error).message).toBe(
      'invalid expression type "range vector" for range query, must be Scalar or instant Vector',
    );
    await expect(e.rangeQuery('"x"', 0, M, M)).rejects.toThrow(
      'invalid expression type "string" for range query',
    );
    await expect(e.instantQuery('foo +', 0)).rejects.toBeInstanceOf(BadDataError);
  });

  it('rejects many-to-many matching and same-labelset results', async () => {
    const e = new Engine(storage());
    await expect(e.instantQuery('foo + on() foo', 0)).rejects.toThrow(
      /many-to-many matching not allowed: matching labels must be unique on one side/,
    );
    await expect(e.instantQuery('label_replace(foo, "a", "x", "", "")', 0)).rejects.toThrow(
      'vector cannot contain metrics with the same labelset',
    );
  });
});

describe('count_values charges its growing output as it goes', () => {
  // One series whose value differs at every step: count_values makes one output series per
  // step, each as long as the range, so its output grows with the square of the steps.
  const distinct = (steps: number): MemoryStorage => {
    const s = new MemoryStorage();
    s.append(
      labelsFrom({ __name__: 'g' }),
      Array.from({ length: steps }, (_, i) => i * M),
      Array.from({ length: steps }, (_, i) => i + 0.5),
    );
    return s;
  };

  it('stops at the byte budget after a few output series, not after all of them', async () => {
    const steps = 2000;
    const e = new Engine(distinct(steps), { maxBytes: 256 * 1024 });
    const err = await e
      .rangeQuery('count_values("v", g)', 0, (steps - 1) * M, M)
      .catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ExecutionError);
    expect((err as Error).message).toMatch(/query processing would use too much memory/);
    // The same query with room answers one series per distinct value.
    const ok = await new Engine(distinct(50)).rangeQuery('count_values("v", g)', 0, 49 * M, M);
    expect(ok.value.type === 'matrix' && ok.value.series.length).toBe(50);
    expect(ok.stats.peakBytes).toBeGreaterThanOrEqual(50 * 50 * 9);
  });

  it('a budget reached inside count_values throws before the next series is made', async () => {
    const { aggregate } = await import('./aggregate.ts');
    const count = 100;
    const input = [
      {
        labels: labelsFrom({ __name__: 'g' }),
        values: Float64Array.from({ length: count }, (_, i) => i),
        present: new Uint8Array(count).fill(1),
      },
    ];
    const charged: number[] = [];
    expect(() =>
      aggregate(input, {
        op: 'count_values',
        grouping: [],
        without: false,
        stringParam: 'v',
        count,
        charge: (bytes) => {
          charged.push(bytes);
          if (charged.length === 3) throw new ExecutionError('budget');
        },
      }),
    ).toThrow('budget');
    expect(charged).toEqual([count * 9, count * 9, count * 9]);
  });
});

describe('every operator charges its output before it makes it', () => {
  // 100 series x 500 steps: one full vector is 100 * 500 * 9 = 450 KB. A sample every 4 minutes
  // (each step finds one within the 5m lookback) keeps the raw samples, held while they are
  // selected, at 200 KB.
  const SERIES = 100;
  const STEPS = 500;
  const full = (): MemoryStorage => {
    const s = new MemoryStorage();
    const ts = Array.from({ length: STEPS / 4 }, (_, i) => i * 4 * M);
    for (let k = 0; k < SERIES; k++) {
      s.append(
        labelsFrom({ __name__: 'x', i: String(k) }),
        ts,
        ts.map((_, i) => k + i / 7),
      );
    }
    return s;
  };
  const overBudget = (err: unknown): { bytes: number; limit: number } => {
    expect(err).toBeInstanceOf(ExecutionError);
    const m = /(\d+) bytes exceed the limit of (\d+)/.exec((err as Error).message);
    expect(m, (err as Error).message).not.toBeNull();
    return { bytes: Number(m![1]), limit: Number(m![2]) };
  };

  // Each budget holds the operator's input but not its input and output together. An operator
  // that charged its output only once it was made would report about input + output (900 KB or
  // more); charging as it goes stops within one output series (STEPS * 9 bytes) of the limit.
  const cases: [string, number][] = [
    ['abs(x)', 700_000],
    ['-x', 700_000],
    ['x * 2', 700_000],
    ['2 < bool x', 700_000],
    ['x + x', 1_100_000],
    ['x / on(i) group_left x', 1_100_000],
    ['sum by (i) (x)', 700_000],
    ['round(x)', 700_000],
    ['clamp_min(x, 0)', 700_000],
    ['day_of_month(x)', 700_000],
    ['x @ 0', 200_000],
    ['sum by (i) (x @ 0) + x @ 0', 200_000],
  ];
  for (const [q, maxBytes] of cases) {
    it(`${q} stops at the budget`, async () => {
      const e = new Engine(full(), { maxBytes });
      const err = await e.rangeQuery(q, 0, (STEPS - 1) * M, M).catch((x: unknown) => x);
      const { bytes, limit } = overBudget(err);
      expect(limit).toBe(maxBytes);
      expect(bytes).toBeLessThanOrEqual(maxBytes + STEPS * 9);
      // With room the same query answers, so the refusal above is the budget's.
      const ok = await new Engine(full(), { maxBytes: 64 << 20 }).rangeQuery(
        q,
        0,
        (STEPS - 1) * M,
        M,
      );
      expect(ok.value.type).toBe('matrix');
    });
  }

  it('a many-to-one match over churning series makes one output series per label set', async () => {
    const { vectorBinop } = await import('./binary.ts');
    const count = 40;
    const step = (labels: Record<string, string>, at: number | undefined, v: number) => ({
      labels: labelsFrom(labels),
      values: new Float64Array(count).fill(v),
      present: at === undefined ? new Uint8Array(count).fill(1) : new Uint8Array(count).fill(0),
      at,
    });
    // 10 series on the many side, 40 on the one side, each of those present at one step only:
    // 400 matching pairs, 10 result label sets.
    const many = Array.from({ length: 10 }, (_, k) =>
      step({ __name__: 'a', i: String(k) }, undefined, k),
    );
    const one = Array.from({ length: count }, (_, j) => {
      const s = step({ __name__: 'b', j: String(j) }, j, j);
      (s.present as Uint8Array)[j] = 1;
      return s;
    });
    const charged: number[] = [];
    const out = vectorBinop(
      '*',
      many,
      one,
      { card: 'many-to-one', matchingLabels: [], on: true, include: [] },
      false,
      count,
      (b) => charged.push(b),
    );
    expect(out.length).toBe(10);
    expect(charged).toEqual(Array.from({ length: 10 }, () => count * 9));
    for (const s of out) {
      const k = Number(s.labels.find((l) => l.name === 'i')!.value);
      expect([...s.present]).toEqual(Array.from({ length: count }, () => 1));
      expect([...s.values]).toEqual(Array.from({ length: count }, (_, j) => k * j));
    }
  });

  it('a budget reached inside an aggregation throws before the next group is made', async () => {
    const { aggregate } = await import('./aggregate.ts');
    const count = 10;
    const input = Array.from({ length: 5 }, (_, k) => ({
      labels: labelsFrom({ __name__: 'g', i: String(k) }),
      values: new Float64Array(count).fill(k),
      present: new Uint8Array(count).fill(1),
    }));
    for (const op of ['sum', 'avg', 'max', 'stddev', 'topk', 'quantile'] as const) {
      const charged: number[] = [];
      expect(() =>
        aggregate(input, {
          op,
          grouping: ['i'],
          without: false,
          scalarParam: new Float64Array(count).fill(op === 'topk' ? 5 : 0.5),
          count,
          charge: (bytes) => {
            charged.push(bytes);
            if (charged.length === 3) throw new ExecutionError('budget');
          },
        }),
      ).toThrow('budget');
      expect(charged, op).toEqual([count * 9, count * 9, count * 9]);
    }
  });
});
