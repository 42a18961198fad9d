/**
 * @module core/frontend/frontend — Thanos's query frontend in front of the querier: range
 * queries split at interval boundaries (a day by default), each split kept in a results cache
 * as an extent of computed steps; what the cache lacks is computed by one query over its span,
 * so a dashboard refresh that moves its window by 30 s asks the querier only for the new tail. Nothing newer than `maxFreshness`
 * is cached; errors and partial answers (warnings) never are. Label, series and label-value
 * answers are cached whole once their range is older than `maxFreshness`. Anything the frontend
 * cannot split exactly (splittable.ts, `stats`, malformed requests) goes to the querier
 * unchanged, which also answers every error.
 */
import { Hono } from 'hono';
import { jsonResponse, successJson } from '../api/prom-json.ts';
import { Params } from '../api/params.ts';
import { parseExprMemo } from '../promql/parser/parse-memo.ts';
import { cacheKey, requestIdentity } from './cache-key.ts';
import { splittable } from './splittable.ts';
import { apiErrorResponse, toApiError } from '../api/error-response.ts';
import type { QueryResult, Series } from '../promql/engine/result.ts';
import { concatSeries, matrixResponse, piecewiseMatrixResponse, sliceSeries } from './matrix.ts';
import type { FrontendMetrics } from './metrics.ts';
import type { Extent, ResultsCache } from './results-cache.ts';
import { intervalIndex, splitByInterval, type StepRange } from './split.ts';

export interface FrontendSettings {
  /** QUERY_SPLIT_INTERVAL (ms); 0 does not split. */
  readonly splitInterval: number;
  /** QUERY_MAX_FRESHNESS (ms): steps newer than now minus this are never cached. */
  readonly maxFreshness: number;
  /** Retries of a 5xx answer (Thanos's --query-range.max-retries-per-request). */
  readonly maxRetries: number;
  /** Undefined: no results cache. */
  readonly cache: ResultsCache | undefined;
  readonly metrics: FrontendMetrics;
  /** The querier's tenant header (QUERY_TENANT_HEADER): answers are kept apart per tenant. */
  readonly tenantHeader?: string;
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
    req: { readonly signal: AbortSignal; readonly headers: Headers },
  ) => Promise<QueryResult>;
  readonly settings: (env: E) => FrontendSettings;
  readonly now?: () => number;
}

/** Who asks, for cache keys: the tenant and the credentials, so no answer crosses either. */
function requester(req: Request, s: FrontendSettings): string {
  const tenant = req.headers.get(s.tenantHeader ?? 'THANOS-TENANT') ?? '';
  return `${tenant}\u0000${req.headers.get('authorization') ?? ''}`;
}

/** The routes the frontend answers; everything else goes straight to the querier. */
export const FRONTEND_PATHS = [
  '/api/v1/query_range',
  '/api/v1/labels',
  '/api/v1/series',
  '/api/v1/label/:name/values',
] as const;

/** A split's tail entry: the steps kept after its base entry (keepSplit). */
const tailKey = (key: string): string => `${key}+tail`;

/** A tail entry may hold this many steps, or a tenth of its base if more, before a rewrite. */
const MIN_TAIL_STEPS = 16;

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
    if (!splittable(parseExprMemo(p.get('query')!))) return undefined;
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

/** Whether a 503 is the querier's timeout (not worth a retry), read from a copy of its body. */
async function timedOut(res: Response): Promise<boolean> {
  try {
    return ((await res.clone().json()) as { errorType?: string }).errorType === 'timeout';
  } catch {
    return false;
  }
}

/** An answer that stops the whole request: the querier's error response. */
class DownstreamError {
  constructor(readonly response: Response) {}
}

/** Series over some steps of a range: a cached entry, or a slice of what was computed. */
type Piece = readonly Series[];

