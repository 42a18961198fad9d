/**
 * @module core/frontend/matrix — range-query answers as the frontend handles them: the engine's
 * series (labels, time and value columns). Pieces of one range are sliced by binary search,
 * concatenated series by series in time order, and written in the order Prometheus's engine sorts
 * a matrix (labels.Compare), with the querier's own JSON writer.
 */
import { labelsJson, queryDataChunks, streamedSuccessResponse } from '../api/prom-json.ts';
import { searchFloat64 } from '../gocompat/sort.ts';
import { compareLabels } from '../labels/labels.ts';
import type { Series } from '../promql/engine/result.ts';

/** The points of each series inside [from, to] (views, not copies); emptied series are dropped. */
export function sliceSeries(series: readonly Series[], from: number, to: number): Series[] {
  const out: Series[] = [];
  for (const s of series) {
    const a = searchFloat64(s.t, from);
    const b = searchFloat64(s.t, to + 1);
    if (b <= a) continue;
    out.push(
      a === 0 && b === s.t.length
        ? s
        : { metric: s.metric, t: s.t.subarray(a, b), v: s.v.subarray(a, b) },
    );
  }
  return out;
}

/** Pieces of a range in time order (disjoint), merged series by series. */
export function concatSeries(pieces: readonly (readonly Series[])[]): Series[] {
  const byKey = new Map<string, Series[]>();
  for (const piece of pieces) {
    for (const s of piece) {
      const k = labelsJson(s.metric);
      const parts = byKey.get(k);
      if (parts === undefined) byKey.set(k, [s]);
      else parts.push(s);
    }
  }
  const out: Series[] = [];
  for (const parts of byKey.values()) {
    if (parts.length === 1) {
      out.push(parts[0]!);
      continue;
    }
    let n = 0;
    for (const p of parts) n += p.t.length;
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    let at = 0;
    for (const p of parts) {
      t.set(p.t, at);
      v.set(p.v, at);
      at += p.t.length;
    }
    out.push({ metric: parts[0]!.metric, t, v });
  }
  return out;
}

/** A matrix answer, series in Prometheus's order, streamed as the querier writes it. */
export function matrixResponse(series: readonly Series[], warnings: readonly string[]): Response {
  const sorted = [...series].sort((a, b) => compareLabels(a.metric, b.metric));
  return streamedSuccessResponse(queryDataChunks({ type: 'matrix', series: sorted }), warnings);
}
