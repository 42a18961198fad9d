/**
 * @module core/api/request — the parameters every query API route shares, parsed at the edge:
 * Thanos's read options (dedup, partial_response, replicaLabels[], max_source_resolution,
 * timeout), the `query` expression and `match[]` selectors, with Prometheus's error texts.
 */
import { BadDataError } from '../errors.ts';
import type { Matcher } from '../labels/matcher.ts';
import type { Expr } from '../promql/ast.ts';
import { parseExpr } from '../promql/parser/parse.ts';
import { parseExprMemo } from '../promql/parser/parse-memo.ts';
import type { ParseLimits } from '../promql/parser/limits.ts';
import { requestTenant, type QuerierSettings, type ReadOptions } from '../query/querier.ts';
import { MAX_TIME, MIN_TIME } from '../gocompat/time.ts';
import { type Params, invalidParam } from './params.ts';

const RESOLUTION_UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Thanos's `max_source_resolution`: `raw`/`0s`/empty = raw only, a duration, or `auto` = the
 * route's automatic choice (step/5 for range queries, as Thanos's auto-downsampling).
 */
function parseResolution(v: string | undefined, auto: number): number {
  if (v === undefined || v === '' || v === 'raw' || v === '0s' || v === '0') return 0;
  if (v === 'auto') return auto;
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(v);
  if (!m)
    throw invalidParam('max_source_resolution', new Error(`cannot parse ${JSON.stringify(v)}`));
  return Number(m[1]) * RESOLUTION_UNITS[m[2] as keyof typeof RESOLUTION_UNITS];
}

function boolParam(p: Params, name: string, fallback: boolean): boolean {
  const v = p.get(name);
  if (v === undefined || v === '') return fallback;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalidParam(name, new Error(`cannot parse ${JSON.stringify(v)} as a boolean`));
}

/**
 * `autoResolution`: what `max_source_resolution=auto` means on this route (ms); metadata routes
 * read every resolution.
 */
export function readOptions(
  p: Params,
  s: QuerierSettings,
  req: { readonly signal: AbortSignal; readonly headers: Headers },
  autoResolution = Infinity,
): ReadOptions {
  const replica = p.getAll('replicaLabels[]');
  const timeout = p.duration('timeout');
  const tenant = requestTenant(req.headers, s.tenancy);
  const signal = req.signal;
  const storeMatch = selectorsOf(p, 'storeMatch[]');
  const lookbackDelta = p.duration('lookback_delta');
  engineParam(p);
  return {
    ...(tenant !== undefined ? { tenant } : {}),
    ...(storeMatch.length > 0 ? { storeMatch } : {}),
    ...(lookbackDelta ? { lookbackDelta } : {}),
    dedup: boolParam(p, 'dedup', true),
    partialResponse: boolParam(p, 'partial_response', s.partialResponse),
    replicaLabels: replica.length > 0 ? replica : s.replicaLabels,
    maxSourceResolution: parseResolution(p.get('max_source_resolution'), autoResolution),
    ...(timeout ? { timeout } : {}),
    signal,
  };
}

export function queryParam(p: Params, limits?: ParseLimits): Expr {
  const q = p.get('query') ?? '';
  try {
    return parseExprMemo(q, limits);
  } catch (err) {
    throw invalidParam('query', err);
  }
}

/** Thanos's `engine`: which PromQL engine to use; ours is the Prometheus one either way. */
function engineParam(p: Params): void {
  const v = p.get('engine');
  if (v === undefined || v === '' || v === 'prometheus' || v === 'thanos') return;
  throw invalidParam('engine', new Error(`engine ${JSON.stringify(v)} is not supported`));
}

/** `match[]` selectors; `required` as /api/v1/series has it. */
export function selectorsParam(p: Params, required: boolean): Matcher[][] {
  const raw = p.getAll('match[]');
  if (raw.length === 0 && required) throw new BadDataError('no match[] parameter provided');
  return selectorsOf(p, 'match[]');
}

function selectorsOf(p: Params, param: string): Matcher[][] {
  const raw = p.getAll(param);
  return raw.map((s) => {
    let e: Expr;
    try {
      e = parseExpr(s);
    } catch (err) {
      throw new BadDataError(err instanceof Error ? err.message : String(err), { cause: err });
    }
    while (e.kind === 'ParenExpr') e = e.expr;
    if (e.kind !== 'VectorSelector') {
      throw new BadDataError(`invalid parameter "${param}": expected a series selector, got ${s}`);
    }
    return [...e.matchers];
  });
}

/** `start` and `end` of a metadata route (an open range when absent). */
export function timeRange(p: Params): { start: number; end: number } {
  return { start: p.time('start', MIN_TIME), end: p.time('end', MAX_TIME) };
}
