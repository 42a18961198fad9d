/**
 * @module core/frontend/frontend — Thanos's query frontend in front of the querier: range
 * queries split at interval boundaries (a day by default), the splits answered in parallel and
 * each kept in a results cache as an extent of computed steps, so a dashboard refresh that moves
 * its window by 30 s asks the querier only for the new tail. Nothing newer than `maxFreshness`
 * is cached; errors and partial answers (warnings) never are. Label, series and label-value
 * answers are cached whole once their range is older than `maxFreshness`. Anything the frontend
 * cannot split exactly (splittable.ts, `stats`, malformed requests) goes to the querier
 * unchanged, which also answers every error.
 */
import { Hono } from 'hono';
import { jsonResponse, successJson } from '../api/prom-json.ts';
import { Params } from '../api/params.ts';
import { parseExpr } from '../promql/parser/index.ts';
import { cacheKey, requestIdentity } from './cache-key.ts';
import { splittable } from './splittable.ts';
import { apiErrorResponse } from '../api/error-response.ts';
import type { QueryResult, Series } from '../promql/engine/result.ts';
import { concatSeries, matrixResponse, sliceSeries } from './matrix.ts';
import type { FrontendMetrics } from './metrics.ts';
import type { Extent, ResultsCache } from './results-cache.ts';
import { intervalIndex, splitByInterval, type StepRange } from './split.ts';

export interface FrontendSettings {
  /** QUERY_SPLIT_INTERVAL (ms); 0 does not split. */
  readonly splitInterval: number;
  /** QUERY_MAX_FRESHNESS (ms): steps newer than now minus this are never cached. */
  readonly maxFreshness: number;
  /** Splits evaluated at once. */
  readonly parallelism: number;
  /** Retries of a 5xx answer (Thanos's --query-range.max-retries-per-request). */
  readonly maxRetries: number;
  /** Undefined: no results cache. */
  readonly cache: ResultsCache | undefined;
  readonly metrics: FrontendMetrics;
}

export interface FrontendOptions<E> {
  /** The querier's API (same request shapes); the frontend only ever sends it POST forms. */
  readonly downstream: (req: Request, env: E) => Promise<Response>;
  /**
   * One split of a range query, in process (core/api's evalRangeQuery over the querier): the
   * request's parameters with another start and end. Throws the API's typed errors.
   */
  readonly rangeQuery: (
    env: E,
    p: Params,
    range: StepRange,
    signal: AbortSignal,
  ) => Promise<QueryResult>;
  readonly settings: (env: E) => FrontendSettings;
  readonly now?: () => number;
}

/** The routes the frontend answers; everything else goes straight to the querier. */
export const FRONTEND_PATHS = [
  '/api/v1/query_range',
  '/api/v1/labels',
  '/api/v1/series',
  '/api/v1/label/:name/values',
] as const;

/** Prometheus's limit, checked here only to leave such requests to the querier's error. */
const MAX_POINTS = 11_000;

interface RangePlan {
  readonly start: number;
  readonly end: number;
  readonly step: number;
}

/** A range request the frontend can split, or undefined to pass it through. */
function planRange(p: Params): RangePlan | undefined {
  if (p.has('stats') || !p.has('query') || !p.has('start') || !p.has('end') || !p.has('step'))
    return undefined;
  try {
    const start = p.time('start', 0);
    const end = p.time('end', 0);
    const step = p.duration('step') ?? 0;
    if (!(step > 0) || end < start || (end - start) / step > MAX_POINTS) return undefined;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) return undefined;
    if (!splittable(parseExpr(p.get('query')!))) return undefined;
    return { start, end, step };
  } catch {
    return undefined;
  }
}

function bypassesCache(req: Request, p: Params): boolean {
  const cc = req.headers.get('cache-control') ?? '';
  return p.get('cache') === 'false' || /no-store|no-cache/i.test(cc);
}

