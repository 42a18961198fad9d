/**
 * @module worker/observe — what an operator sees of the Worker: a logfmt line per request (level
 * by outcome: 5xx error, 4xx warn, else info; a failed one names its error as `err`), a warning
 * for each slow or failed query with its text, and the request counters and latency histogram
 * Prometheus's own web handler exports (`http_requests_total`, `http_request_duration_seconds`, by
 * route, never by raw path). No header, token or credential is ever logged.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { errorMessage } from '../core/errors.ts';
import { levelEnabled, logfmtLine, parseLogLevel, type LogLevel } from '../core/log/logfmt.ts';
import { durationVar, tenancyVars, type Env } from './env.ts';
import { family, Histogram, sample, type Family } from './metrics.ts';

/** Prometheus's buckets for http_request_duration_seconds. */
const BUCKETS = [0.1, 0.2, 0.4, 1, 3, 8, 20, 60, 120];

/** Routes whose `query` parameter is logged when slow or failed. */
const QUERY_ROUTE = /^\/api\/v1\/(query|query_range)$/;

/** Characters of an error logged as `err`: the line stays one readable line. */
const MAX_ERR_CHARS = 500;

/** Isolate-wide request metrics. */
export class RequestMetrics {
  readonly #requests = new Map<string, number>();
  readonly #durations = new Map<string, Histogram>();
  slowQueries = 0;
  failedQueries = 0;

  observe(handler: string, method: string, code: number, seconds: number): void {
    const key = `${handler}\u0000${code}\u0000${method}`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    let h = this.#durations.get(handler);
    if (!h) this.#durations.set(handler, (h = new Histogram(BUCKETS)));
    h.observe(seconds);
  }

  families(): Family[] {
    const total = family(
      'http_requests_total',
      'counter',
      'Requests by route, status code and method.',
    );
    for (const [key, n] of this.#requests) {
      const [handler, code, method] = key.split('\u0000') as [string, string, string];
      sample(total, { handler, code, method }, n);
    }
    const dur = family('http_request_duration_seconds', 'histogram', 'Request latencies by route.');
    for (const [handler, h] of this.#durations) h.samples(dur, { handler });
    const slow = family(
      'thanos_edge_query_slow_total',
      'counter',
      'Queries slower than QUERY_SLOW_THRESHOLD.',
    );
    sample(slow, {}, this.slowQueries);
    const failed = family(
      'thanos_edge_query_failed_total',
      'counter',
      'Queries answered with an error.',
    );
    sample(failed, {}, this.failedQueries);
    return [total, dur, slow, failed];
  }
}

export const requestMetrics = new RequestMetrics();

/**
 * LOG_LEVEL and QUERY_SLOW_THRESHOLD, parsed once per configuration. A bad value falls back to
 * the default (and says so once): the observer runs after every answer and must never fail one.
 */
let logSettings: { key: string; level: LogLevel; slowMs: number } | undefined;

function settingsOf(env: Env): { level: LogLevel; slowMs: number } {
  const key = `${env.LOG_LEVEL ?? ''}\u0000${env.QUERY_SLOW_THRESHOLD ?? ''}`;
  if (logSettings?.key === key) return logSettings;
  let level: LogLevel = 'info';
  let slowMs = 5000;
  try {
    level = parseLogLevel(env.LOG_LEVEL);
  } catch (err) {
    console.log(logfmtLine('warn', { msg: 'LOG_LEVEL ignored', err: String(err) }));
  }
  try {
    slowMs = durationVar(env.QUERY_SLOW_THRESHOLD, 5000);
  } catch (err) {
    console.log(logfmtLine('warn', { msg: 'QUERY_SLOW_THRESHOLD ignored', err: String(err) }));
  }
  logSettings = { key, level, slowMs };
  return logSettings;
}

/**
 * What a failed answer names, as `<errorType>: <error>` from Prometheus's JSON error body (errors
 * are mapped to answers in one place, so the answer is where the error is); undefined for a
 * success or another body. Reads a clone: the client gets the answer untouched.
 */
async function errorOf(res: Response, thrown: unknown): Promise<string | undefined> {
  let err: string | undefined;
  if (thrown !== undefined) err = errorMessage(thrown);
  else if (res.status >= 400 && res.headers.get('content-type')?.includes('application/json')) {
    try {
      const body = (await res.clone().json()) as { errorType?: unknown; error?: unknown };
      if (typeof body.error === 'string')
        err = typeof body.errorType === 'string' ? `${body.errorType}: ${body.error}` : body.error;
    } catch {
      // Not Prometheus's error shape: the code alone says it failed.
    }
  }
  return err !== undefined && err.length > MAX_ERR_CHARS
    ? `${err.slice(0, MAX_ERR_CHARS)}...`
    : err;
}

/** The route a request matched (its pattern, so label values stay few), or `other`. */
function handlerOf(c: Context): string {
  const routes = c.req.matchedRoutes.filter((r) => r.method !== 'ALL' && r.path !== '*');
  const path = routes.at(-1)?.path;
  if (path) return path;
  return c.req.path.startsWith('/api/') ? 'other' : 'ui';
}

export function observe(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const began = Date.now();
    let thrown: unknown;
    try {
      await next();
    } catch (err) {
      thrown = err;
      throw err;
    } finally {
      const seconds = (Date.now() - began) / 1000;
      const code = thrown === undefined ? c.res.status : 500;
      const handler = handlerOf(c);
      requestMetrics.observe(handler, c.req.method, code, seconds);
      const { level: threshold, slowMs } = settingsOf(c.env);
      const level: LogLevel = code >= 500 ? 'error' : code >= 400 ? 'warn' : 'info';
      const tenant = c.req.header(tenancyVars(c.env).header) ?? undefined;
      // Read only for a line that is written (a 4xx/5xx line passes whenever its query line does).
      const err =
        code >= 400 && levelEnabled(level, threshold) ? await errorOf(c.res, thrown) : undefined;
      const fields = {
        caller: 'http',
        msg: 'request',
        method: c.req.method,
        handler,
        code,
        duration: `${seconds}s`,
        tenant,
        err,
      };
      if (levelEnabled(level, threshold)) console.log(logfmtLine(level, fields));
      if (QUERY_ROUTE.test(c.req.path)) {
        const slow = seconds * 1000 >= slowMs;
        const failed = code >= 400;
        if (slow) requestMetrics.slowQueries++;
        if (failed) requestMetrics.failedQueries++;
        if ((slow || failed) && levelEnabled('warn', threshold)) {
          const url = new URL(c.req.url);
          console.log(
            logfmtLine('warn', {
              caller: 'query',
              msg: failed ? 'query failed' : 'slow query',
              query: url.searchParams.get('query') ?? '(form body)',
              code,
              duration: `${seconds}s`,
              tenant,
              err,
            }),
          );
        }
      }
    }
  };
}
