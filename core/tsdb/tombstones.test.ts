import { describe, expect, it } from 'vitest';
import { CorruptBlockError } from '../errors.ts';
import { Encbuf, crc32c } from './encoding.ts';
import { MAGIC_TOMBSTONES, isDeleted, parseTombstones } from './tombstones.ts';

function file(entries: [number, bigint, bigint][]): Uint8Array {
  const e = new Encbuf();
  e.putBE32(MAGIC_TOMBSTONES);
  e.putByte(1);
  for (const [ref, a, b] of entries) {
    e.putUvarint(ref);
    e.putVarint64(a);
    e.putVarint64(b);
  }
  e.putBE32(crc32c(e.get(), 0, 5));
  return e.get().slice();
}

describe('tombstones', () => {
  it('parses the empty file Prometheus writes', () => {
    expect(parseTombstones(new Uint8Array([0x01, 0x30, 0xba, 0x30, 1, 0, 0, 0, 0])).size).toBe(0);
  });
  it('merges intervals and clamps int64 bounds', () => {
    const t = parseTombstones(
      file([
        [3, 10n, 20n],
        [3, 15n, 30n],
        [3, 40n, 50n],
        [8, -(2n ** 63n), 2n ** 63n - 1n],
      ]),
    );
    expect(t.get(3)).toEqual([
      [10, 30],
      [40, 50],
    ]);
    expect(t.intervalCount).toBe(3);
    expect(isDeleted(t.get(8)!, 1_700_000_000_000)).toBe(true);
    expect(isDeleted(t.get(3)!, 35)).toBe(false);
    expect(isDeleted(t.get(3)!, 50)).toBe(true);
  });
  it('rejects bad magic, checksum and truncated entries', () => {
    const good = file([[1, 1n, 2n]]);
    const badMagic = good.slice();
    badMagic[0] = 9;
    const badCrc = good.slice();
    badCrc[6] ^= 1;
    for (const b of [badMagic, badCrc, good.subarray(0, 6)])
      expect(() => parseTombstones(b, 'B')).toThrow(CorruptBlockError);
  });
});
