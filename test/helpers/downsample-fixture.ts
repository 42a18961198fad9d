/**
 * @module test/helpers/downsample-fixture — raw series for downsampling tests (a counter with
 * resets, a gauge, gaps, NaN and stale markers) and the reference aggregates computed plainly from
 * those raw samples, independently of core/compact/downsample.
 *
 * Sample timestamps sit 7s past each 15s step, so none falls on a 5m or 1h boundary: a range
 * [T - k·res, T] with aligned T then holds exactly the windows [T - k·res, T).
 */
import {
  LITTLE_ENDIAN,
  STALE_NAN_BITS_HI,
  STALE_NAN_BITS_LO,
  u32View,
} from '../../core/chunkenc/stale.ts';
import type { Labels } from '../../core/labels/labels.ts';

export const HOUR = 3_600_000;
export const SCRAPE = 15_000;
export const OFFSET = 7_000;

export interface RawSeries {
  readonly labels: Labels;
  readonly t: Float64Array;
  readonly v: Float64Array;
}

/** Deterministic small PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Series over [start, start + hours): integer values (sums stay exact however they are added),
 * a 3h gap in each, a few stale markers and (unless `nan: false`) plain NaN values, counter resets.
 */
export function makeRawSeries(
  start: number,
  hours: number,
  seed = 1,
  opts: { nan?: boolean } = {},
): RawSeries[] {
  const nan = opts.nan ?? true;
  const r = rng(seed);
  const n = Math.floor((hours * HOUR) / SCRAPE);
  const gapFrom = start + Math.floor(hours / 3) * HOUR + 600_000;
  const gapTo = gapFrom + 3 * HOUR;
  const out: RawSeries[] = [];
  for (const [name, kind] of [
    ['ds_requests_total', 'counter'],
    ['ds_temperature', 'gauge'],
  ] as const) {
    for (const instance of ['a', 'b']) {
      const t: number[] = [];
      const v: number[] = [];
      const stale = new Set<number>();
      let c = Math.floor(r() * 1000);
      for (let i = 0; i < n; i++) {
        const ts = start + i * SCRAPE + OFFSET;
        if (ts >= gapFrom && ts < gapTo) continue;
        let val: number;
        if (kind === 'counter') {
          c = r() < 0.002 ? Math.floor(r() * 10) : c + Math.floor(r() * 20);
          val = c;
        } else {
          val = Math.floor(r() * 200) - 100;
        }
        const x = r();
        if (x < 0.002 && nan) val = NaN;
        else if (x >= 0.002 && x < 0.004) stale.add(v.length);
        t.push(ts);
        v.push(val);
      }
      // A JS array of numbers may canonicalize NaN payloads: stale markers are written as bits.
      const values = new Float64Array(v.length);
      const words = u32View(values.buffer);
      for (let i = 0; i < v.length; i++) {
        if (stale.has(i)) {
          words[2 * i + (LITTLE_ENDIAN ? 1 : 0)] = STALE_NAN_BITS_HI;
          words[2 * i + (LITTLE_ENDIAN ? 0 : 1)] = STALE_NAN_BITS_LO;
        } else values[i] = v[i]!;
      }
      out.push({
        labels: [
          { name: '__name__', value: name },
          { name: 'instance', value: instance },
        ],
        t: Float64Array.from(t),
        v: values,
      });
    }
  }
  return out;
}

export interface WindowAggr {
  /** Window start (ms, aligned to the resolution). */
  readonly start: number;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  /** Counter with resets folded in since the series' first sample, at the window's last sample. */
  readonly counter: number;
  /** Timestamp of the window's last sample. */
  readonly lastT: number;
}

/** Reference aggregates per window of `res` ms: NaN samples (stale or not) are left out. */
export function referenceWindows(s: RawSeries, res: number): WindowAggr[] {
  const out: WindowAggr[] = [];
  let counter = 0;
  let prev: number | undefined;
  let cur: { start: number; vals: number[]; counter: number; lastT: number } | undefined;
  const close = (): void => {
    if (!cur) return;
    out.push({
      start: cur.start,
      count: cur.vals.length,
      sum: cur.vals.reduce((a, b) => a + b, 0),
      min: Math.min(...cur.vals),
      max: Math.max(...cur.vals),
      counter: cur.counter,
      lastT: cur.lastT,
    });
  };
  for (let i = 0; i < s.t.length; i++) {
    const v = s.v[i]!;
    if (Number.isNaN(v)) continue;
    const t = s.t[i]!;
    if (prev === undefined) counter = v;
    else counter += v < prev ? v : v - prev;
    prev = v;
    const start = Math.floor(t / res) * res;
    if (!cur || cur.start !== start) {
      close();
      cur = { start, vals: [], counter, lastT: t };
    }
    cur.vals.push(v);
    cur.counter = counter;
    cur.lastT = t;
  }
  close();
  return out;
}

/** The samples of `s` with start <= t < end. */
export function sliceSeries(s: RawSeries, start: number, end: number): RawSeries {
  let from = 0;
  while (from < s.t.length && s.t[from]! < start) from++;
  let to = from;
  while (to < s.t.length && s.t[to]! < end) to++;
  return { labels: s.labels, t: s.t.slice(from, to), v: s.v.slice(from, to) };
}
