import { describe, expect, it } from 'vitest';
import { STALE_NAN } from '../../chunkenc/stale.ts';
import { QueryLimits } from './limits.ts';
import { selectMatrix } from './selector.ts';

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
