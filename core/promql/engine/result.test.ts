import { describe, expect, it } from 'vitest';
import { labelsFrom } from '../../labels/labels.ts';
import { makeRange } from './range.ts';
import { rangeResult } from './result.ts';

describe('rangeResult', () => {
  it('keeps points where a value exists, sorted; series with consecutive steps share the steps', () => {
    const range = makeRange(1_000, 5_000, 1_000);
    const full = Float64Array.of(1, 2, 3, 4, 5);
    const gappy = Float64Array.of(9, 0, 7, 0, 6);
    const late = Float64Array.of(0, 0, 3, 4, 0);
    const out = rangeResult(
      {
        type: 'vector',
        series: [
          { labels: labelsFrom({ a: '2' }), values: full, present: Uint8Array.of(1, 1, 1, 1, 1) },
          { labels: labelsFrom({ a: '1' }), values: gappy, present: Uint8Array.of(1, 0, 1, 0, 1) },
          { labels: labelsFrom({ a: '3' }), values: full, present: new Uint8Array(5) },
          { labels: labelsFrom({ a: '4' }), values: late, present: Uint8Array.of(0, 0, 1, 1, 0) },
        ],
      },
      range,
    );
    if (out.type !== 'matrix') throw new Error(out.type);
    expect(out.series.map((s) => [s.metric, [...s.t], [...s.v]])).toEqual([
      [labelsFrom({ a: '1' }), [1_000, 3_000, 5_000], [9, 7, 6]],
      [labelsFrom({ a: '2' }), [1_000, 2_000, 3_000, 4_000, 5_000], [1, 2, 3, 4, 5]],
      [labelsFrom({ a: '4' }), [3_000, 4_000], [3, 4]],
    ]);
    // No copies for the full series: the answer is the node's column over the query's steps.
    expect(out.series[1]!.t).toBe(range.times);
    expect(out.series[1]!.v.buffer).toBe(full.buffer);
    // Nor for values at consecutive steps: views on the steps and on the column.
    expect(out.series[2]!.t.buffer).toBe(range.times.buffer);
    expect(out.series[2]!.v.buffer).toBe(late.buffer);
  });
});
