import { describe, expect, it } from 'vitest';
import { STALE_NAN } from './stale.ts';
import { applyCounterResets } from './counter-resets.ts';

describe('applyCounterResets', () => {
  it('folds resets, takes trailing same-time samples as the true last value, skips NaN and going back', () => {
    // Chunk 1: first raw 10, windows 15 and 20, trailing raw 20 (no reset inside).
    // Chunk 2: first raw 3 (< 20: a reset between chunks), window 8, trailing raw 5 (reset inside).
    const t = Float64Array.from([1, 5, 9, 9, 12, 15, 16, 16, 14]);
    const v = Float64Array.from([10, 15, 20, 20, 3, NaN, 8, 5, 99]);
    v[5] = STALE_NAN;
    const r = applyCounterResets(t, v, 0, t.length);
    expect([...r.t.subarray(0, r.count)]).toEqual([1, 5, 9, 12, 16]);
    expect([...r.v.subarray(0, r.count)]).toEqual([10, 15, 20, 23, 28]);
    expect(r.lastV).toBe(5);
  });
});
