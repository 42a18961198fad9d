import { describe, expect, it } from 'vitest';
import { labelsFrom } from '../labels/labels.ts';
import { decodeExtent, encodeExtent } from './extent-codec.ts';

describe('extent codec', () => {
  it('round-trips labels, times and every float bit pattern', () => {
    const stale = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;
    const extent = {
      start: 1_700_000_000_000,
      end: 1_700_000_060_000,
      series: [
        {
          metric: labelsFrom({ __name__: 'a', job: 'é"\\\n' }),
          t: Float64Array.of(1_700_000_000_000, 1_700_000_060_000),
          v: Float64Array.of(NaN, stale),
        },
        { metric: labelsFrom({}), t: Float64Array.of(5), v: Float64Array.of(-Infinity) },
      ],
    };
    const back = decodeExtent(encodeExtent(extent));
    expect(back.start).toBe(extent.start);
    expect(back.end).toBe(extent.end);
    expect(back.series.map((s) => s.metric)).toEqual(extent.series.map((s) => s.metric));
    const bits = (a: Float64Array) => [...new BigUint64Array(Float64Array.from(a).buffer)];
    back.series.forEach((s, i) => {
      expect(bits(s.t)).toEqual(bits(extent.series[i]!.t));
      expect(bits(s.v)).toEqual(bits(extent.series[i]!.v));
    });
  });
  it('keeps grid times as two numbers, other times as a column, from aligned or unaligned bytes', () => {
    const grid = Float64Array.from({ length: 100 }, (_, k) => 1_700_000_000_000 + k * 15_000);
    const ragged = Float64Array.from(grid, (t, k) => (k === 50 ? t + 1 : t));
    const v = Float64Array.from(grid, (_, k) => k / 7);
    const extent = {
      start: grid[0]!,
      end: grid[99]!,
      series: [
        { metric: labelsFrom({ a: 'grid' }), t: grid, v },
        { metric: labelsFrom({ a: 'ragged' }), t: ragged, v },
        { metric: labelsFrom({ a: 'one' }), t: grid.subarray(3, 4), v: v.subarray(3, 4) },
      ],
    };
    const bytes = encodeExtent(extent);
    // The grid series costs its values only: 100 times fewer than the ragged one's 200 numbers.
    expect(bytes.length).toBeLessThan(8 * (100 + 200 + 2) + 3 * 64 + 24);
    const unaligned = new Uint8Array(bytes.length + 1).subarray(1);
    unaligned.set(bytes);
    for (const input of [bytes, unaligned]) {
      const back = decodeExtent(input);
      expect(back.series.map((s) => [...s.t])).toEqual(extent.series.map((s) => [...s.t]));
      expect(back.series.map((s) => [...s.v])).toEqual(extent.series.map((s) => [...s.v]));
    }
    expect(decodeExtent(encodeExtent({ start: 1, end: 2, series: [] }))).toEqual({
      start: 1,
      end: 2,
      series: [],
    });
  });

  it('refuses bytes of another layout (an older entry) as not an extent', () => {
    const old = new Uint8Array(64);
    new DataView(old.buffer).setFloat64(0, 1_700_000_000_000, true);
    expect(() => decodeExtent(old)).toThrow(/not a cached extent/);
  });

  it('refuses truncated bytes with a clear error', () => {
    const bytes = encodeExtent({
      start: 0,
      end: 1,
      series: [{ metric: labelsFrom({ a: 'b' }), t: Float64Array.of(0), v: Float64Array.of(1) }],
    });
    expect(() => decodeExtent(bytes.subarray(0, bytes.length - 3))).toThrow(/truncated at byte/);
  });
});
