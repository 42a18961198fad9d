import { describe, expect, it } from 'vitest';
import { civilFromUnix, goRFC3339, goTimeString, type CivilTime } from './time.ts';

describe("civilFromUnix: the safe path agrees with Go's absolute-time path", () => {
  it('over a spread of instants', () => {
    const a: CivilTime = { year: 0, month: 0, day: 0, yearDay: 0, weekday: 0, hour: 0, minute: 0 };
    const b: CivilTime = { ...a };
    let seed = 3;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 48271) % 2147483647;
      const sec = Math.round((seed / 2147483647 - 0.5) * 2 * 10 ** (4 + (i % 12)));
      civilFromUnix(sec, a);
      civilFromUnix(BigInt(sec), b);
      expect(a).toEqual(b);
    }
  });
});

describe('Go time formatting', () => {
  it('time.Time.String() and RFC3339 in UTC', () => {
    expect(goTimeString(1_600_000_000)).toBe('2020-09-13 12:26:40 +0000 UTC');
    expect(goTimeString(0)).toBe('1970-01-01 00:00:00 +0000 UTC');
    expect(goRFC3339(1_600_000_000_999)).toBe('2020-09-13T12:26:40Z');
    expect(goRFC3339(-1)).toBe('1969-12-31T23:59:59Z');
  });
});
