import { describe, expect, it } from 'vitest';
import { labelsFrom } from '../labels/labels.ts';
import type { QueryResult } from '../promql/engine/result.ts';
import { queryFrontend } from './frontend.ts';
import { FrontendMetrics } from './metrics.ts';
import { MemoryResultsCache, type Extent } from './results-cache.ts';

/** A results cache that records every extent written to it. */
class RecordingCache extends MemoryResultsCache {
  readonly puts: { key: string; start: number; end: number; steps: number }[] = [];
  override async putExtent(key: string, extent: Extent): Promise<void> {
    this.puts.push({
      key,
      start: extent.start,
      end: extent.end,
      steps: extent.series[0]!.t.length,
    });
    return super.putExtent(key, extent);
  }
}

const STEP = 60_000;
/** Two series whose value at every step is a function of its time: an answer any split agrees on. */
function evaluate(start: number, end: number): QueryResult {
  const n = Math.floor((end - start) / STEP) + 1;
  const series = ['a', 'b'].map((name, k) => {
    const t = Float64Array.from({ length: n }, (_, i) => start + i * STEP);
    return { metric: labelsFrom({ name }), t, v: t.map((x) => x / 1000 + k) };
  });
  return {
    value: { type: 'matrix', series },
    warnings: [],
    stats: { loadedSamples: 0, peakSamples: 0, peakBytes: 0 },
  };
}

describe('query frontend: results cache writes', () => {
  it('keeps a refresh’s new steps as a small tail entry, and rewrites the base when the tail grows', async () => {
    const cache = new RecordingCache();
    const asked: [number, number][] = [];
    const f = queryFrontend<object>({
      downstream: () => Promise.reject(new Error('not reached')),
      rangeQuery: async (_env, _p, r) => {
        asked.push([r.start, r.end]);
        return evaluate(r.start, r.end);
      },
      settings: () => ({
        splitInterval: 24 * 3600_000,
        maxFreshness: 0,
        maxRetries: 0,
        cache,
        metrics: new FrontendMetrics(),
      }),
      now: () => 10 * 24 * 3600_000,
    });
    const T0 = 3600_000;
    const answer = async (shiftSteps: number) => {
      const start = (T0 + shiftSteps * STEP) / 1000;
      const end = start + 6 * 3600;
      const res = await f.fetch(
        new Request(`http://x/api/v1/query_range?query=up&start=${start}&end=${end}&step=60`),
        {},
      );
      expect(res.status).toBe(200);
      const got = (await res.json()) as { data: { result: { values: [number, string][] }[] } };
      // Same points as one evaluation of the whole window: series b's value is t/1000 + 1.
      const values = got.data.result[1]!.values;
      expect(values).toHaveLength(361);
      values.forEach(([t, v], i) => {
        expect(t).toBe(start + i * 60);
        expect(v).toBe(String(t + 1));
      });
    };
    await answer(0);
    expect(cache.puts).toHaveLength(1);
    const base = cache.puts[0]!;
    expect(base.steps).toBe(361);
    // Moved by one step, then six more: only the new steps are computed, and each write is the
    // tail entry (the steps after the base), never the 361-step base again.
    for (let k = 1; k <= 7; k++) {
      asked.length = 0;
      await answer(k);
      expect(asked).toEqual([[T0 + (360 + k) * STEP, T0 + (360 + k) * STEP]]);
      const put = cache.puts.at(-1)!;
      expect(put.key).toBe(`${base.key}+tail`);
      expect(put).toMatchObject({ start: base.end + STEP, steps: k });
    }
    // Asked again: answered from base and tail, nothing computed or written.
    asked.length = 0;
    const writes = cache.puts.length;
    await answer(7);
    expect(asked).toEqual([]);
    expect(cache.puts).toHaveLength(writes);
    // Past max(16, a tenth of the base) steps of tail, the base is written again, whole.
    await answer(60);
    const rewrite = cache.puts.at(-1)!;
    expect(rewrite).toMatchObject({ key: base.key, start: base.start, steps: 361 + 60 });
    // The old tail entry no longer continues the base: the next step is a new tail of one step.
    await answer(61);
    expect(cache.puts.at(-1)).toMatchObject({ key: `${base.key}+tail`, steps: 1 });
  });
});
