import { describe, expect, it } from 'vitest';
import {
  STALE_NAN,
  STALE_NAN_BITS_HI,
  STALE_NAN_BITS_LO,
  isStaleNaN,
  isStaleNaNNumber,
} from './stale.ts';

function bitsOf(v: number): [number, number] {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  return [dv.getUint32(0), dv.getUint32(4)];
}

describe('stale marker', () => {
  it('STALE_NAN has exactly the marker bits', () => {
    expect(bitsOf(STALE_NAN)).toEqual([0x7ff00000, 0x00000002]);
    expect([STALE_NAN_BITS_HI, STALE_NAN_BITS_LO]).toEqual([0x7ff00000, 2]);
    expect(Number.isNaN(STALE_NAN)).toBe(true);
  });

  it('V8 keeps the marker bits through Float64Array stores and copies', () => {
    const a = new Float64Array(8);
    a[3] = STALE_NAN;
    expect(isStaleNaN(a, 3)).toBe(true);
    const b = a.slice();
    expect(isStaleNaN(b, 3)).toBe(true);
    const c = new Float64Array(16);
    c.set(a, 4);
    expect(isStaleNaN(c, 7)).toBe(true);
    const d = new Float64Array(8);
    for (let i = 0; i < 8; i++) d[i] = a[i]!; // element-wise through a JS number
    expect(isStaleNaN(d, 3)).toBe(true);
    // NOT covered: a round trip through a plain JS Array (`Array.from(a)`) canonicalises NaNs in
    // V8 (double-element arrays reserve a NaN pattern for holes) and loses the marker.
    expect(isStaleNaNNumber(d[3]!)).toBe(true);
    // A subarray with a byteOffset still reads the right words.
    expect(isStaleNaN(c.subarray(5), 2)).toBe(true);
    expect(isStaleNaN(c.subarray(5), 1)).toBe(false);
  });

  it('ordinary NaN, numbers, Inf are not stale', () => {
    const a = new Float64Array([NaN, 0, -0, Infinity, -Infinity, 1.5]);
    for (let i = 0; i < a.length; i++) expect(isStaleNaN(a, i)).toBe(false);
    expect(isStaleNaNNumber(NaN)).toBe(false);
    expect(isStaleNaNNumber(0)).toBe(false);
  });
});
