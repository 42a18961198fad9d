/**
 * @module core/api/prom-json — Prometheus HTTP API JSON, byte for byte (numbers as
 * prom-numbers.ts writes them); query answers rendered as UTF-8 chunks (json-bytes.ts) and
 * streamed as the client reads them.
 */
import { formatTimestamp, formatValue } from './prom-numbers.ts';
import type { Labels } from '../labels/labels.ts';
import type { QueryValue, Series } from '../promql/engine/result.ts';
import { JsonBytes } from './json-bytes.ts';

const encoder = new TextEncoder();

export { formatTimestamp, formatValue } from './prom-numbers.ts';

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
  const decoder = new TextDecoder();
  let out = '';
  for (const chunk of queryDataChunks(value)) out += decoder.decode(chunk, { stream: true });
  return out + decoder.decode();
}

/** Bytes of an answer rendered per chunk of a streamed answer. */
const STREAM_CHUNK = 512 * 1024;

/**
 * `data` of a query answer as UTF-8 chunks of about `chunkBytes` (a series is never split across
 * two renderings' worth of memory), so an answer can be streamed as it is read.
 */
export function* queryDataChunks(
  value: QueryValue,
  chunkBytes = STREAM_CHUNK,
): Generator<Uint8Array> {
  switch (value.type) {
    case 'scalar':
      yield encoder.encode(`{"resultType":"scalar","result":${point(value.t, value.v)}}`);
      return;
    case 'string':
      yield encoder.encode(
        `{"resultType":"string","result":[${formatTimestamp(value.t)},${JSON.stringify(value.v)}]}`,
      );
      return;
    case 'vector': {
      const out = new JsonBytes();
      out.text('{"resultType":"vector","result":[');
      for (let k = 0; k < value.samples.length; k++) {
        const s = value.samples[k]!;
        out.text(`${k > 0 ? ',' : ''}{"metric":${labelsJson(s.metric)},"value":`);
        out.point(s.t, s.v);
        out.text('}');
        if (out.length >= chunkBytes) yield out.take();
      }
      out.text(']}');
      yield out.take();
      return;
    }
    case 'matrix':
      yield* matrixChunks(value.series, chunkBytes);
      return;
  }
}

/**
 * A matrix series whose points come in consecutive pieces in time order (the query frontend's
 * cached steps and new ones), written as one series without joining its columns first, under
 * its label set's JSON (`labelsJson`) as the caller already has it.
 */
export interface PiecewiseSeries {
  readonly metric: Labels;
  readonly metricJson: string;
  readonly pieces: readonly { readonly t: Float64Array; readonly v: Float64Array }[];
}

/** `data` of a matrix answer as UTF-8 chunks of about `chunkBytes` (see queryDataChunks). */
export function* matrixChunks(
  series: readonly (Series | PiecewiseSeries)[],
  chunkBytes = STREAM_CHUNK,
): Generator<Uint8Array> {
  const out = new JsonBytes();
  out.text('{"resultType":"matrix","result":[');
  for (let k = 0; k < series.length; k++) {
    const s = series[k]!;
    const piecewise = 'pieces' in s;
    out.text(
      `${k > 0 ? ',' : ''}{"metric":${piecewise ? s.metricJson : labelsJson(s.metric)},"values":[`,
    );
    if (!piecewise) {
      for (const _ of out.points(s.t, s.v, chunkBytes)) yield out.take();
    } else {
      let written = false;
      for (const piece of s.pieces) {
        if (piece.t.length === 0) continue;
        if (written) out.ascii(',');
        written = true;
        for (const _ of out.points(piece.t, piece.v, chunkBytes)) yield out.take();
      }
    }
    out.ascii(']}');
  }
  out.ascii(']}');
  yield out.take();
}

/**
 * A success answer written as the client reads it: `data` is rendered a chunk at a time, so a
 * large answer is never whole in memory, and a slow client holds back the rendering instead of
 * buffering it.
 */
export function streamedSuccessResponse(
  dataChunks: Iterable<Uint8Array>,
  warnings: readonly string[] = [],
): Response {
  const w = warnings.length ? `,"warnings":${JSON.stringify(warnings)}` : '';
  const chunks = (function* () {
    yield encoder.encode('{"status":"success","data":');
    yield* dataChunks;
    yield encoder.encode(`${w}}`);
  })();
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      cancel() {
        chunks.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { headers: { 'content-type': 'application/json' } });
}

/**
 * `data` chunks with more members added to its object (a query's `"stats":{…}`), before its
 * closing brace: an answer with stats streams as one without does, instead of being joined into
 * one string, decoded and encoded again (for 102k points, twice the CPU of the query itself).
 */
export function* dataChunksWith(
  dataChunks: Iterable<Uint8Array>,
  members: string,
): Generator<Uint8Array> {
  let held: Uint8Array | undefined;
  for (const c of dataChunks) {
    if (c.length === 0) continue;
    if (held) yield held;
    held = c;
  }
  if (!held || held[held.length - 1] !== 0x7d) {
    throw new Error('query data does not end with the closing brace of its object');
  }
  yield held.subarray(0, held.length - 1);
  yield encoder.encode(`,${members}}`);
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
