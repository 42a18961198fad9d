/**
 * @module test/integration/security/fuzz-requests — random HTTP requests for the fuzz run against
 * the Worker: every route of the router (enumerated from the Hono apps the Worker mounts, plus the
 * routes worker/index.ts adds itself) and junk paths; every method; query parameters with valid
 * and invalid times, steps and timeouts (huge numbers, NaN, negative, repeated, very long);
 * form, multipart, random-byte and oversized bodies; PromQL from the grammar in fuzz-promql.ts.
 */
import type { Hono } from 'hono';
import { prometheusApi } from '../../../core/api/api.ts';
import { FRONTEND_PATHS } from '../../../core/frontend/frontend.ts';
import { storeApiRoutes } from '../../../core/storeapi/http-server.ts';
import type { Random } from '../../helpers/random.ts';
import { PromqlFuzzer } from './fuzz-promql.ts';

/** Routes worker/index.ts and worker/receive.ts mount on the app itself. */
const WORKER_ROUTES = [
  '/-/healthy',
  '/-/ready',
  '/metrics',
  '/api/v1/blocks',
  '/api/v1/rules',
  '/api/v1/alerts',
  '/api/v1/receive',
  '/api/v1/write',
];

const never = (): never => {
  throw new Error('route enumeration only');
};

function paths(app: Hono<never>): string[] {
  return app.routes.filter((r) => !r.path.endsWith('*')).map((r) => r.path);
}

/** Every route path the Worker serves (`:name` left as a placeholder). */
export function workerRoutes(): string[] {
  const all = [
    ...paths(prometheusApi({ querier: never }) as unknown as Hono<never>),
    ...paths(storeApiRoutes({ store: never, token: () => 't' }) as unknown as Hono<never>),
    ...FRONTEND_PATHS,
    ...WORKER_ROUTES,
  ];
  return [...new Set(all)].sort();
}

/** The Prometheus API routes that answer in the JSON envelope (not StoreAPI, not remote write). */
export function isEnvelopeRoute(path: string): boolean {
  return (
    path.startsWith('/api/v1/') &&
    !path.startsWith('/api/v1/store/') &&
    path !== '/api/v1/receive' &&
    path !== '/api/v1/write'
  );
}

export interface FuzzRequest {
  readonly method: string;
  /** The route pattern this was drawn from, or undefined for junk. */
  readonly route: string | undefined;
  /** Path and query string. */
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: Uint8Array | string;
}

const METHODS = ['GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const JUNK_PATHS = [
  '/',
  '/api',
  '/api/v1',
  '/api/v1/',
  '/api/v2/query',
  '/api/v1/query/',
  '/api/v1//query',
  '/api/v1/label//values',
  '/api/v1/label/%00/values',
  '/api/v1/label/__name__/values/extra',
  '/api/v1/store/nope',
  '/api/v1/status/nope',
  '/..%2f..%2fetc/passwd',
  '/-/',
  '/-/reload',
  '/-/quit',
  '/%ff%fe',
  '/graph',
  '/federate',
];

const T0 = 1_700_000_000;
const TIMES = [
  () => String(T0),
  () => String(T0 + 3600),
  () => String(T0 + 7200),
  () => '2023-11-14T22:13:20Z',
  () => '2023-11-14T23:13:20.123+01:00',
  () => '-1',
  () => '0',
  () => '1e300',
  () => '-1e300',
  () => 'NaN',
  () => 'Inf',
  () => '-Inf',
  () => '9223372036854775807',
  () => '1700000000.123456789',
  () => '',
  () => 'now',
  () => 'yesterday',
  () => '2023-13-45T99:99:99Z',
  () => '1e',
  () => '０',
];
const STEPS = [
  '15',
  '30s',
  '60',
  '1m',
  '5m',
  '1h',
  '0',
  '-1',
  '0.001',
  '1e-9',
  '1e300',
  'NaN',
  'Inf',
  '',
  'abc',
  '1y',
  '1ms',
  '9223372036854775807',
  '1.5',
];
const TIMEOUTS = [
  '1ms',
  '10ms',
  '50ms',
  '100ms',
  '1s',
  '0',
  '-1s',
  'abc',
  '1e9',
  '2m',
  'NaN',
  '0.01',
];
const BOOLS = ['true', 'false', '1', '0', 'yes', ''];
const LABEL_NAMES = ['__name__', 'job', 'instance', 'room', 'le', 'nope', '1bad', 'é', ':name'];
const CONTENT_TYPES = [
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'multipart/form-data; boundary=xyz',
  'multipart/form-data',
  'application/json',
  'application/x-protobuf',
  'text/plain',
  '',
];

/** Go's form limit is 10 MiB: oversized bodies go just past it. */
const HUGE_BODY_BYTES = (10 << 20) + 1024;

export class RequestFuzzer {
  readonly #r: Random;
  readonly #routes: string[];
  readonly #promql: PromqlFuzzer;
  readonly #token: string;
  readonly #storeToken: string;

  constructor(r: Random, opts: { token: string; storeToken: string }) {
    this.#r = r;
    this.#routes = workerRoutes();
    this.#promql = new PromqlFuzzer(r);
    this.#token = opts.token;
    this.#storeToken = opts.storeToken;
  }

