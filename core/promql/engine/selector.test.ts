import { describe, expect, it } from 'vitest';
import { STALE_NAN } from '../../chunkenc/stale.ts';
import { QueryLimits } from './limits.ts';
import { foldVector, selectMatrix, selectVector } from './selector.ts';
import { Random } from '../../../test/helpers/random.ts';

const limits = (): QueryLimits =>
  new QueryLimits({ maxSamples: Infinity, deadline: Infinity, maxBytes: Infinity });

/** One series with samples every 10 ms from 0 to 990; `stale` indexes hold stale markers. */
function series(stale: readonly number[] = []): { t: Float64Array; v: Float64Array } {
  const t = new Float64Array(100).map((_, i) => i * 10);
  const v = new Float64Array(100).map((_, i) => i);
  for (const i of stale) v[i] = STALE_NAN;
  return { t, v };
}

describe('selectMatrix', () => {
  const windowEnd = new Float64Array([500, 600, 700]);
  const range = 100;
  const labels = [{ name: 'a', value: '1' }];

  it('trims the ends to the windows without copying the samples', () => {
    const s = series();
    const { value } = selectMatrix([{ labels, ...s }], windowEnd, range, limits());
    const out = value.series[0]!;
    expect(Array.from(out.t)).toEqual(Array.from({ length: 31 }, (_, i) => 400 + i * 10));
    expect(Array.from(out.v)).toEqual(Array.from({ length: 31 }, (_, i) => 40 + i));
    expect(out.length).toBe(31);
    // Views of the series' own arrays.
    expect(out.t.buffer).toBe(s.t.buffer);
    expect(out.v.buffer).toBe(s.v.buffer);
  });

  it('drops stale markers inside the windows (into new arrays) and leaves other series out', () => {
    const s = series([45, 50, 90]);
    const none = { labels: [{ name: 'a', value: '2' }], ...series() };
    none.t = none.t.map((x) => x + 5000);
    const { value } = selectMatrix([{ labels, ...s }, none], windowEnd, range, limits());
    expect(value.series).toHaveLength(1);
    const out = value.series[0]!;
    const want = Array.from({ length: 31 }, (_, i) => 40 + i).filter((i) => i !== 45 && i !== 50);
    expect(Array.from(out.v)).toEqual(want);
    expect(Array.from(out.t)).toEqual(want.map((i) => i * 10));
    expect(out.length).toBe(29);
    expect(out.t.buffer).not.toBe(s.t.buffer);
  });

  it('keeps counts beside the samples they belong to', () => {
    const s = series();
    const counts = new Float64Array(100).map((_, i) => i % 7);
    const { value } = selectMatrix([{ labels, ...s, counts }], windowEnd, range, limits());
    expect(Array.from(value.series[0]!.counts!)).toEqual(
      Array.from({ length: 31 }, (_, i) => (40 + i) % 7),
    );
  });
});

describe('foldVector', () => {
  it('hands each series over exactly as selectVector selects it, in reused columns', () => {
    const rnd = new Random(7);
    const times = new Float64Array(60).map((_, i) => 1_000 + i * 50);
    for (let round = 0; round < 20; round++) {
      // Series that start late, stop early, have gaps past the lookback and stale markers, so a
      // column left as the previous series filled it shows.
      const raw = Array.from({ length: 12 }, (_, k) => {
        const t: number[] = [];
        const v: number[] = [];
        let at = rnd.int(2_000);
        const end = at + rnd.int(3_500);
        while (at < end) {
          t.push(at);
          v.push(rnd.int(10) === 0 ? STALE_NAN : rnd.int(1_000) / 7);
          at += 1 + rnd.int(rnd.int(8) === 0 ? 600 : 60);
        }
        return {
          labels: [{ name: 'k', value: String(k) }],
          t: Float64Array.from(t),
          v: Float64Array.from(v),
        };
      });
      for (const withTimestamps of [false, true]) {
        const opts = { offset: rnd.int(100), lookbackDelta: 200, withTimestamps };
        const want = selectVector(raw, times, opts, limits());
        const got: { labels: unknown; values: number[]; present: number[]; stamps?: number[] }[] =
          [];
        let columns: Float64Array | undefined;
        foldVector(raw, times, opts, limits(), (s) => {
          columns ??= s.values;
          expect(s.values).toBe(columns);
          got.push({
            labels: s.labels,
            values: Array.from(s.values),
            present: Array.from(s.present),
            ...(s.timestamps && { stamps: Array.from(s.timestamps) }),
          });
        });
        expect(got).toEqual(
          want.map((s) => ({
            labels: s.labels,
            values: Array.from(s.values),
            present: Array.from(s.present),
            ...(s.timestamps && { stamps: Array.from(s.timestamps) }),
          })),
        );
        expect(want.length).toBeGreaterThan(1);
      }
    }
  });
});
