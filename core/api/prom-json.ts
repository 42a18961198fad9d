/**
 * @module core/api/prom-json — Prometheus HTTP API JSON, byte for byte: sample values as Go's
 * `strconv.FormatFloat(v, 'f', -1, 64)` strings ("+Inf", "-Inf", "NaN"), timestamps as seconds
 * with exactly the millisecond digits Prometheus's jsonutil writes (`1.5` → `1.500`).
 */
import { goFormatFloat } from '../gocompat/strconv.ts';
import type { Labels } from '../labels/labels.ts';
import type { QueryValue } from '../promql/engine/result.ts';

/** Go's FormatFloat(v, 'f', -1, 64): shortest round-trip digits, never exponent notation. */
export function formatValue(v: number): string {
  return goFormatFloat(v, 'f', -1);
}

/** Prometheus's jsonutil.MarshalTimestamp: integer seconds, then `.` and 3 digits when ms ≠ 0. */
export function formatTimestamp(ms: number): string {
  if (ms % 1000 === 0) return String(ms / 1000);
  let t = ms;
  let sign = '';
  if (t < 0) {
    sign = '-';
    t = -t;
  }
  const secs = Math.floor(t / 1000);
  const frac = t - secs * 1000;
  if (frac === 0) return `${sign}${secs}`;
  return `${sign}${secs}.${String(Math.round(frac)).padStart(3, '0')}`;
}

export function labelsJson(ls: Labels): string {
  let out = '{';
  for (let i = 0; i < ls.length; i++) {
    if (i > 0) out += ',';
    out += `${JSON.stringify(ls[i]!.name)}:${JSON.stringify(ls[i]!.value)}`;
  }
  return `${out}}`;
}

function point(t: number, v: number): string {
  return `[${formatTimestamp(t)},"${formatValue(v)}"]`;
}

/** The `data` object of a query or query_range answer. */
export function queryDataJson(value: QueryValue): string {
  switch (value.type) {
    case 'scalar':
      return `{"resultType":"scalar","result":${point(value.t, value.v)}}`;
    case 'string':
      return `{"resultType":"string","result":[${formatTimestamp(value.t)},${JSON.stringify(value.v)}]}`;
    case 'vector': {
      const parts = value.samples.map(
        (s) => `{"metric":${labelsJson(s.metric)},"value":${point(s.t, s.v)}}`,
      );
      return `{"resultType":"vector","result":[${parts.join(',')}]}`;
    }
    case 'matrix': {
      const parts = value.series.map((s) => {
        const pts: string[] = new Array(s.t.length);
        for (let i = 0; i < s.t.length; i++) pts[i] = point(s.t[i]!, s.v[i]!);
        return `{"metric":${labelsJson(s.metric)},"values":[${pts.join(',')}]}`;
      });
      return `{"resultType":"matrix","result":[${parts.join(',')}]}`;
    }
  }
}

/** `{"status":"success","data":…}` with Prometheus's optional `warnings`. */
export function successJson(dataJson: string, warnings: readonly string[] = []): string {
  const w = warnings.length ? `,"warnings":${JSON.stringify(warnings)}` : '';
  return `{"status":"success","data":${dataJson}${w}}`;
}

/** A JSON body as Prometheus's API sends it. */
export function jsonResponse(body: string, status = 200): Response {
  return new Response(body, { status, headers: { 'content-type': 'application/json' } });
}
