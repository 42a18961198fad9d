/**
 * @module core/chunkenc/testdata — deterministic sample generators shared by the codec tests and
 * the decode benchmark (regular scrapes, irregular timestamps, special values).
 */
import { STALE_NAN } from './stale.ts';

/** mulberry32: small seeded PRNG so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SampleSeries {
  t: Float64Array;
  v: Float64Array;
}

export type SeriesKind = 'counter' | 'gauge' | 'irregular' | 'special' | 'jumps';

/** One series of n samples of a given shape, starting at t0. */
export function makeSeries(
  kind: SeriesKind,
  n: number,
  seed: number,
  t0 = 1_700_000_000_000,
): SampleSeries {
  const r = rng(seed);
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  let ts = t0;
  let val = Math.floor(r() * 1000);
  // A Float64Array, not an Array: V8 canonicalises NaN payloads in double Arrays.
  const specials = new Float64Array([
    NaN,
    0,
    Infinity,
    -Infinity,
    -0,
    0,
    Number.MIN_VALUE,
    Number.MAX_VALUE,
  ]);
  specials[1] = STALE_NAN;
  for (let i = 0; i < n; i++) {
    switch (kind) {
      case 'counter':
        // 15s scrapes with a little jitter now and then; counter grows by small integers.
        ts += 15_000 + (r() < 0.05 ? Math.floor(r() * 20) - 10 : 0);
        val += Math.floor(r() * 10);
        break;
      case 'gauge':
        ts += 15_000 + (r() < 0.05 ? Math.floor(r() * 20) - 10 : 0);
        val = Math.round((val + (r() - 0.5) * 4) * 100) / 100;
        break;
      case 'irregular':
        ts += Math.floor(r() * 60_000);
        val = (r() - 0.5) * 10 ** Math.floor(r() * 20 - 10);
        break;
      case 'special':
        ts += 15_000 + Math.floor(r() * 3);
        val = r() < 0.5 ? specials[Math.floor(r() * specials.length)]! : r() * 100;
        break;
      case 'jumps': {
        // Deltas that exercise every delta-of-delta bucket, including 64-bit and negative ones.
        const pick = Math.floor(r() * 6);
        const jumps = [0, 1 << 13, 1 << 16, 1 << 19, 2 ** 40, -(2 ** 33)];
        ts += 1000 + Math.floor(r() * (jumps[pick]! + 1)) * (r() < 0.3 ? -1 : 1);
        val = r() < 0.3 ? val : r();
        break;
      }
    }
    t[i] = ts;
    v[i] = val;
  }
  if (kind === 'special') v[0] = STALE_NAN;
  return { t, v };
}
