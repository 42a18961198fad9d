/**
 * @module core/frontend/matrix — range-query answers as the frontend handles them: the engine's
 * series (labels, time and value columns). Pieces of one range are sliced by binary search,
 * concatenated series by series in time order, and written in the order Prometheus's engine sorts
 * a matrix (labels.Compare), with the querier's own JSON writer.
 */
import {
  labelsJson,
  matrixChunks,
  streamedSuccessResponse,
  type PiecewiseSeries,
} from '../api/prom-json.ts';
import { searchFloat64 } from '../gocompat/sort.ts';
import { compareLabels, type Labels } from '../labels/labels.ts';
import { ColumnArena } from '../promql/column-arena.ts';
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

/**
 * Series keys of label sets the frontend has seen: the label sets of cached extents come back on
 * every refresh, and their JSON is the costly part of joining pieces. Label sets of answers are
 * never changed once made, so a key stays true for as long as its label set lives.
 */
const keys = new WeakMap<Labels, string>();

function seriesKey(ls: Labels): string {
  let k = keys.get(ls);
  if (k === undefined) {
    k = labelsJson(ls);
    keys.set(ls, k);
  }
  return k;
}

/** The series of pieces in time order (disjoint) grouped by label set, in first-seen order. */
function groupSeries(pieces: readonly (readonly Series[])[]): PiecewiseSeries[] {
  const byKey = new Map<string, Series[]>();
  const out: PiecewiseSeries[] = [];
  for (const piece of pieces) {
    for (const s of piece) {
      const k = seriesKey(s.metric);
      const parts = byKey.get(k);
      if (parts !== undefined) parts.push(s);
      else {
        const first = [s];
        byKey.set(k, first);
        out.push({ metric: s.metric, metricJson: k, pieces: first });
      }
    }
  }
  return out;
}

/**
 * Pieces of a range in time order (disjoint), merged series by series. A series in one piece is
 * passed on as it is; the columns of joined ones share the buffers of one arena (an extent's
 * columns live and die together).
 */
export function concatSeries(pieces: readonly (readonly Series[])[]): Series[] {
  const grouped = groupSeries(pieces);
  let points = 0;
  for (const g of grouped) for (const p of g.pieces) points += p.t.length;
  const arena = new ColumnArena(16 * points);
  return grouped.map((g) => {
    if (g.pieces.length === 1) return g.pieces[0] as Series;
    let n = 0;
    for (const p of g.pieces) n += p.t.length;
    const t = arena.f64(n);
    const v = arena.f64(n);
    let at = 0;
    for (const p of g.pieces) {
      t.set(p.t, at);
      v.set(p.v, at);
      at += p.t.length;
    }
    return { metric: g.metric, t, v };
  });
}

/**
 * The answer of pieces in time order, series in Prometheus's order, streamed as the querier
 * writes it: a series' pieces are written one after the other, never copied into one column.
 */
export function piecewiseMatrixResponse(
  pieces: readonly (readonly Series[])[],
  warnings: readonly string[],
): Response {
  const sorted = groupSeries(pieces).sort((a, b) => compareLabels(a.metric, b.metric));
  return streamedSuccessResponse(matrixChunks(sorted), warnings);
}

/** A matrix answer, series in Prometheus's order, streamed as the querier writes it. */
export function matrixResponse(series: readonly Series[], warnings: readonly string[]): Response {
  const sorted = [...series].sort((a, b) => compareLabels(a.metric, b.metric));
  return streamedSuccessResponse(matrixChunks(sorted), warnings);
}
