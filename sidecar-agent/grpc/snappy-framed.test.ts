import { describe, expect, it } from 'vitest';
import { crc32c } from '../../core/tsdb/crc32c.ts';
import { snappyDecode } from '../../core/tsdb/wal/snappy.ts';
import { Random } from '../../test/helpers/random.ts';
import { maskedCrc, snappyFramedDecode, snappyFramedEncode } from './snappy-framed.ts';

const enc = new TextEncoder();

describe('snappy framed format', () => {
  it('masks the CRC-32C as framing_format.txt says', () => {
    // CRC-32C("123456789") is 0xe3069283 (RFC 3720's check value).
    expect(crc32c(enc.encode('123456789'))).toBe(0xe3069283);
    const c = 0xe3069283;
    expect(maskedCrc(enc.encode('123456789'))).toBe(
      ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0,
    );
  });

  it('starts with the stream identifier and round-trips text, random bytes and empty input', () => {
    const rnd = new Random(7);
    const inputs = [
      new Uint8Array(0),
      enc.encode('a'),
      enc.encode('series{job="a"} '.repeat(5000)), // compressible, > 64 KiB: several chunks
      rnd.bytes(200_000), // incompressible: stored chunks
    ];
    for (const input of inputs) {
      const framed = snappyFramedEncode(input);
      expect([...framed.subarray(0, 10)]).toEqual([
        0xff, 6, 0, 0, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59,
      ]);
      expect(snappyFramedDecode(framed)).toEqual(input);
    }
    const text = enc.encode('series{job="a"} '.repeat(5000));
    expect(snappyFramedEncode(text).length).toBeLessThan(text.length / 10);
  });

  it('each compressed chunk is valid snappy block data for an independent block decoder', () => {
    const input = enc.encode('abcdabcdabcdXYZabcdabcd'.repeat(100));
    const framed = snappyFramedEncode(input);
    expect(framed[10]).toBe(0x00); // a compressed chunk
    const len = framed[11]! | (framed[12]! << 8) | (framed[13]! << 16);
    expect(snappyDecode(framed.subarray(18, 14 + len))).toEqual(input);
  });

  it('rejects a flipped byte (checksum), a missing identifier and reserved chunk types', () => {
    const framed = snappyFramedEncode(enc.encode('hello hello hello hello'));
    const bad = framed.slice();
    bad[bad.length - 1]! ^= 1;
    expect(() => snappyFramedDecode(bad)).toThrow(/checksum|snappy/);
    expect(() => snappyFramedDecode(framed.subarray(10))).toThrow(/identifier/);
    const reserved = Uint8Array.from([...framed.subarray(0, 10), 0x02, 0, 0, 0]);
    expect(() => snappyFramedDecode(reserved)).toThrow(/reserved/);
    // Skippable chunks (0x80-0xfe) are skipped.
    const skippable = Uint8Array.from([...framed, 0x80, 1, 0, 0, 42]);
    expect(snappyFramedDecode(skippable)).toEqual(enc.encode('hello hello hello hello'));
  });
});
