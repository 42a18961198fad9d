import { describe, expect, it } from 'vitest';
import { CorruptBlockError } from '../errors.ts';
import {
  AGGR_COUNT,
  AGGR_COUNTER,
  AGGR_SUM,
  aggrSampleCount,
  decodeAggrChunk,
  encodeAggrChunk,
} from './aggr.ts';
import { XorAppender, decodeXor } from './xor.ts';

function xor(samples: [number, number][]): Uint8Array {
  const a = new XorAppender();
  for (const [t, v] of samples) a.append(t, v);
  return a.bytes();
}

describe('aggregate chunk', () => {
  it('round-trips five aggregates, absent ones as a zero length', () => {
    const parts = [
      xor([
        [299_999, 20],
        [599_999, 19],
      ]),
      xor([[299_999, 1.5]]),
      undefined,
      xor([[1, -3]]),
      xor([
        [0, 5],
        [299_999, 7],
        [299_999, 7],
      ]),
    ];
    const data = encodeAggrChunk(parts);
    // Layout: uvarint length, XOR encoding byte, bytes; the absent min is a single 0.
    expect(data[0]).toBe(parts[0]!.length);
    expect(data[1]).toBe(1);
    const back = decodeAggrChunk(data);
    expect(back.map((p) => (p ? [...p] : undefined))).toEqual(
      parts.map((p) => (p ? [...p] : undefined)),
    );
    expect(aggrSampleCount(data)).toBe(2);
    const t = new Float64Array(3);
    const v = new Float64Array(3);
    expect(decodeXor(back[AGGR_COUNTER]!, -Infinity, Infinity, t, v, 0)).toBe(3);
    expect([...t]).toEqual([0, 299_999, 299_999]);
    expect(decodeXor(back[AGGR_SUM]!, -Infinity, Infinity, t, v, 0)).toBe(1);
    expect(v[0]).toBe(1.5);
    expect(back[AGGR_COUNT]).toBeDefined();
  });

  it('rejects truncated data and non-XOR aggregates', () => {
    const data = encodeAggrChunk([xor([[1, 1]]), undefined, undefined, undefined, undefined]);
    expect(() => decodeAggrChunk(data.subarray(0, 5))).toThrow(CorruptBlockError);
    const bad = data.slice();
    bad[1] = 2;
    expect(() => decodeAggrChunk(bad)).toThrow(/encoding 2/);
  });
});
