import { describe, expect, it } from 'vitest';
import { encodeKey } from './s3.ts';

describe('encodeKey', () => {
  it('leaves keys of unreserved characters as they are', () => {
    for (const key of [
      '01HZX4K5J9Q8ZP3VYB7M2N6T1C/chunks/000001',
      'a-b_c.d~e/f',
      '',
      'debug/metas/',
    ])
      expect(encodeKey(key)).toBe(key);
  });

  it('percent-encodes every other character per RFC 3986, slashes kept', () => {
    expect(encodeKey('a b/c+d')).toBe('a%20b/c%2Bd');
    expect(encodeKey("x!'()*/%25")).toBe('x%21%27%28%29%2A/%2525');
    expect(encodeKey('tenant=é/ü?#')).toBe('tenant%3D%C3%A9/%C3%BC%3F%23');
  });
});
