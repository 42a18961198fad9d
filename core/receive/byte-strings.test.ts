import { describe, expect, it } from 'vitest';
import { ByteStrings } from './byte-strings.ts';

const utf8 = new TextEncoder();

describe('label strings found by their bytes', () => {
  it('finds a held string wherever its bytes lie, and decodes (without holding) one it lacks', () => {
    const strings = new ByteStrings();
    const decoded: string[] = [];
    const decode = (b: Uint8Array, start: number, end: number): string => {
      const s = new TextDecoder().decode(b.subarray(start, end));
      decoded.push(s);
      return s;
    };
    const body = utf8.encode('xxjobyyjobzzjoc·äö');
    // Not held yet: decoded each time, and fromBytes holds nothing.
    expect(strings.fromBytes(body, 2, 5, decode)).toBe('job');
    expect(strings.fromBytes(body, 7, 10, decode)).toBe('job');
    expect(decoded).toEqual(['job', 'job']);
    expect(strings.size).toBe(0);
    // Held by intern: found by its bytes from then on, at any offset, with no decoding.
    expect(strings.intern('job')).toBe('job');
    expect(strings.intern('·äö')).toBe('·äö');
    expect(strings.fromBytes(body, 2, 5, decode)).toBe('job');
    expect(strings.fromBytes(body, 7, 10, decode)).toBe('job');
    const at = body.length - utf8.encode('·äö').length;
    expect(strings.fromBytes(body, at, body.length, decode)).toBe('·äö');
    expect(strings.fromBytes(body, 12, 15, decode)).toBe('joc');
    expect(decoded).toEqual(['job', 'job', 'joc']);
    // Interning an equal string again holds nothing more.
    expect(strings.intern('·äö')).toBe('·äö');
    expect(strings.size).toBe(2);
    strings.clear();
    expect(strings.size).toBe(0);
    strings.fromBytes(body, 2, 5, decode);
    expect(decoded).toEqual(['job', 'job', 'joc', 'job']);
  });
});
