import { describe, expect, it } from 'vitest';
import { CorruptBlockError } from '../errors.ts';
import {
  AGGR_COUNT,
  AGGR_COUNTER,
  AGGR_SUM,
  AGGR_TYPES,
  aggrChunkLayout,
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

  it('lays out aggregates of multi-byte lengths without views, as decodeAggrChunk splits them', () => {
    const long = (n: number, step: number) =>
      xor(Array.from({ length: n }, (_, i): [number, number] => [i * step, Math.sin(i) * 1e6]));
    // 1-, 2- and 3-byte uvarint lengths (< 128, < 16,384, more), and an absent aggregate.
    const parts = [long(2, 1), long(40, 300_000), undefined, long(3000, 60_000), xor([[5, 5]])];
    expect(parts[1]!.length).toBeGreaterThan(127);
    expect(parts[3]!.length).toBeGreaterThan(16_383);
    const data = encodeAggrChunk(parts);
    const layout = new Int32Array(2 * AGGR_TYPES).fill(-1);
    aggrChunkLayout(data, layout);
    for (let i = 0; i < AGGR_TYPES; i++) {
      const p = parts[i];
      if (!p) expect([layout[2 * i], layout[2 * i + 1]]).toEqual([0, 0]);
      else expect([...data.subarray(layout[2 * i]!, layout[2 * i + 1]!)]).toEqual([...p]);
    }
    expect(layout[2 * AGGR_TYPES - 1]).toBe(data.length);
    // Cut anywhere, the chunk is refused, never read past its end.
    for (const cut of [1, 2, 3, parts[0]!.length + 2, data.length - 1]) {
      expect(() => aggrChunkLayout(data.subarray(0, cut), layout), `cut ${cut}`).toThrow(
        /aggregate chunk: aggregate \d truncated at byte/,
      );
    }
    // A length of more than four uvarint bytes is no chunk's.
    const huge = Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x01, 1]);
    expect(() => aggrChunkLayout(huge, layout)).toThrow(/length too large/);
  });
});
