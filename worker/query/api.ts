/**
 * @module worker/query/api — the Prometheus HTTP API (`/api/v1/*`) as Hono routes, with Thanos's
 * extras: `dedup`, `partial_response`, `replicaLabels[]`, `max_source_resolution`, and
 * `/api/v1/stores`. Shapes, error types and status codes are Prometheus 2.42's.
 */
import { Hono, type Context } from 'hono';
import { apiErrorResponse } from '../../core/api/error-response.ts';
import { labelsJson, queryDataJson, successJson } from '../../core/api/prom-json.ts';
import { BadDataError } from '../../core/errors.ts';
import { compareLabels, compareStrings, type Labels } from '../../core/labels/labels.ts';
import type { Matcher } from '../../core/labels/matcher.ts';
import { exprType, documentedType } from '../../core/promql/parser/check.ts';
import { parseExpr } from '../../core/promql/parser/parse.ts';
import { prettyExpr } from '../../core/promql/format.ts';
import { withoutReplicaLabels } from '../../core/dedup/dedup-set.ts';
import type { Expr } from '../../core/promql/ast.ts';
import { ExecFailure, type Querier, type QueryRequestOptions } from './querier.ts';
import { MAX_TIME, MIN_TIME } from '../../core/gocompat/time.ts';
import { Params, invalidParam } from './params.ts';
import { storesJson } from './stores.ts';

/** Prometheus refuses range queries with more points per series than this. */
export const MAX_POINTS_PER_SERIES = 11_000;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface QueryApiOptions<E> {
  readonly querier: (env: E) => Querier | Promise<Querier>;
  readonly buildInfo?: Record<string, string>;
  readonly flags?: (env: E) => Record<string, string>;
  readonly now?: () => number;
}

function json(body: string, status = 200): Response {
  return new Response(body, { status, headers: { 'content-type': 'application/json' } });
}

function parseResolution(v: string | undefined): number {
  if (v === undefined || v === '' || v === 'raw' || v === '0s' || v === '0') return 0;
  if (v === 'auto') return Infinity;
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(v);
  if (!m)
    throw invalidParam('max_source_resolution', new Error(`cannot parse ${JSON.stringify(v)}`));
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
    m[2] as 'ms' | 's' | 'm' | 'h' | 'd'
  ];
  return Number(m[1]) * unit;
}

function boolParam(p: Params, name: string, fallback: boolean): boolean {
  const v = p.get(name);
  if (v === undefined || v === '') return fallback;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalidParam(name, new Error(`cannot parse ${JSON.stringify(v)} as a boolean`));
}

function requestOptions(p: Params, q: Querier, signal: AbortSignal): QueryRequestOptions {
  const s = q.settings;
  const replica = p.getAll('replicaLabels[]');
  const timeout = p.duration('timeout');
  return {
    dedup: boolParam(p, 'dedup', true),
    partialResponse: boolParam(p, 'partial_response', s.partialResponse),
    replicaLabels: replica.length > 0 ? replica : s.replicaLabels,
    maxSourceResolution: parseResolution(p.get('max_source_resolution')),
    ...(timeout ? { timeout } : {}),
    signal,
  };
}

function parseQueryParam(p: Params): Expr {
  const q = p.get('query') ?? '';
  try {
    return parseExpr(q);
  } catch (err) {
    throw invalidParam('query', err);
  }
}

function parseSelectors(p: Params, required: boolean): Matcher[][] {
  const raw = p.getAll('match[]');
  if (raw.length === 0) {
    if (required) throw new BadDataError('no match[] parameter provided');
    return [];
  }
  return raw.map((s) => {
    let e: Expr;
    try {
      e = parseExpr(s);
    } catch (err) {
      throw new BadDataError(err instanceof Error ? err.message : String(err), { cause: err });
    }
    while (e.kind === 'ParenExpr') e = e.expr;
    if (e.kind !== 'VectorSelector')
      throw new BadDataError(`invalid parameter "match[]": expected a series selector, got ${s}`);
    return [...e.matchers];
  });
}

async function runOr400(c: Context, run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (err) {
    return apiErrorResponse(err);
  }
}

