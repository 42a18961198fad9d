/**
 * @module core/frontend/extent-codec — a cached extent as bytes: no JSON to parse on a hit, and
 * NaN, ±Inf and stale values kept bit for bit. Little-endian layout:
 *   f64 start, f64 end, u32 series count, then per series:
 *   u32 label-JSON length, label JSON (UTF-8), u32 points, f64 × points times, f64 × points values.
 */
import { labelsFrom } from '../labels/labels.ts';
import { labelsJson } from '../api/prom-json.ts';
import { BadDataError } from '../errors.ts';
import type { Series } from '../promql/engine/result.ts';
import type { Extent } from './results-cache.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeExtent(e: Extent): Uint8Array {
  const names = e.series.map((s) => encoder.encode(labelsJson(s.metric)));
  let size = 8 + 8 + 4;
  e.series.forEach((s, i) => (size += 4 + names[i]!.length + 4 + 16 * s.t.length));
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  view.setFloat64(at, e.start, true);
  view.setFloat64((at += 8), e.end, true);
  view.setUint32((at += 8), e.series.length, true);
  at += 4;
  e.series.forEach((s, i) => {
    const name = names[i]!;
    view.setUint32(at, name.length, true);
    out.set(name, (at += 4));
    view.setUint32((at += name.length), s.t.length, true);
    at += 4;
    for (let k = 0; k < s.t.length; k++, at += 8) view.setFloat64(at, s.t[k]!, true);
    for (let k = 0; k < s.v.length; k++, at += 8) view.setFloat64(at, s.v[k]!, true);
  });
  return out;
}

/** Throws BadDataError on bytes that are not an extent (a cache entry is then ignored). */
export function decodeExtent(bytes: Uint8Array): Extent {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (at: number, n: number): void => {
    if (at + n > bytes.length) throw new BadDataError(`cached extent truncated at byte ${at}`);
  };
  need(0, 20);
  const start = view.getFloat64(0, true);
  const end = view.getFloat64(8, true);
  const count = view.getUint32(16, true);
  let at = 20;
  const series: Series[] = [];
  for (let i = 0; i < count; i++) {
    need(at, 4);
    const len = view.getUint32(at, true);
    need((at += 4), len + 4);
    const metric = labelsFrom(
      JSON.parse(decoder.decode(bytes.subarray(at, at + len))) as Record<string, string>,
    );
    const n = view.getUint32((at += len), true);
    need((at += 4), 16 * n);
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    for (let k = 0; k < n; k++, at += 8) t[k] = view.getFloat64(at, true);
    for (let k = 0; k < n; k++, at += 8) v[k] = view.getFloat64(at, true);
    series.push({ metric, t, v });
  }
  return { start, end, series };
}
