import { describe, expect, it } from 'vitest';
import { parseBytes } from './bytes.ts';

describe('parseBytes', () => {
  it('reads Thanos flag sizes', () => {
    expect(parseBytes('64MiB')).toBe(64 * 1024 * 1024);
    expect(parseBytes('512KB')).toBe(512 * 1024);
    expect(parseBytes('100')).toBe(100);
    expect(parseBytes('1.5GiB')).toBe(1.5 * 1024 ** 3);
    expect(() => parseBytes('12 parsecs')).toThrow('cannot parse "12 parsecs" as a byte size');
  });
});