export function queryApi<E extends object>(options: QueryApiOptions<E>): Hono<{ Bindings: E }> {
  const app = new Hono<{ Bindings: E }>();
  const now = options.now ?? Date.now;

  const instant = (c: Context<{ Bindings: E }>): Promise<Response> =>
    runOr400(c, async () => {
      const p = await Params.from(c.req.raw);
      const querier = await options.querier(c.env);
      const time = p.time('time', now());
      const opts = requestOptions(p, querier, c.req.raw.signal);
      const expr = parseQueryParam(p);
      let result;
      try {
        result = await querier.engine(opts).instantQuery(expr, time, { signal: c.req.raw.signal });
      } catch (err) {
        throw new ExecFailure(err);
      }
      return json(
        successJson(withStats(queryDataJson(result.value), p, result.stats), result.warnings),
      );
    });

  const range = (c: Context<{ Bindings: E }>): Promise<Response> =>
    runOr400(c, async () => {
      const p = await Params.from(c.req.raw);
      const querier = await options.querier(c.env);
      if (!p.has('start'))
        throw invalidParam('start', new Error('cannot parse "" to a valid timestamp'));
      if (!p.has('end'))
        throw invalidParam('end', new Error('cannot parse "" to a valid timestamp'));
      const start = p.time('start', 0);
      const end = p.time('end', 0);
      if (end < start)
        throw invalidParam('end', new Error('end timestamp must not be before start time'));
      if (!p.has('step'))
        throw invalidParam('step', new Error('cannot parse "" to a valid duration'));
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
      const opts = requestOptions(p, querier, c.req.raw.signal);
      const expr = parseQueryParam(p);
      const t = exprType(expr);
      if (t !== 'vector' && t !== 'scalar') {
        throw invalidParam(
          'query',
          new Error(
            `invalid expression type ${JSON.stringify(documentedType(t))} for range query, must be Scalar or instant Vector`,
          ),
        );
      }
      let result;
      try {
        result = await querier
          .engine(opts)
          .rangeQuery(expr, start, end, step, { signal: c.req.raw.signal });
      } catch (err) {
        throw new ExecFailure(err);
      }
      return json(
        successJson(withStats(queryDataJson(result.value), p, result.stats), result.warnings),
      );
    });

  app.on(['GET', 'POST'], '/api/v1/query', instant);
  app.on(['GET', 'POST'], '/api/v1/query_range', range);

  app.on(['GET', 'POST'], '/api/v1/series', (c) =>
    runOr400(c, async () => {
      const p = await Params.from(c.req.raw);
      const querier = await options.querier(c.env);
      const selectors = parseSelectors(p, true);
      const start = p.time('start', MIN_TIME);
      const end = p.time('end', MAX_TIME);
      const opts = requestOptions(p, querier, c.req.raw.signal);
      const replica = new Set(opts.dedup ? opts.replicaLabels : []);
      const proxy = querier.proxy();
      const seen = new Map<string, Labels>();
      const warnings: string[] = [];
      for (const matchers of selectors) {
        const frames = proxy.series(
          {
            minTime: start,
            maxTime: end,
            matchers,
            maxResolutionWindow: opts.maxSourceResolution,
            aggregates: ['raw'],
            partialResponseStrategy: querier.strategy(opts),
            skipChunks: true,
          },
          c.req.raw.signal,
        );
        try {
          for await (const f of frames) {
            if (f.type === 'warning') warnings.push(f.warning);
            else {
              const ls = withoutReplicaLabels(f.labels, replica);
              seen.set(labelsJson(ls), ls);
            }
          }
        } catch (err) {
          throw new ExecFailure(err);
        }
      }
      const sorted = [...seen.values()].sort(compareLabels);
      return json(successJson(`[${sorted.map(labelsJson).join(',')}]`, warnings));
    }),
  );

  app.on(['GET', 'POST'], '/api/v1/labels', (c) =>
    runOr400(c, async () => {
      const p = await Params.from(c.req.raw);
      const querier = await options.querier(c.env);
      const selectors = parseSelectors(p, false);
      const req = labelsRequest(p, querier, c.req.raw.signal);
      const proxy = querier.proxy();
      const all = new Set<string>();
      const warnings: string[] = [];
      for (const matchers of selectors.length ? selectors : [[]]) {
        const r = await proxy
          .labelNames({ ...req, matchers }, c.req.raw.signal)
          .catch((err: unknown) => {
            throw new ExecFailure(err);
          });
        r.values.forEach((v) => all.add(v));
        warnings.push(...r.warnings);
      }
      // With dedup on, replica labels are not part of any series the user sees (Thanos's without_replica_labels).
      const opts = requestOptions(p, querier, c.req.raw.signal);
      if (opts.dedup) for (const r of opts.replicaLabels) all.delete(r);
      return json(successJson(JSON.stringify([...all].sort(compareStrings)), warnings));
    }),
  );

  app.on(['GET', 'POST'], '/api/v1/label/:name/values', (c) =>
    runOr400(c, async () => {
      const name = c.req.param('name');
      if (!LABEL_NAME.test(name))
        throw new BadDataError(`invalid label name: ${JSON.stringify(name)}`);
      const p = await Params.from(c.req.raw);
      const querier = await options.querier(c.env);
      const selectors = parseSelectors(p, false);
      const req = labelsRequest(p, querier, c.req.raw.signal);
      const opts = requestOptions(p, querier, c.req.raw.signal);
      if (opts.dedup && opts.replicaLabels.includes(name)) return json(successJson('[]'));
      const proxy = querier.proxy();
      const all = new Set<string>();
      const warnings: string[] = [];
      for (const matchers of selectors.length ? selectors : [[]]) {
        const r = await proxy
          .labelValues(name, { ...req, matchers }, c.req.raw.signal)
          .catch((err: unknown) => {
            throw new ExecFailure(err);
          });
        r.values.forEach((v) => all.add(v));
        warnings.push(...r.warnings);
      }
      return json(successJson(JSON.stringify([...all].sort(compareStrings)), warnings));
    }),
  );

  app.get('/api/v1/metadata', () => json(successJson('{}')));
  app.on(['GET', 'POST'], '/api/v1/query_exemplars', (c) =>
    runOr400(c, async () => {
      const p = await Params.from(c.req.raw);
      parseQueryParam(p);
      return json(successJson('[]'));
    }),
  );

  app.on(['GET', 'POST'], '/api/v1/format_query', (c) =>
    runOr400(c, async () => {
      const p = await Params.from(c.req.raw);
      const expr = parseQueryParam(p);
      // Prometheus answers format_query with its pretty form (multi-line past 100 bytes).
      return json(successJson(JSON.stringify(prettyExpr(expr))));
    }),
  );

  app.get('/api/v1/status/buildinfo', () =>
    json(successJson(JSON.stringify(options.buildInfo ?? BUILD_INFO))),
  );
  app.get('/api/v1/status/flags', (c) =>
    json(successJson(JSON.stringify(options.flags?.(c.env) ?? {}))),
  );
  app.get('/api/v1/status/runtimeinfo', () => json(successJson('{}')));
  app.get('/api/v1/rules', () => json(successJson('{"groups":[]}')));
  app.get('/api/v1/alerts', () => json(successJson('{"alerts":[]}')));
  app.get('/api/v1/targets', () => json(successJson('{"activeTargets":[],"droppedTargets":[]}')));

  app.get('/api/v1/stores', (c) =>
    runOr400(c, async () => {
      const querier = await options.querier(c.env);
      await querier.settings.endpoints.refresh();
      return json(successJson(storesJson(querier.settings.endpoints.status())));
    }),
  );

  return app;
}

export const BUILD_INFO: Record<string, string> = {
  version: '0.1.0',
  revision: 'thanos-edge',
  branch: 'main',
  buildUser: 'thanos-edge',
  buildDate: '',
  goVersion: 'workerd',
};

function labelsRequest(p: Params, q: Querier, signal: AbortSignal) {
  const opts = requestOptions(p, q, signal);
  return {
    start: p.time('start', MIN_TIME),
    end: p.time('end', MAX_TIME),
    partialResponseStrategy: q.strategy(opts),
  };
}

function withStats(
  data: string,
  p: Params,
  stats: { loadedSamples: number; peakSamples: number },
): string {
  if (!p.has('stats')) return data;
  const s = `"stats":{"timings":{},"samples":{"totalQueryableSamples":${stats.loadedSamples},"peakSamples":${stats.peakSamples}}}`;
  return `${data.slice(0, -1)},${s}}`;
}