/** The steps [from, to] of pieces in time order, as one extent's series. */
function joinPieces(pieces: readonly Piece[], from: number, to: number): Series[] {
  return concatSeries(pieces.map((p) => sliceSeries(p, from, to)));
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
      if (res.status === 503 && (await timedOut(res))) return res;
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
        const result = await options.rangeQuery(env, p, r, req);
        if (result.value.type !== 'matrix')
          throw new Error(`range query answered ${result.value.type}`);
        return { series: result.value.series, warnings: result.warnings };
      } catch (err) {
        const res = apiErrorResponse(err);
        // A query that ran out of time runs out again: retrying it only multiplies its cost.
        const timeout = toApiError(err).body.errorType === 'timeout';
        if (res.status < 500 || timeout || attempt >= s.maxRetries || req.signal.aborted)
          throw new DownstreamError(res);
        s.metrics.retries++;
      }
    }
  }

  /** What the cache holds for one split, and which of its steps it lacks. */
  interface SplitState {
    readonly range: StepRange;
    readonly key: string | undefined;
    /**
     * The cached steps [start, end]: the base entry's series, then its tail entry's when that
     * continues it (see keepSplit), as pieces in time order, joined only into the answer.
     */
    readonly cached:
      | { readonly start: number; readonly end: number; readonly pieces: readonly Piece[] }
      | undefined;
    /** The base entry's last step, where a tail entry starts after. */
    readonly baseEnd: number | undefined;
    readonly baseStart: number | undefined;
    /** Missing steps before the cached extent, or the whole split when nothing is cached. */
    readonly head: StepRange | undefined;
    /** Missing steps after the cached extent. */
    readonly tail: StepRange | undefined;
  }

  async function splitState(
    r: StepRange,
    step: number,
    gridKey: string,
    s: FrontendSettings,
    cache: ResultsCache | undefined,
  ): Promise<SplitState> {
    const none = {
      range: r,
      key: undefined,
      cached: undefined,
      baseEnd: undefined,
      baseStart: undefined,
      head: r,
      tail: undefined,
    };
    if (cache === undefined) return none;
    const key = `${gridKey}.${intervalIndex(r, s.splitInterval)}`;
    s.metrics.cacheGets++;
    const [base, later] = await Promise.all([cache.getExtent(key), cache.getExtent(tailKey(key))]);
    let cached = base && { start: base.start, end: base.end, pieces: [base.series] };
    // A tail entry counts only when it continues this base (a stale one is left to be replaced).
    if (base && later && later.start === base.end + step) {
      cached = { start: base.start, end: later.end, pieces: [base.series, later.series] };
    }
    if (cached && (cached.end < r.start - step || cached.start > r.end + step)) cached = undefined;
    if (!cached) {
      s.metrics.cacheMisses++;
      return { ...none, key };
    }
    const head = r.start < cached.start ? { start: r.start, end: cached.start - step } : undefined;
    const tail = r.end > cached.end ? { start: cached.end + step, end: r.end } : undefined;
    if (head || tail) s.metrics.cacheMisses++;
    return { range: r, key, cached, baseEnd: base!.end, baseStart: base!.start, head, tail };
  }

  /**
   * A split's extent grown by what was computed, kept if it grew, is final and is complete. A
   * dashboard's refresh grows it by a step or two at the end: those are kept as a small tail
   * entry beside the base, so a refresh does not write the whole extent again (each write would
   * copy every step kept so far); the base is rewritten once the tail passes a tenth of it.
   * Returns the split's answer as pieces in time order.
   */
  async function keepSplit(
    st: SplitState,
    computed: readonly Series[],
    plan: RangePlan,
    s: FrontendSettings,
    cache: ResultsCache,
    partial: boolean,
  ): Promise<Piece[]> {
    const { range: r, cached, head, tail } = st;
    const pieces = [
      head ? sliceSeries(computed, head.start, head.end) : [],
      ...(cached?.pieces ?? []),
      tail ? sliceSeries(computed, tail.start, tail.end) : [],
    ];
    const start = Math.min(r.start, cached?.start ?? r.start);
    const end = Math.max(r.end, cached?.end ?? r.end);
    // Only steps old enough to be final are kept (kept steps only ever grow: `now` does), and a
    // partial answer never is.
    const lastFinal = start + Math.floor((now() - s.maxFreshness - start) / plan.step) * plan.step;
    const keepEnd = Math.min(end, lastFinal);
    const grew = !cached || start < cached.start || keepEnd > cached.end;
    if (!partial && keepEnd >= start && grew && st.key !== undefined) {
      const { baseStart, baseEnd } = st;
      const tailSteps = baseEnd === undefined ? Infinity : (keepEnd - baseEnd) / plan.step;
      const baseSteps =
        baseEnd === undefined || baseStart === undefined
          ? 0
          : (baseEnd - baseStart) / plan.step + 1;
      if (start === baseStart && tailSteps <= Math.max(MIN_TAIL_STEPS, baseSteps / 10)) {
        const from = baseEnd! + plan.step;
        await cache.putExtent(tailKey(st.key), {
          start: from,
          end: keepEnd,
          series: joinPieces(pieces, from, keepEnd),
        });
      } else {
        await cache.putExtent(st.key, {
          start,
          end: keepEnd,
          series: joinPieces(pieces, start, keepEnd),
        });
      }
      s.metrics.cacheAdded++;
    }
    return pieces.map((p) => sliceSeries(p, r.start, r.end));
  }

  app.on(['GET', 'POST'], '/api/v1/query_range', async (c) => {
    const req = c.req.raw;
    const s = options.settings(c.env);
    const p = await Params.from(req);
    const plan = planRange(p);
    if (plan === undefined) return send(() => formRequest(req, p), c.env, s);
    const useCache = s.cache !== undefined && !bypassesCache(req, p);
    const identity = requestIdentity('/api/v1/query_range', p.entries(), requester(req, s));
    const splits = splitByInterval(plan.start, plan.end, plan.step, s.splitInterval);
    const cache = useCache ? s.cache : undefined;
    // One digest per request: a split's key is the grid's key and the split's index.
    const offset = ((plan.start % plan.step) + plan.step) % plan.step;
    const gridKey = cache ? await cacheKey(identity, plan.step, offset) : '';
    const states = await Promise.all(
      splits.map((r) => splitState(r, plan.step, gridKey, s, cache)),
    );
    // Everything missing is computed by one query over its span: in one isolate, a query per
    // split only repeats the per-query work (a cold 9-day range ran 3x slower split than whole).
    // Cached steps inside the span are computed again; the answer is the same.
    const missing = states.flatMap((st) => [st.head, st.tail].filter((m) => m !== undefined));
    let computed: MatrixAnswer = { series: [], warnings: [] };
    if (missing.length > 0) {
      const span = {
        start: Math.min(...missing.map((m) => m.start)),
        end: Math.max(...missing.map((m) => m.end)),
      };
      try {
        computed = await evalRange(req, p, span, c.env, s);
      } catch (err) {
        if (err instanceof DownstreamError) return err.response;
        throw err;
      }
    }
    const partial = computed.warnings.length > 0;
    const pieces = await Promise.all(
      states.map((st) =>
        cache === undefined
          ? []
          : !st.head && !st.tail
            ? st.cached!.pieces.map((p) => sliceSeries(p, st.range.start, st.range.end))
            : keepSplit(st, computed.series, plan, s, cache, partial),
      ),
    );
    // Nothing came from the cache: the one query computed the whole range, which is the answer.
    // Otherwise each series is written from its pieces (cached steps, new ones), never joined.
    return states.every((st) => st.cached === undefined)
      ? matrixResponse(computed.series, computed.warnings)
      : piecewiseMatrixResponse(pieces.flat(), computed.warnings);
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
    const identity = requestIdentity(path, p.entries(), requester(req, s));
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
  // A request the frontend cannot read (a form past 10 MiB, a broken multipart body) is the
  // querier's 400, not Hono's bare 500.
  app.onError((err) => apiErrorResponse(err));
  return app;
}
