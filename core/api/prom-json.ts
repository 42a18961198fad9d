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
  return [...queryDataParts(value)].join('');
}

/** `data` of a query answer in pieces (one per series), so an answer can be streamed. */
export function* queryDataParts(value: QueryValue): Generator<string> {
  switch (value.type) {
    case 'scalar':
      yield `{"resultType":"scalar","result":${point(value.t, value.v)}}`;
      return;
    case 'string':
      yield `{"resultType":"string","result":[${formatTimestamp(value.t)},${JSON.stringify(value.v)}]}`;
      return;
    case 'vector': {
      yield '{"resultType":"vector","result":[';
      for (let k = 0; k < value.samples.length; k++) {
        const s = value.samples[k]!;
        yield `${k > 0 ? ',' : ''}{"metric":${labelsJson(s.metric)},"value":${point(s.t, s.v)}}`;
      }
      yield ']}';
      return;
    }
    case 'matrix': {
      yield '{"resultType":"matrix","result":[';
      for (let k = 0; k < value.series.length; k++) {
        const s = value.series[k]!;
        const pts: string[] = new Array(s.t.length);
        for (let i = 0; i < s.t.length; i++) pts[i] = point(s.t[i]!, s.v[i]!);
        yield `${k > 0 ? ',' : ''}{"metric":${labelsJson(s.metric)},"values":[${pts.join(',')}]}`;
      }
      yield ']}';
      return;
    }
  }
}

/** Bytes of text encoded per chunk of a streamed answer. */
const STREAM_CHUNK = 64 * 1024;

/**
 * A success answer written as the client reads it: `data` pieces are rendered and encoded about
 * 64 KiB at a time, so a large answer is never one string in memory, and a slow client holds back
 * the rendering instead of buffering it.
 */
export function streamedSuccessResponse(
  dataParts: Iterable<string>,
  warnings: readonly string[] = [],
): Response {
  const w = warnings.length ? `,"warnings":${JSON.stringify(warnings)}` : '';
  const parts = (function* () {
    yield '{"status":"success","data":';
    yield* dataParts;
    yield `${w}}`;
  })();
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        let text = '';
        while (text.length < STREAM_CHUNK) {
          const next = parts.next();
          if (next.done) {
            if (text) controller.enqueue(encoder.encode(text));
            controller.close();
            return;
          }
          text += next.value;
        }
        controller.enqueue(encoder.encode(text));
      },
      cancel() {
        parts.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { headers: { 'content-type': 'application/json' } });
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
