/**
 * @module core/chunkenc/testdata — deterministic sample generators shared by the codec tests and
 * the decode benchmark (regular scrapes, irregular timestamps, special values).
 */
import { STALE_NAN } from '../../core/chunkenc/stale.ts';
import { Random } from './random.ts';

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
  const r = new Random(seed);
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  let ts = t0;
  let val = r.int(1000);
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
        ts += 15_000 + (r.chance(0.05) ? r.int(20) - 10 : 0);
        val += r.int(10);
        break;
      case 'gauge':
        ts += 15_000 + (r.chance(0.05) ? r.int(20) - 10 : 0);
        val = Math.round((val + (r.next() - 0.5) * 4) * 100) / 100;
        break;
      case 'irregular':
        ts += r.int(60_000);
        val = (r.next() - 0.5) * 10 ** Math.floor(r.next() * 20 - 10);
        break;
      case 'special':
        ts += 15_000 + r.int(3);
        val = r.chance(0.5) ? r.pick(specials) : r.next() * 100;
        break;
      case 'jumps': {
        // Deltas that exercise every delta-of-delta bucket, including 64-bit and negative ones.
        const pick = r.int(6);
        const jumps = [0, 1 << 13, 1 << 16, 1 << 19, 2 ** 40, -(2 ** 33)];
        ts += 1000 + r.int(jumps[pick]! + 1) * (r.chance(0.3) ? -1 : 1);
        val = r.chance(0.3) ? val : r.next();
        break;
      }
    }
    t[i] = ts;
    v[i] = val;
  }
  if (kind === 'special') v[0] = STALE_NAN;
  return { t, v };
}