  next(): FuzzRequest {
    const r = this.#r;
    const junk = r.chance(0.05);
    const route = junk ? undefined : this.#pickRoute();
    const path = route === undefined ? r.pick(JUNK_PATHS) : this.#fillRoute(route);
    const method = r.chance(0.85) ? r.pick(['GET', 'GET', 'POST']) : r.pick(METHODS);
    const params = this.#params(route ?? path);
    const headers: Record<string, string> = {};
    if (r.chance(0.9)) headers.authorization = `Bearer ${this.#token}`;
    if (
      route?.startsWith('/api/v1/store/') ||
      route === '/api/v1/receive' ||
      route === '/api/v1/write'
    ) {
      if (r.chance(0.5)) headers.authorization = `Bearer ${this.#storeToken}`;
    }
    if (r.chance(0.05)) headers['cache-control'] = 'no-cache';
    if (r.chance(0.03)) headers['thanos-tenant'] = r.pick(['a', 'b', '', 'x'.repeat(300)]);

    let body: Uint8Array | string | undefined;
    let query = params;
    if (method !== 'GET' && method !== 'HEAD' && r.chance(0.8)) {
      const y = r.next();
      if (y < 0.6) {
        headers['content-type'] = r.pick(CONTENT_TYPES.slice(0, 2));
        // Most form posts carry the parameters in the body, some in both places.
        body = params;
        query = r.chance(0.2) ? this.#params(route ?? path) : '';
      } else if (y < 0.75) {
        headers['content-type'] = 'multipart/form-data; boundary=xyz';
        body = multipart(new URLSearchParams(params));
        query = '';
      } else if (y < 0.97) {
        headers['content-type'] = r.pick(CONTENT_TYPES);
        body = r.bytes(r.chance(0.9) ? r.int(256) : r.int(200_000));
      } else {
        headers['content-type'] = r.pick(CONTENT_TYPES.slice(0, 3));
        body = hugeForm();
      }
    }
    return {
      method,
      route,
      url: query === '' ? path : `${path}?${query}`,
      headers,
      ...(body === undefined ? {} : { body }),
    };
  }

  #pickRoute(): string {
    const r = this.#r;
    // Query routes get most of the traffic: they are where the work is.
    if (r.chance(0.55))
      return r.pick(['/api/v1/query', '/api/v1/query_range', '/api/v1/query_range']);
    return r.pick(this.#routes);
  }

  #fillRoute(route: string): string {
    if (!route.includes(':name')) return route;
    const name = this.#r.chance(0.1)
      ? encodeURIComponent('x'.repeat(5000))
      : this.#r.pick(LABEL_NAMES);
    return route.replace(':name', encodeURIComponent(name));
  }

  /** A query string for `route`: its own parameters (often valid), plus noise. */
  #params(route: string): string {
    const r = this.#r;
    const p = new URLSearchParams();
    const add = (k: string, v: string): void => {
      p.append(k, v);
      if (r.chance(0.03)) p.append(k, v === '' ? 'x' : v); // repeated parameter
    };
    const valid = r.chance(0.7);
    if (route.includes('query') || r.chance(0.05)) {
      add('query', r.chance(0.95) ? this.#promql.query() : longValue(r));
    }
    if (route.endsWith('query_range') || r.chance(0.1)) {
      const start = valid ? T0 + r.int(3600) : undefined;
      const end = start !== undefined ? start + r.int(7200) : undefined;
      if (r.chance(0.95)) add('start', start !== undefined ? String(start) : r.pick(TIMES)());
      if (r.chance(0.95)) add('end', end !== undefined ? String(end) : r.pick(TIMES)());
      if (r.chance(0.95))
        add('step', valid ? r.pick(['15', '30s', '60', '1m', '5m', '14']) : r.pick(STEPS));
    } else if (route.endsWith('/query') && r.chance(0.8)) {
      add('time', valid ? String(T0 + r.int(7200)) : r.pick(TIMES)());
    }
    if (/series|labels|values/.test(route)) {
      for (let k = r.int(3); k > 0; k--)
        add('match[]', r.chance(0.9) ? this.#promql.selector() : this.#promql.query());
      if (r.chance(0.5)) add('start', r.pick(TIMES)());
      if (r.chance(0.5)) add('end', r.pick(TIMES)());
    }
    if (r.chance(0.25)) add('timeout', r.pick(TIMEOUTS));
    if (r.chance(0.1)) add('dedup', r.pick(BOOLS));
    if (r.chance(0.1)) add('partial_response', r.pick(BOOLS));
    if (r.chance(0.05)) add('replicaLabels[]', r.pick(['replica', '', 'job']));
    if (r.chance(0.05))
      add('max_source_resolution', r.pick(['auto', 'raw', '5m', '1h', 'x', '0s']));
    if (r.chance(0.05)) add('stats', r.pick(['all', '']));
    if (r.chance(0.05)) add('cache', r.pick(BOOLS));
    if (r.chance(0.03)) add(r.pick(['x', '', 'query[]', '%zz']), longValue(r));
    return p.toString();
  }
}

/**
 * A very long parameter value: mostly 1-8 KB, sometimes up to 200 KB (in a URL, past workerd's
 * header limit: its own 431), of one character or of random text.
 */
function longValue(r: Random): string {
  const n = r.chance(0.8) ? r.intBetween(1000, 8000) : r.intBetween(8000, 200_000);
  return r.chance(0.5)
    ? 'a'.repeat(n)
    : Array.from(r.bytes(n), (b) => String.fromCharCode(32 + (b % 95))).join('');
}

function multipart(p: URLSearchParams): string {
  let s = '';
  for (const [k, v] of p)
    s += `--xyz\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  return `${s}--xyz--\r\n`;
}

let huge: Uint8Array | undefined;
function hugeForm(): Uint8Array {
  huge ??= new TextEncoder().encode(`query=${'1+'.repeat(HUGE_BODY_BYTES / 2)}1`);
  return huge;
}
