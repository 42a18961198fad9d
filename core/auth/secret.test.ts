import { describe, expect, it } from 'vitest';
import { DIGEST_BYTES, secretDigest, timingSafeEqual } from './secret.ts';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('timingSafeEqual', () => {
  it('is true only for the same bytes', () => {
    expect(timingSafeEqual(bytes(1, 2, 3), bytes(1, 2, 3))).toBe(true);
    expect(timingSafeEqual(bytes(), bytes())).toBe(true);
    expect(timingSafeEqual(bytes(1, 2, 3), bytes(1, 2, 4))).toBe(false);
    expect(timingSafeEqual(bytes(0, 2, 3), bytes(1, 2, 3))).toBe(false);
  });

  it('is false for a prefix or a longer value, even one padded with zeros', () => {
    expect(timingSafeEqual(bytes(1, 2), bytes(1, 2, 3))).toBe(false);
    expect(timingSafeEqual(bytes(1, 2, 3), bytes(1, 2))).toBe(false);
    // A missing byte reads as 0 in the loop: the length term must still tell them apart.
    expect(timingSafeEqual(bytes(1, 2), bytes(1, 2, 0))).toBe(false);
    expect(timingSafeEqual(bytes(), bytes(0))).toBe(false);
  });

  it('finds a difference in every position', () => {
    const a = new Uint8Array(64).fill(7);
    for (let i = 0; i < a.length; i++) {
      const b = a.slice();
      b[i] = 8;
      expect(timingSafeEqual(a, b)).toBe(false);
    }
  });
});

describe('secretDigest', () => {
  it('is SHA-256: fixed length, equal for equal secrets, different otherwise', async () => {
    const a = await secretDigest('correct horse battery staple');
    expect(a.length).toBe(DIGEST_BYTES);
    expect(timingSafeEqual(a, await secretDigest('correct horse battery staple'))).toBe(true);
    expect(timingSafeEqual(a, await secretDigest('correct horse battery stapl'))).toBe(false);
    // The known SHA-256 of "abc" (FIPS 180-2 appendix B.1).
    const abc = [...(await secretDigest('abc'))]
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('');
    expect(abc).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
