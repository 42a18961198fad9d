import { describe, expect, it } from 'vitest';
import { UlidFactory, newUlid, ulidFromParts, ulidTime } from './ulid.ts';
import { BadDataError } from '../errors.ts';

describe('ulid', () => {
  it('encodes the oklog/ulid spec example layout', () => {
    // All-zero and all-one boundaries from the spec.
    expect(ulidFromParts(0, new Uint8Array(10))).toBe('00000000000000000000000000');
    expect(ulidFromParts(2 ** 48 - 1, new Uint8Array(10).fill(0xff))).toBe(
      '7ZZZZZZZZZZZZZZZZZZZZZZZZZ',
    );
  });

  it('round-trips the time (a block ULID written by promtool decodes to its creation time)', () => {
    expect(ulidTime('01M8AX68B8M1G2DB8DHKR5F2GG')).toBe(Date.parse('2026-11-26T03:08:07.912Z'));
    const t = 1_700_000_123_456;
    expect(ulidTime(newUlid(t))).toBe(t);
  });

  it('is strictly increasing within one millisecond', () => {
    const f = new UlidFactory(() => 42);
    const ids = Array.from({ length: 1000 }, () => f.next());
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    expect(ids.every((id) => ulidTime(id) === 42)).toBe(true);
  });

  it('rejects malformed ULIDs', () => {
    expect(() => ulidTime('01M8AX68B8M1G2DB8DHKR5F2G')).toThrow(BadDataError);
    expect(() => ulidTime('01M8AX68B8M1G2DB8DHKR5F2GU')).toThrow(BadDataError);
    expect(() => ulidTime('81M8AX68B8M1G2DB8DHKR5F2GG')).toThrow(BadDataError);
  });
});
