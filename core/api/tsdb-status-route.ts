/**
 * @module core/api/tsdb-status-route — `/api/v1/status/tsdb` in Prometheus's shape, for what a
 * querier can see: the series of the last two hours (Prometheus's head), deduplicated, counted by
 * metric name, label name and label pair (top 10 of each), with the head's totals. Series are
 * read without chunks and counted up to a bound, past which the answer says it is partial.
 */
import type { Hono } from 'hono';
import { ExecutionFailure } from '../errors.ts';
import { newMatcher } from '../labels/matcher.ts';
import type { ApiEnv, ApiOptions } from './options.ts';
import { Params } from './params.ts';
import { jsonResponse, successJson } from './prom-json.ts';
import { readOptions } from './request.ts';

const HEAD_SPAN = 2 * 3600_000;
const TOP = 10;
/** Series counted at most: the status page must not cost a whole isolate. */
const MAX_SERIES = 200_000;

function top(counts: Map<string, number>): Array<{ name: string; value: number }> {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, TOP)
    .map(([name, value]) => ({ name, value }));
}

const add = (m: Map<string, number>, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);

export function tsdbStatusRoute<E extends object>(
  app: Hono<ApiEnv<E>>,
  options: ApiOptions<E>,
): void {
  const now = options.now ?? Date.now;
  app.get('/api/v1/status/tsdb', async (c) => {
    const p = await Params.from(c.req.raw);
    const querier = await options.querier(c.env);
    const o = readOptions(p, querier.settings, c.req.raw);
    const end = now();
    const start = end - HEAD_SPAN;
    const r = await querier
      .series({ selectors: [[newMatcher('=~', '__name__', '.+')]], start, end }, o)
      .catch((err: unknown) => {
        throw new ExecutionFailure(err);
      });
    const byName = new Map<string, number>();
    const byPair = new Map<string, number>();
    const valuesByLabel = new Map<string, Set<string>>();
    const series = r.series.slice(0, MAX_SERIES);
    for (const ls of series) {
      for (const l of ls) {
        if (l.name === '__name__') add(byName, l.value);
        add(byPair, `${l.name}=${l.value}`);
        let vs = valuesByLabel.get(l.name);
        if (!vs) valuesByLabel.set(l.name, (vs = new Set()));
        vs.add(l.value);
      }
    }
    const valueCount = new Map<string, number>();
    const memory = new Map<string, number>();
    for (const [name, vs] of valuesByLabel) {
      valueCount.set(name, vs.size);
      let bytes = 0;
      for (const v of vs) bytes += new TextEncoder().encode(v).length;
      memory.set(name, bytes);
    }
    const data = {
      headStats: {
        numSeries: series.length,
        numLabelPairs: byPair.size,
        chunkCount: 0,
        minTime: start,
        maxTime: end,
      },
      seriesCountByMetricName: top(byName),
      labelValueCountByLabelName: top(valueCount),
      memoryInBytesByLabelName: top(memory),
      seriesCountByLabelValuePair: top(byPair),
    };
    const warnings = [...r.warnings];
    if (r.series.length > MAX_SERIES)
      warnings.push(`counted the first ${MAX_SERIES} of ${r.series.length} series`);
    return jsonResponse(successJson(JSON.stringify(data), warnings));
  });
}
