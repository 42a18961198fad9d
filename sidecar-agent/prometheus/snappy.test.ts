import { describe, expect, it } from 'vitest';
import { snappyDecode } from '../../core/tsdb/wal/snappy.ts';
import { snappyEncode } from './snappy.ts';

describe('snappy block format encoder (literals only)', () => {
  it('round-trips literals of every tag size through the decoder', () => {
    for (const n of [0, 1, 59, 60, 61, 255, 256, 257, 65535, 65536, 65537, 200_000]) {
      const input = new Uint8Array(n);
      for (let i = 0; i < n; i++) input[i] = (i * 31 + 7) & 0xff;
      const encoded = snappyEncode(input);
      // Literals only: the input's bytes plus a few bytes of header and tags.
      expect(encoded.length).toBeLessThanOrEqual(5 + n + Math.ceil(n / 65536) * 3);
      expect(Buffer.from(snappyDecode(encoded)).equals(Buffer.from(input))).toBe(true);
    }
  });
});
