import { describe, expect, it } from 'vitest';
import { prometheusLabelsHash, xxhash64 } from './xxhash64.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('xxhash64', () => {
  it('matches the reference vectors', () => {
    expect(xxhash64(enc('')).toString(16)).toBe('ef46db3751d8e999');
    expect(xxhash64(enc('abc')).toString(16)).toBe('44bc2cf5ad770999');
    // 32+ bytes: the four-lane path.
    expect(xxhash64(enc('Nobody inspects the spammish repetition')).toString(16)).toBe(
      'fbcea83c8a378bf1',
    );
  });

  it('hashes label sets with 0xff separators', () => {
    const a = prometheusLabelsHash([{ name: 'a', value: 'b' }]);
    const bytes = new Uint8Array([0x61, 0xff, 0x62, 0xff]);
    expect(a).toBe(xxhash64(bytes).toString());
    expect(prometheusLabelsHash([])).toBe(xxhash64(new Uint8Array()).toString());
  });
});
