/**
 * @module core/api/query-routes — PromQL evaluation: `/api/v1/query`, `/api/v1/query_range`,
 * `/api/v1/format_query` and `/api/v1/query_exemplars`, with Prometheus 2.42's parameter checks,
 * error texts and JSON.
 */
import type { Hono } from 'hono';
import { BadDataError, ExecutionFailure } from '../errors.ts';
import { prettyExpr } from '../promql/format.ts';
import { documentedType, exprType } from '../promql/parser/check.ts';
import type { QueryResult } from '../promql/engine/result.ts';
import type { ParseLimits } from '../promql/parser/limits.ts';
import {
  bytesDownloaded,
  cacheHits,
  newStoreStats,
  objstoreRequests,
  type ReadStats,
  type StoreStats,
} from '../storeapi/stats.ts';
import {
  dataChunksWith,
  jsonResponse,
  queryDataChunks,
  streamedSuccessResponse,
  successJson,
} from './prom-json.ts';
import { Params, invalidParam } from './params.ts';
import { queryParam, readOptions } from './request.ts';
import type { ApiEnv, ApiOptions } from './options.ts';
import type { Querier } from '../query/querier.ts';

/** Prometheus refuses range queries with more points per series than this. */
export const MAX_POINTS_PER_SERIES = 11_000;

export function queryRoutes<E extends object>(app: Hono<ApiEnv<E>>, options: ApiOptions<E>): void {
  const now = options.now ?? Date.now;

  app.on(['GET', 'POST'], '/api/v1/query', async (c) => {
    const p = await Params.from(c.req.raw);
    const querier = await options.querier(c.env);
    const time = p.time('time', now());
    // `auto` on an instant query is raw data, Thanos's default instant-query resolution.
    const o = { ...readOptions(p, querier.settings, c.req.raw, 0), stats: newStoreStats() };
    const expr = queryParam(p, options.parseLimits?.(c.env));
    const began = Date.now();
    await querier.prepare(o);
    const result = await querier
      .engine(o)
      .instantQuery(expr, time, { signal: c.req.raw.signal })
      .catch(fail);
    return queryResponse(result, p, o.stats, Date.now() - began);
  });

  app.on(['GET', 'POST'], '/api/v1/query_range', async (c) => {
    const p = await Params.from(c.req.raw);
    const querier = await options.querier(c.env);
    const stats = newStoreStats();
    const began = Date.now();
    const result = await evalRangeQuery(
      querier,
      p,
      c.req.raw,
      undefined,
      stats,
      options.parseLimits?.(c.env),
    );
    return queryResponse(result, p, stats, Date.now() - began);
  });

  app.on(['GET', 'POST'], '/api/v1/format_query', async (c) => {
    const expr = queryParam(await Params.from(c.req.raw), options.parseLimits?.(c.env));
    // Prometheus answers format_query with its pretty form (multi-line past 100 bytes).
    return jsonResponse(successJson(JSON.stringify(prettyExpr(expr))));
  });
}

/**
 * A range query as `/api/v1/query_range` runs it: Prometheus's parameter checks and texts, then
 * the engine. `range` replaces the request's start and end (the query frontend's splits).
 */
export async function evalRangeQuery(
  querier: Querier,
  p: Params,
  req: { readonly signal: AbortSignal; readonly headers: Headers },
  range?: { readonly start: number; readonly end: number },
  stats: StoreStats = newStoreStats(),
  parseLimits?: ParseLimits,
): Promise<QueryResult> {
  if (!p.has('start'))
    throw invalidParam('start', new Error('cannot parse "" to a valid timestamp'));
  if (!p.has('end')) throw invalidParam('end', new Error('cannot parse "" to a valid timestamp'));
  const start = range?.start ?? p.time('start', 0);
  const end = range?.end ?? p.time('end', 0);
  if (end < start)
    throw invalidParam('end', new Error('end timestamp must not be before start time'));
  if (!p.has('step')) throw invalidParam('step', new Error('cannot parse "" to a valid duration'));
  const step = p.duration('step') ?? 0;
  if (step <= 0) {
    throw invalidParam(
      'step',
      new Error(
        'zero or negative query resolution step widths are not accepted. Try a positive integer',
      ),
    );
  }
  if ((end - start) / step > MAX_POINTS_PER_SERIES) {
    throw new BadDataError(
      'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
    );
  }
  // Thanos's auto-downsampling: a fifth of the step.
  const o = { ...readOptions(p, querier.settings, req, Math.floor(step / 5)), stats };
  const expr = queryParam(p, parseLimits);
  const t = exprType(expr);
  if (t !== 'vector' && t !== 'scalar') {
    throw invalidParam(
      'query',
      new Error(
        `invalid expression type ${JSON.stringify(documentedType(t))} for range query, must be Scalar or instant Vector`,
      ),
    );
  }
  await querier.prepare(o);
  return querier.engine(o).rangeQuery(expr, start, end, step, { signal: req.signal }).catch(fail);
}

function fail(err: unknown): never {
  throw new ExecutionFailure(err);
}

/**
 * Prometheus's `stats` (timings in seconds, samples), plus what the stores reported in their
 * hints: blocks queried and, per kind of read, reads, bytes and object-store requests.
 */
function queryResponse(result: QueryResult, p: Params, store: StoreStats, ms: number): Response {
  if (!p.has('stats'))
    return streamedSuccessResponse(queryDataChunks(result.value), result.warnings);
  const s = result.stats;
  const secs = ms / 1000;
  const reads = (r: ReadStats) =>
    `{"reads":${r.reads},"bytes":${r.bytes},"objstoreRequests":${r.requests},"objstoreBytes":${r.requestBytes}}`;
  const stats =
    `"stats":{"timings":{"evalTotalTime":${secs},"resultSortTime":0,"queryPreparationTime":0,` +
    `"innerEvalTime":${secs},"execQueueTime":0,"execTotalTime":${secs}},` +
    `"samples":{"totalQueryableSamples":${s.loadedSamples},"peakSamples":${s.peakSamples}},` +
    `"store":{"blocksQueried":${store.blocksQueried},"mergedSeries":${store.mergedSeries},` +
    `"mergedChunks":${store.mergedChunks},"objstoreRequests":${objstoreRequests(store)},` +
    `"bytesDownloaded":${bytesDownloaded(store)},"cacheHits":${cacheHits(store)},` +
    `"postings":${reads(store.postings)},"series":${reads(store.series)},` +
    `"chunks":${reads(store.chunks)},"other":${reads(store.other)}}}`;
  return streamedSuccessResponse(
    dataChunksWith(queryDataChunks(result.value), stats),
    result.warnings,
  );
}
