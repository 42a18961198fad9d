/**
 * @module core/frontend/matrix — range-query answers as the frontend handles them: series keyed
 * by their label set, points as (ms, value text) so values pass through byte for byte. Pieces
 * of one range are sliced, concatenated in time order, and written back in the order
 * Prometheus's engine sorts a matrix (labels.Compare).
 */
import { formatTimestamp, labelsJson } from '../api/prom-json.ts';
import { compareLabels, labelsFrom, type Labels } from '../labels/labels.ts';

export interface FrontendSeries {
  readonly metric: Record<string, string>;
  /** [ms, value text], ascending. */
  readonly values: (readonly [number, string])[];
}

/** A matrix answer's series from the Prometheus JSON (`data.result`), timestamps in ms. */
export function seriesFromJson(
  result: readonly { metric: Record<string, string>; values: [number, string][] }[],
): FrontendSeries[] {
  return result.map((r) => ({
    metric: r.metric,
    values: r.values.map(([t, v]) => [Math.round(t * 1000), v] as const),
  }));
}

const keyOf = (metric: Record<string, string>): string => labelsJson(labelsFrom(metric));

/** The points of each series inside [from, to]; series left with none are dropped. */
export function sliceSeries(
  series: readonly FrontendSeries[],
  from: number,
  to: number,
): FrontendSeries[] {
  const out: FrontendSeries[] = [];
  for (const s of series) {
    const values = s.values.filter(([t]) => t >= from && t <= to);
    if (values.length > 0) out.push({ metric: s.metric, values });
  }
  return out;
}

/** Pieces of a range in time order (disjoint), merged series by series. */
export function concatSeries(pieces: readonly (readonly FrontendSeries[])[]): FrontendSeries[] {
  const byKey = new Map<string, { metric: Record<string, string>; values: [number, string][] }>();
  for (const piece of pieces) {
    for (const s of piece) {
      const k = keyOf(s.metric);
      let acc = byKey.get(k);
      if (acc === undefined) byKey.set(k, (acc = { metric: s.metric, values: [] }));
      for (const p of s.values) acc.values.push([p[0], p[1]]);
    }
  }
  return [...byKey.values()];
}

/** `data` of a matrix answer, series in Prometheus's order, bytes as the querier writes them. */
export function matrixDataJson(series: readonly FrontendSeries[]): string {
  const sorted = series
    .map((s) => ({ labels: labelsFrom(s.metric) as Labels, values: s.values }))
    .sort((a, b) => compareLabels(a.labels, b.labels));
  const parts = sorted.map((s) => {
    const pts = s.values.map(([t, v]) => `[${formatTimestamp(t)},${JSON.stringify(v)}]`);
    return `{"metric":${labelsJson(s.labels)},"values":[${pts.join(',')}]}`;
  });
  return `{"resultType":"matrix","result":[${parts.join(',')}]}`;
}
