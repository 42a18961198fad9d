/**
 * @module core/frontend/extent-codec — a cached extent as bytes: no JSON to parse on a hit, NaN,
 * ±Inf and stale values kept bit for bit, and half the bytes of a naive layout, because a range
 * answer's series almost always sit on the step grid: their times are two numbers, not a column.
 * Values are 8-byte aligned, so a hit reads them as views of the bytes, without a copy.
 * Little-endian layout:
 *   u32 magic "EXT2", u32 series count, f64 start, f64 end, then per series:
 *   u32 label-JSON length, label JSON (UTF-8), zero padding to 8 bytes, u32 points, u32 grid
 *   (1: the times are first + k × every, 0: a time column follows), f64 first, f64 every,
 *   [f64 × points times], f64 × points values.
 */
import { labelsFrom } from '../labels/labels.ts';
import { labelsJson } from '../api/prom-json.ts';
import { BadDataError } from '../errors.ts';
import type { Series } from '../promql/engine/result.ts';
import type { Extent } from './results-cache.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MAGIC = 0x32545845; // "EXT2"

const pad8 = (n: number): number => (n + 7) & ~7;

/** Whether `t` is first + k × every (k = 0, 1, …) exactly, and its every (0 for one point). */
function gridStep(t: Float64Array): number | undefined {
  if (t.length < 2) return 0;
  const every = t[1]! - t[0]!;
  for (let k = 2; k < t.length; k++) if (t[k]! !== t[0]! + k * every) return undefined;
  return every;
}

export function encodeExtent(e: Extent): Uint8Array {
  const names = e.series.map((s) => encoder.encode(labelsJson(s.metric)));
  const steps = e.series.map((s) => gridStep(s.t));
  let size = 24;
  e.series.forEach((s, i) => {
    size += pad8(4 + names[i]!.length) + 24 + (steps[i] === undefined ? 16 : 8) * s.t.length;
  });
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, e.series.length, true);
  view.setFloat64(8, e.start, true);
  view.setFloat64(16, e.end, true);
  let at = 24;
  e.series.forEach((s, i) => {
    const name = names[i]!;
    const every = steps[i];
    view.setUint32(at, name.length, true);
    out.set(name, at + 4);
    at += pad8(4 + name.length);
    view.setUint32(at, s.t.length, true);
    view.setUint32(at + 4, every === undefined ? 0 : 1, true);
    view.setFloat64(at + 8, s.t[0] ?? 0, true);
    view.setFloat64(at + 16, every ?? 0, true);
    at += 24;
    if (every === undefined) {
      new Float64Array(out.buffer, at, s.t.length).set(s.t);
      at += 8 * s.t.length;
    }
    new Float64Array(out.buffer, at, s.v.length).set(s.v);
    at += 8 * s.v.length;
  });
  return out;
}

/**
 * Throws BadDataError on bytes that are not an extent (a cache entry is then ignored). The values
 * returned are views of `bytes`, which must start 8-byte aligned in their buffer (a fetched
 * body's arrayBuffer does); otherwise they are copied.
 */
export function decodeExtent(bytes: Uint8Array): Extent {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (at: number, n: number): void => {
    if (at + n > bytes.length) throw new BadDataError(`cached extent truncated at byte ${at}`);
  };
  need(0, 24);
  if (view.getUint32(0, true) !== MAGIC) throw new BadDataError('not a cached extent (magic)');
  const count = view.getUint32(4, true);
  const start = view.getFloat64(8, true);
  const end = view.getFloat64(16, true);
  const aligned = bytes.byteOffset % 8 === 0;
  const column = (at: number, n: number): Float64Array =>
    aligned
      ? new Float64Array(bytes.buffer, bytes.byteOffset + at, n)
      : new Float64Array(bytes.slice(at, at + 8 * n).buffer);
  let at = 24;
  const series: Series[] = [];
  // Series on the same grid share one time column (columns are never written once cached).
  const grids = new Map<string, Float64Array>();
  for (let i = 0; i < count; i++) {
    need(at, 4);
    const len = view.getUint32(at, true);
    need(at + 4, len);
    const metric = labelsFrom(
      JSON.parse(decoder.decode(bytes.subarray(at + 4, at + 4 + len))) as Record<string, string>,
    );
    at += pad8(4 + len);
    need(at, 24);
    const n = view.getUint32(at, true);
    const grid = view.getUint32(at + 4, true) === 1;
    const first = view.getFloat64(at + 8, true);
    const every = view.getFloat64(at + 16, true);
    at += 24;
    let t: Float64Array;
    if (grid) {
      const shape = `${n}|${first}|${every}`;
      let shared = grids.get(shape);
      if (shared === undefined) {
        shared = new Float64Array(n);
        for (let k = 0; k < n; k++) shared[k] = first + k * every;
        grids.set(shape, shared);
      }
      t = shared;
    } else {
      need(at, 8 * n);
      t = column(at, n);
      at += 8 * n;
    }
    need(at, 8 * n);
    const v = column(at, n);
    at += 8 * n;
    series.push({ metric, t, v });
  }
  return { start, end, series };
}
