import { describe, expect, it } from 'vitest';
import { ByteStrings } from './byte-strings.ts';

const utf8 = new TextEncoder();

describe('label strings found by their bytes', () => {
  it('decodes each distinct byte string once, wherever its bytes lie', () => {
    const strings = new ByteStrings();
    const decoded: string[] = [];
    const decode = (b: Uint8Array, start: number, end: number): string => {
      const s = new TextDecoder().decode(b.subarray(start, end));
      decoded.push(s);
      return s;
    };
    const body = utf8.encode('xxjobyyjobzzjoc·äö');
    expect(strings.fromBytes(body, 2, 5, decode)).toBe('job');
    expect(strings.fromBytes(body, 7, 10, decode)).toBe('job');
    expect(strings.fromBytes(body, 12, 15, decode)).toBe('joc');
    // Non-ASCII: held under its bytes, given back decoded.
    const at = body.length - utf8.encode('·äö').length;
    expect(strings.fromBytes(body, at, body.length, decode)).toBe('·äö');
    expect(strings.fromBytes(utf8.encode('·äö'), 0, 6, decode)).toBe('·äö');
    expect(decoded).toEqual(['job', 'joc', '·äö']);
    // A string given as a string is the one held for its bytes.
    expect(strings.intern('·äö')).toBe('·äö');
    expect(strings.intern('new')).toBe('new');
    expect(strings.fromBytes(utf8.encode('new'), 0, 3, decode)).toBe('new');
    expect(decoded).toEqual(['job', 'joc', '·äö']);
    expect(strings.size).toBe(4);
    strings.clear();
    expect(strings.size).toBe(0);
    strings.fromBytes(body, 2, 5, decode);
    expect(decoded).toEqual(['job', 'joc', '·äö', 'job']);
  });
});
