import { describe, expect, it } from 'vitest';
import { Decbuf, Encbuf, crc32c } from './encoding.ts';

describe('crc32c', () => {
  it('matches the Castagnoli check value and continues across calls', () => {
    const b = new TextEncoder().encode('123456789');
    expect(crc32c(b)).toBe(0xe3069283);
    expect(crc32c(b.subarray(4), crc32c(b.subarray(0, 4)))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    // 32 zero bytes: RFC 3720 test vector.
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
  });
  it('handles ranges', () => {
    const b = new TextEncoder().encode('xx123456789yy');
    expect(crc32c(b, 0, 2, 11)).toBe(0xe3069283);
  });
});

describe('Encbuf/Decbuf', () => {
  it('round-trips all integer kinds', () => {
    const e = new Encbuf(16);
    const uvs = [0, 1, 127, 128, 300, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER];
    const vs = [0, -1, 1, -64, 64, -(2 ** 40), 1_700_000_000_000, -1_700_000_000_000];
    e.putBE32(0xbaaad700);
    e.putBE64(2 ** 50 + 3);
    for (const v of uvs) e.putUvarint(v);
    for (const v of vs) e.putVarint(v);
    e.putUvarintStr('héllo');
    e.putVarint64(-(2n ** 63n));
    e.putUvarint64(2n ** 64n - 1n);
    e.putByte(7);
    const d = new Decbuf(e.get());
    expect(d.be32()).toBe(0xbaaad700);
    expect(d.be64()).toBe(2 ** 50 + 3);
    for (const v of uvs) expect(d.uvarint()).toBe(v);
    for (const v of vs) expect(d.varint()).toBe(v);
    expect(d.uvarintStr()).toBe('héllo');
    expect(d.varint64()).toBe(-(2n ** 63n));
    expect(d.uvarint64()).toBe(2n ** 64n - 1n);
    expect(d.byte()).toBe(7);
    expect(d.err).toBeUndefined();
    expect(d.remaining).toBe(0);
  });
  it('is sticky on short reads and huge lengths', () => {
    const e = new Encbuf();
    e.putUvarint(1_000_000); // a string length far beyond the buffer
    e.putBytes(new Uint8Array([1, 2, 3]));
    const d = new Decbuf(e.get());
    expect(d.uvarintBytes().length).toBe(0);
    expect(d.err).toBe('invalid size');
    expect(d.be32()).toBe(0);
    expect(d.uvarint()).toBe(0);
    expect(d.err).toBe('invalid size');
  });
  it('rejects overlong varints and values above 2^53', () => {
    const d = new Decbuf(new Uint8Array(11).fill(0xff));
    d.uvarint();
    expect(d.err).toBe('invalid uvarint');
    const e = new Encbuf();
    e.putUvarint64(2n ** 60n);
    const d2 = new Decbuf(e.get());
    d2.uvarint();
    expect(d2.err).toBe('value exceeds 2^53');
    const d3 = new Decbuf(new Uint8Array([0x80, 0x80]));
    d3.uvarint();
    expect(d3.err).toBe('invalid size');
  });
  it('respects the window', () => {
    const d = new Decbuf(new Uint8Array([1, 2, 3, 4, 5, 6]), 1, 5);
    expect(d.be32()).toBe(0x02030405);
    expect(d.byte()).toBe(0);
    expect(d.err).toBe('invalid size');
  });
});
