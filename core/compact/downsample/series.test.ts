import { describe, expect, it } from 'vitest';
import {
  AGGR_COUNT,
  AGGR_COUNTER,
  AGGR_MAX,
  AGGR_MIN,
  AGGR_SUM,
  decodeAggrChunk,
} from '../../chunkenc/aggr.ts';
import { applyCounterResets } from '../../chunkenc/counter-resets.ts';
import { decodeXor, xorSampleCount } from '../../chunkenc/xor.ts';
import { RES_LEVEL1, RES_LEVEL2 } from '../../tsdb/meta.ts';
import type { ChunkMeta } from '../../tsdb/writer/chunk-writer.ts';
import {
  HOUR,
  makeRawSeries,
  referenceWindows,
  type RawSeries,
} from '../../../test/helpers/downsample-fixture.ts';
import { downsampleAggr, downsampleRaw, expandRaw } from './series.ts';

function decodeAll(chunks: readonly ChunkMeta[], at: number): { t: number[]; v: number[] } {
  const t: number[] = [];
  const v: number[] = [];
  for (const c of chunks) {
    const p = decodeAggrChunk(c.data)[at];
    if (!p) continue;
    const n = xorSampleCount(p);
    const ts = new Float64Array(n);
    const vs = new Float64Array(n);
    decodeXor(p, -Infinity, Infinity, ts, vs, 0);
    t.push(...ts);
    v.push(...vs);
  }
  return { t, v };
}

function downsample(s: RawSeries, res: number): ChunkMeta[] {
  const t = s.t.slice();
  const v = s.v.slice();
  const n = expandRaw(t, v, t.length);
  return downsampleRaw(t, v, n, res);
}

/** Checks every aggregate of `chunks` against the reference windows of the raw series. */
function expectAggregates(chunks: readonly ChunkMeta[], s: RawSeries, res: number): void {
  const ref = referenceWindows(s, res);
  const byType = [AGGR_COUNT, AGGR_SUM, AGGR_MIN, AGGR_MAX].map((at) => decodeAll(chunks, at));
  for (const d of byType) expect(d.t.length).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    const w = ref[i]!;
    const t = byType[0]!.t[i]!;
    // At the window's last ms, or at its last sample when a chunk ends in it.
    expect(t === w.start + res - 1 || t === w.lastT).toBe(true);
    for (const d of byType) expect(d.t[i]).toBe(t);
    expect(byType[0]!.v[i]).toBe(w.count);
    expect(byType[1]!.v[i]).toBe(w.sum);
    expect(byType[2]!.v[i]).toBe(w.min);
    expect(byType[3]!.v[i]).toBe(w.max);
  }
  // Counter: with resets applied across chunks, each window holds the folded counter at its end.
  // (Only meaningful for counters: a gauge's negative values make the folded sum fall, which a
  // reader takes for resets, in Thanos too.)
  if (!isCounter(s)) return;
  const c = decodeAll(chunks, AGGR_COUNTER);
  const run = applyCounterResets(Float64Array.from(c.t), Float64Array.from(c.v), 0, c.t.length);
  const firstRaw = s.v.find((x) => !Number.isNaN(x))!;
  expect(run.v[0]).toBe(firstRaw);
  const windows = new Map<number, number>();
  for (let i = 1; i < run.count; i++) windows.set(Math.floor(run.t[i]! / res), run.v[i]!);
  expect(windows.size).toBe(ref.length);
  for (const w of ref) expect(windows.get(w.start / res)).toBe(w.counter);
  // The trailing sample of the last chunk is the last raw value.
  const lastRaw = [...s.v].reverse().find((x) => !Number.isNaN(x))!;
  expect(run.lastV).toBe(lastRaw);
  // Chunks are in time order and never overlap.
  for (let i = 1; i < chunks.length; i++)
    expect(chunks[i]!.minTime).toBeGreaterThan(chunks[i - 1]!.maxTime);
}

function isCounter(s: RawSeries): boolean {
  return s.labels.some((l) => l.name === '__name__' && l.value.endsWith('_total'));
}

describe('downsampling one series', () => {
  const start = 1_700_000_000_000 - (1_700_000_000_000 % HOUR);
  const series = makeRawSeries(start, 48, 3);

  it('raw → 5m: windows, counter resets, gaps, NaN and stale markers as computed from raw', () => {
    for (const s of series) {
      const chunks = downsample(s, RES_LEVEL1);
      // 48h of 5m windows (≈ 540 after the gap) at < 140 windows per chunk.
      expect(chunks.length).toBeGreaterThan(3);
      for (const c of chunks) expect(c.numSamples).toBeLessThanOrEqual(141);
      expectAggregates(chunks, s, RES_LEVEL1);
    }
  });

  it('raw → 1h directly and 5m → 1h give the raw 1h aggregates', () => {
    for (const s of series) {
      expectAggregates(downsample(s, RES_LEVEL2), s, RES_LEVEL2);
      const five = downsample(s, RES_LEVEL1);
      const input = five.map((c) => ({
        minTime: c.minTime,
        maxTime: c.maxTime,
        parts: decodeAggrChunk(c.data),
      }));
      expectAggregates(downsampleAggr(input, RES_LEVEL1, RES_LEVEL2), s, RES_LEVEL2);
    }
  });

  it('a counter reset exactly between two chunks is seen through the trailing raw sample', () => {
    const t = Float64Array.from([10_000, 20_000, 310_000, 320_000]);
    const v = Float64Array.from([5, 9, 2, 4]);
    // Force one chunk per sample pair: feed the halves separately and join.
    const a = downsampleRaw(t.subarray(0, 2), v.subarray(0, 2), 2, RES_LEVEL1);
    const b = downsampleRaw(t.subarray(2), v.subarray(2), 2, RES_LEVEL1);
    const c = decodeAll([...a, ...b], AGGR_COUNTER);
    expect(c.t).toEqual([10_000, 20_000, 20_000, 310_000, 320_000, 320_000]);
    const run = applyCounterResets(Float64Array.from(c.t), Float64Array.from(c.v), 0, 6);
    // 5 → 9 (+4), reset to 2 (+2), → 4 (+2).
    expect([...run.v.subarray(0, run.count)]).toEqual([5, 9, 11, 13]);
  });
});
