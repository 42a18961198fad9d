import { describe, expect, it } from 'vitest';
import { STALE_NAN, isStaleNaN } from '../chunkenc/stale.ts';
import { dedupPair } from './penalty.ts';

function scrape(
  from: number,
  to: number,
  every: number,
  value: (t: number) => number,
): { t: Float64Array; v: Float64Array } {
  const ts: number[] = [];
  for (let t = from; t <= to; t += every) ts.push(t);
  return { t: Float64Array.from(ts), v: Float64Array.from(ts.map(value)) };
}

describe('dedupPair (penalty algorithm)', () => {
  it('stays on one replica while both have data, never doubling the sample rate', () => {
    const a = scrape(0, 300_000, 15_000, (t) => t / 1000);
    const b = scrape(5_000, 300_000, 15_000, (t) => t / 1000 + 1000);
    const out = dedupPair(a.t, a.v, b.t, b.v);
    expect(Array.from(out.t)).toEqual(Array.from(a.t));
    expect(Array.from(out.v)).toEqual(Array.from(a.v));
  });

  it('switches to the other replica across a gap and stays there', () => {
    const a = {
      t: Float64Array.from([0, 15e3, 30e3, 45e3, 150e3, 165e3, 180e3]),
      v: Float64Array.from([1, 2, 3, 4, 11, 12, 13]),
    };
    const b = scrape(5_000, 185_000, 15_000, (t) => 100 + t / 1000);
    const out = dedupPair(a.t, a.v, b.t, b.v);
    const times = Array.from(out.t);
    // A until its gap after 45s; B is penalised by twice A's last interval (30s), so its first
    // sample after 45s+30s is taken (80s), and from then on B (5s phase) to the end.
    expect(times.slice(0, 4)).toEqual([0, 15e3, 30e3, 45e3]);
    expect(times[4]).toBe(80e3);
    expect(times.slice(4).every((t) => (t - 5_000) % 15_000 === 0)).toBe(true);
    expect(times.at(-1)).toBe(185e3);
    for (let i = 1; i < times.length; i++)
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(5_000);
  });

  it('uses the other replica when one is empty', () => {
    const b = scrape(0, 60_000, 15_000, () => 7);
    const out = dedupPair(new Float64Array(0), new Float64Array(0), b.t, b.v);
    expect(Array.from(out.t)).toEqual(Array.from(b.t));
  });

  it('in counter mode hides the drop of a replica switch but keeps real resets', () => {
    // A counts 10,20,30 then stops; B is behind by 25 and continues.
    const a = {
      t: Float64Array.from([0, 15e3, 30e3, 75e3, 90e3]),
      v: Float64Array.from([10, 20, 30, 2, 4]),
    };
    const b = {
      t: Float64Array.from([5e3, 20e3, 35e3, 50e3, 65e3]),
      v: Float64Array.from([-15, -5, 5, 15, 25]),
    };
    const out = dedupPair(a.t, a.v, b.t, b.v, { counter: true });
    const v = Array.from(out.v);
    const t = Array.from(out.t);
    // A until 30s; B is penalised 30s, so the switch lands on B's 65s sample (25), which
    // continues from A's last value (30) instead of dropping below it.
    expect(t).toEqual([0, 15e3, 30e3, 65e3]);
    expect(v).toEqual([10, 20, 30, 30]);
    // Without counter mode the raw value appears.
    const raw = dedupPair(a.t, a.v, b.t, b.v);
    expect(Array.from(raw.v)).toEqual([10, 20, 30, 25]);
    // A reset inside one replica is real and stays.
    const single = dedupPair(
      Float64Array.from([0, 15e3, 30e3]),
      Float64Array.from([10, 20, 2]),
      new Float64Array(0),
      new Float64Array(0),
      { counter: true },
    );
    expect(Array.from(single.v)).toEqual([10, 20, 2]);
  });

  it('keeps stale markers bit-exact', () => {
    const v = new Float64Array(2);
    v[0] = 1;
    v[1] = STALE_NAN;
    const a = { t: Float64Array.from([0, 15e3]), v };
    const out = dedupPair(a.t, a.v, new Float64Array(0), new Float64Array(0), { counter: true });
    expect(isStaleNaN(out.v, 1)).toBe(true);
  });
});
