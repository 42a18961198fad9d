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
  it('refuses truncated bytes with a clear error', () => {
    const bytes = encodeExtent({
      start: 0,
      end: 1,
      series: [{ metric: labelsFrom({ a: 'b' }), t: Float64Array.of(0), v: Float64Array.of(1) }],
    });
    expect(() => decodeExtent(bytes.subarray(0, bytes.length - 3))).toThrow(/truncated at byte/);
  });
});
