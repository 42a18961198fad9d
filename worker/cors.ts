/**
 * @module worker/cors — CORS as Prometheus's API sets it (`--web.cors.origin`, env
 * WEB_CORS_ORIGIN, an anchored RE2 regex, default `.*`): a matching Origin is echoed back with the
 * methods and headers the API takes, and an OPTIONS preflight is answered here, before
 * authentication (browsers send preflights without credentials). Credentials are never allowed
 * cross-origin, so another site can fire a read but never see an authenticated answer.
 */
import type { MiddlewareHandler } from 'hono';
import { BadDataError } from '../core/errors.ts';
import { FastRegexMatcher } from '../core/regexp/fast-regex-matcher.ts';
import type { Env } from './env.ts';

let compiled: { source: string; matcher: FastRegexMatcher } | undefined;

function originMatcher(env: Env): FastRegexMatcher {
  const source = env.WEB_CORS_ORIGIN ?? '.*';
  if (compiled?.source !== source) {
    try {
      compiled = { source, matcher: new FastRegexMatcher(source) };
    } catch (err) {
      throw new BadDataError(`WEB_CORS_ORIGIN: ${err instanceof Error ? err.message : err}`);
    }
  }
  return compiled.matcher;
}

function corsHeaders(origin: string | undefined, env: Env): Record<string, string> {
  const headers: Record<string, string> = {
    'access-control-allow-headers': 'Accept, Authorization, Content-Type, Origin',
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-expose-headers': 'Date',
    vary: 'Origin',
  };
  if (origin && originMatcher(env).matchString(origin))
    headers['access-control-allow-origin'] = origin;
  return headers;
}

export function cors(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (c.req.method === 'OPTIONS') {
      return new Response(null, { status: 204, headers: corsHeaders(origin, c.env) });
    }
    await next();
    if (origin === undefined) return;
    const res = new Response(c.res.body, c.res);
    for (const [k, v] of Object.entries(corsHeaders(origin, c.env))) res.headers.set(k, v);
    c.res = res;
  };
}