/** A POST form request to the querier with the original's headers and some parameters replaced. */
function formRequest(
  req: Request,
  p: Params,
  replace: Readonly<Record<string, string>> = {},
): Request {
  const url = new URL(req.url);
  url.search = '';
  const body = new URLSearchParams();
  for (const [k, v] of p.entries()) if (!(k in replace)) body.append(k, v);
  for (const [k, v] of Object.entries(replace)) body.set(k, v);
  const headers = new Headers(req.headers);
  headers.delete('content-length');
  headers.set('content-type', 'application/x-www-form-urlencoded');
  return new Request(url, { method: 'POST', headers, body, signal: req.signal });
}

/** An answer that stops the whole request: the querier's error response. */
class DownstreamError {
  constructor(readonly response: Response) {}
}

interface MatrixAnswer {
  readonly series: Series[];
  readonly warnings: readonly string[];
}

export function queryFrontend<E extends object>(
  options: FrontendOptions<E>,
): Hono<{ Bindings: E }> {
  const app = new Hono<{ Bindings: E }>();
  const now = options.now ?? Date.now;

  /** Sends on with retries of 5xx answers, unless the client has gone. */
  async function send(req: () => Request, env: E, s: FrontendSettings): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      s.metrics.downstreamRequests++;
      const r = req();
      const res = await options.downstream(r, env);
      if (res.status < 500 || attempt >= s.maxRetries || r.signal.aborted) return res;
      s.metrics.retries++;
      await res.body?.cancel();
    }
  }

  /** One piece of the range from the querier, with retries of what a retry can fix (5xx). */
  async function evalRange(
    req: Request,
    p: Params,
    r: StepRange,
    env: E,
    s: FrontendSettings,
  ): Promise<MatrixAnswer> {
    s.metrics.splitQueries++;
    s.metrics.downstreamRangeSeconds += (r.end - r.start) / 1000;
    for (let attempt = 0; ; attempt++) {
      s.metrics.downstreamRequests++;
      try {
        const result = await options.rangeQuery(env, p, r, req.signal);
        if (result.value.type !== 'matrix')
          throw new Error(`range query answered ${result.value.type}`);
        return { series: result.value.series, warnings: result.warnings };
      } catch (err) {
        const res = apiErrorResponse(err);
        if (res.status < 500 || attempt >= s.maxRetries || req.signal.aborted)
          throw new DownstreamError(res);
        s.metrics.retries++;
      }
    }
  }

  /** One split: cached steps reused, missing head and tail computed, the extent grown and kept. */
  async function evalSplit(
    req: Request,
    p: Params,
    r: StepRange,
    plan: RangePlan,
    identity: string,
    env: E,
    s: FrontendSettings,
    useCache: boolean,
  ): Promise<MatrixAnswer> {
    const cache = useCache ? s.cache : undefined;
    if (cache === undefined) return evalRange(req, p, r, env, s);
    const { step } = plan;
    const offset = ((plan.start % step) + step) % step;
    const key = await cacheKey(identity, step, offset, intervalIndex(r, s.splitInterval));
    s.metrics.cacheGets++;
    let cached = await cache.getExtent(key);
    if (cached && (cached.end < r.start - step || cached.start > r.end + step)) cached = undefined;
    if (cached && cached.start <= r.start && cached.end >= r.end) {
      return { series: sliceSeries(cached.series, r.start, r.end), warnings: [] };
    }
    s.metrics.cacheMisses++;
    const head =
      cached && r.start < cached.start ? { start: r.start, end: cached.start - step } : undefined;
    const tail =
      cached && r.end > cached.end ? { start: cached.end + step, end: r.end } : undefined;
    const whole = cached ? undefined : r;
    const [h, w, t] = await Promise.all(
      [head, whole, tail].map((x) => (x ? evalRange(req, p, x, env, s) : undefined)),
    );
    const warnings = [...(h?.warnings ?? []), ...(w?.warnings ?? []), ...(t?.warnings ?? [])];
    const series = concatSeries([
      h?.series ?? [],
      w?.series ?? [],
      cached?.series ?? [],
      t?.series ?? [],
    ]);
    const grown: Extent = {
      start: Math.min(r.start, cached?.start ?? r.start),
      end: Math.max(r.end, cached?.end ?? r.end),
      series,
    };
    // Only steps old enough to be final are kept (kept steps only ever grow: `now` does), and a
    // partial answer never is.
    const lastFinal =
      grown.start + Math.floor((now() - s.maxFreshness - grown.start) / step) * step;
    const keepEnd = Math.min(grown.end, lastFinal);
    const grew = !cached || grown.start < cached.start || keepEnd > cached.end;
    if (warnings.length === 0 && keepEnd >= grown.start && grew) {
      await cache.putExtent(key, {
        start: grown.start,
        end: keepEnd,
        series: sliceSeries(series, grown.start, keepEnd),
      });
      s.metrics.cacheAdded++;
    }
    return { series: sliceSeries(series, r.start, r.end), warnings };
  }

  app.on(['GET', 'POST'], '/api/v1/query_range', async (c) => {
    const req = c.req.raw;
    const s = options.settings(c.env);
    const p = await Params.from(req);
    const plan = planRange(p);
    if (plan === undefined) return send(() => formRequest(req, p), c.env, s);
    const useCache = s.cache !== undefined && !bypassesCache(req, p);
    const identity = requestIdentity(
      '/api/v1/query_range',
      p.entries(),
      `${req.headers.get('thanos-tenant') ?? ''}\u0000${req.headers.get('authorization') ?? ''}`,
    );
    const splits = splitByInterval(plan.start, plan.end, plan.step, s.splitInterval);
    const answers: MatrixAnswer[] = new Array(splits.length);
    try {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < splits.length) {
          const k = next++;
          answers[k] = await evalSplit(req, p, splits[k]!, plan, identity, c.env, s, useCache);
        }
      };
      await Promise.all(Array.from({ length: Math.min(s.parallelism, splits.length) }, worker));
    } catch (err) {
      if (err instanceof DownstreamError) return err.response;
      throw err;
    }
    const warnings = [...new Set(answers.flatMap((a) => a.warnings))];
    const series = concatSeries(answers.map((a) => a.series));
    return matrixResponse(series, warnings);
  });

  /** Label, series and label-value answers: cached whole once their range is final. */
  const wholeAnswer = async (req: Request, env: E, path: string): Promise<Response> => {
    const s = options.settings(env);
    const p = await Params.from(req);
    let end: number | undefined;
    try {
      end = p.has('end') ? p.time('end', 0) : undefined;
    } catch {
      end = undefined;
    }
    const final = end !== undefined && end <= now() - s.maxFreshness;
    if (s.cache === undefined || !final || bypassesCache(req, p) || p.has('stats'))
      return send(() => formRequest(req, p), env, s);
    const identity = requestIdentity(
      path,
      p.entries(),
      `${req.headers.get('thanos-tenant') ?? ''}\u0000${req.headers.get('authorization') ?? ''}`,
    );
    const key = await cacheKey(identity, p.get('start') ?? '', p.get('end') ?? '');
    s.metrics.cacheGets++;
    const hit = await s.cache.getBody(key);
    if (hit !== undefined) return jsonResponse(hit);
    s.metrics.cacheMisses++;
    const res = await send(() => formRequest(req, p), env, s);
    if (!res.ok) return res;
    const text = await res.text();
    const body = JSON.parse(text) as { status: string; warnings?: string[] };
    if (body.status === 'success' && !(body.warnings?.length ?? 0)) {
      await s.cache.putBody(key, text);
      s.metrics.cacheAdded++;
    }
    return new Response(text, res);
  };
  app.on(['GET', 'POST'], '/api/v1/labels', (c) => wholeAnswer(c.req.raw, c.env, '/api/v1/labels'));
  app.on(['GET', 'POST'], '/api/v1/series', (c) => wholeAnswer(c.req.raw, c.env, '/api/v1/series'));
  app.get('/api/v1/label/:name/values', (c) =>
    wholeAnswer(c.req.raw, c.env, new URL(c.req.url).pathname),
  );
  return app;
}
