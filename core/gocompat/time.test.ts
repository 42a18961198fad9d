import { describe, expect, it } from 'vitest';
import { civilFromUnix, type CivilTime } from './time.ts';

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
