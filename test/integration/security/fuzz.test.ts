/**
 * HTTP fuzz run against the Worker in workerd (issue #18): FUZZ_REQUESTS (10,000) seeded random
 * requests (test/integration/security/fuzz-requests.ts: every route plus junk, every method,
 * hostile parameters and bodies, PromQL from a grammar, pathological regexes, some deep nesting)
 * at FUZZ_CONCURRENCY (12) against a Worker holding real blocks (promtool-made, uploaded to its
 * R2 bucket), with a 2 s QUERY_TIMEOUT and modest limits. Meanwhile a prober asks `/-/healthy`
 * every 200 ms. Asserted: no 5xx but Prometheus's documented 503 (errorType timeout or
 * unavailable); every answer of a Prometheus API route in Prometheus's JSON envelope; no request
 * answered later than its timeout plus slack; every probe answered 200 within 1 s; and the known
 * queries answer afterwards exactly what they answered before. FUZZ_SEED replays a run; the seed
 * is in every failure message.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FORM_BYTES, parseDurationParam } from '../../../core/api/params.ts';
import { R2Bucket, type R2BucketLike } from '../../../core/objstore/r2.ts';
import { uploadBlock } from '../../../sidecar-agent/objstore/upload-block.ts';
import {
  ORACLE_QUERIES,
  SPAN,
  T0,
  makeOracleData,
  toOpenMetrics,
} from '../../helpers/promql-oracle-data.ts';
import { promtoolCreateBlocks } from '../../helpers/promtool.ts';
import { Random } from '../../helpers/random.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';
import { send, startProber } from './fuzz-http.ts';
import { RequestFuzzer, isEnvelopeRoute, type FuzzRequest } from './fuzz-requests.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 180_018);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 12);
/** FUZZ_ONLY=33,1742 sends only those requests of the seed's sequence (a failure's replay). */
const ONLY = process.env.FUZZ_ONLY
  ? new Set(process.env.FUZZ_ONLY.split(',').map(Number))
  : undefined;
const QUERY_TIMEOUT_MS = 2000;
/**
 * Past its timeout, an answer may take this long: parsing and the frontend run before the
 * query's clock starts, and 12 requests share one isolate on a 2-core machine.
 */
const SLACK_MS = 3000;
const PROBE_EVERY_MS = 200;
const PROBE_MAX_MS = 1000;
const TOKEN = 'fuzz-token-0123456789';
const STORE_TOKEN = 'fuzz-store-token-0123456789';

/** Prometheus's documented 5xx: 503 with errorType timeout or unavailable. */
const DOCUMENTED_5XX = new Set(['timeout', 'unavailable']);

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** Known requests whose answers must not change across the fuzz run. */
function knownRequests(): string[] {
  const start = T0 / 1000 + 600;
  const end = (T0 + SPAN) / 1000 - 600;
  const out: string[] = [];
  for (const q of ORACLE_QUERIES) {
    const query = encodeURIComponent(q);
    out.push(`/api/v1/query?query=${query}&time=${start + 1234}`);
    out.push(`/api/v1/query_range?query=${query}&start=${start}&end=${end}&step=60&cache=false`);
  }
  out.push(`/api/v1/labels?start=${start}&end=${end}`);
  out.push(`/api/v1/label/job/values?start=${start}&end=${end}`);
  out.push(`/api/v1/series?match[]=up&start=${start}&end=${end}`);
  out.push('/api/v1/label/__name__/values');
  return out;
}

/** The timeout a request runs under: QUERY_TIMEOUT, or its own `timeout=` when shorter. */
function timeoutOf(req: FuzzRequest): number {
  const raw = new URL(req.url, 'http://x').searchParams.get('timeout');
  if (raw === null || raw === '') return QUERY_TIMEOUT_MS;
  try {
    const t = parseDurationParam(raw);
    return t > 0 ? Math.min(t, QUERY_TIMEOUT_MS) : QUERY_TIMEOUT_MS;
  } catch {
    return QUERY_TIMEOUT_MS;
  }
}

function describeRequest(i: number, req: FuzzRequest): string {
  const body =
    req.body === undefined
      ? ''
      : typeof req.body === 'string'
        ? ` body(${req.headers['content-type']}) ${req.body.slice(0, 300)}`
        : ` body(${req.headers['content-type']}) ${req.body.byteLength} bytes`;
  let url = req.url.slice(0, 400);
  try {
    url = decodeURIComponent(url);
  } catch {
    // a cut or deliberately malformed escape: show it encoded
  }
  return `#${i} ${req.method} ${url}${body}`;
}

/** Why an answer breaks the contract, or undefined when it keeps it. */
function violation(req: FuzzRequest, status: number, body: string, ms: number): string | undefined {
  const limit = timeoutOf(req) + SLACK_MS;
  if (ms > limit) return `answered after ${Math.round(ms)} ms (limit ${limit} ms)`;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const env = json as { status?: unknown; errorType?: unknown; error?: unknown; data?: unknown };
  if (status >= 500) {
    // A HEAD answer has no body to name its errorType: its 503 stands for the GET's.
    const documented = DOCUMENTED_5XX.has(String(env?.errorType)) || req.method === 'HEAD';
    if (status !== 503 || !documented) return `undocumented ${status}: ${body.slice(0, 300)}`;
  }
  const envelope =
    req.route !== undefined &&
    isEnvelopeRoute(req.route) &&
    (req.method === 'GET' || req.method === 'POST') &&
    status !== 404 &&
    status !== 405 &&
    // workerd's own answer to a request line or headers past its limit: the Worker never runs.
    status !== 431 &&
    status !== 414;
  if (!envelope) return undefined;
  if (json === undefined) return `${status}: not JSON: ${body.slice(0, 300)}`;
  if (env.status === 'success') {
    if (status !== 200 || !('data' in env)) return `${status}: success without data or not 200`;
    return undefined;
  }
  if (env.status !== 'error' || typeof env.errorType !== 'string' || typeof env.error !== 'string')
    return `${status}: not Prometheus's envelope: ${body.slice(0, 300)}`;
  if (status < 400) return `${status}: an error answered with a success status`;
  return undefined;
}

describe('HTTP fuzz run against the Worker in workerd', () => {
  let tmp: TmpDir;
  let worker: WorkerHandle;
  const before = new Map<string, Answer>();

  const get = async (path: string): Promise<Answer> => {
    const res = await worker.fetch(path, { headers: { authorization: `Bearer ${TOKEN}` } });
    return { status: res.status, body: await res.text() };
  };

  beforeAll(async () => {
    tmp = await makeTmpDir('fuzz-');
    const { db, blocks } = await promtoolCreateBlocks(toOpenMetrics(makeOracleData()), tmp.path);
    worker = await startWorker({
      vars: {
        STORE_TOKEN,
        AUTH_TOKENS: TOKEN,
        QUERY_TIMEOUT: `${QUERY_TIMEOUT_MS / 1000}s`,
        QUERY_MAX_SAMPLES: '2000000',
        QUERY_MAX_BYTES: '48MiB',
        QUERY_SPLIT_INTERVAL: '1h',
        // The request rate limit would answer most of 10,000 requests in 15 s with 429.
        TENANT_REQUEST_RATE: '0',
        ...(process.env.FUZZ_QUERY_MAX_CONCURRENCY
          ? { QUERY_MAX_CONCURRENCY: process.env.FUZZ_QUERY_MAX_CONCURRENCY }
          : {}),
      },
    });
    const bucket = new R2Bucket((await worker.mf.getR2Bucket('BLOCKS')) as unknown as R2BucketLike);
    for (const b of blocks)
      await uploadBlock(bucket, join(db, b), { labels: { replica: 'r0' }, source: 'sidecar' });
    for (const path of knownRequests()) before.set(path, await get(path));
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await tmp?.remove();
  });

  it('the known requests answer with data before the run', () => {
    // A few oracle queries are errors in Prometheus too: they must stay the same errors.
    const ok = [...before.values()].filter((a) => a.status === 200);
    expect(ok.length).toBeGreaterThan(before.size * 0.8);
    for (const a of ok) expect(JSON.parse(a.body).status).toBe('success');
    const series = JSON.parse(before.get(knownRequests().at(-1)!)!.body) as { data: string[] };
    expect(series.data).toContain('http_requests_total');
  });

  it(`${REQUESTS} random requests: no undocumented 5xx, no overrun, healthy throughout`, async () => {
    const fuzzer = new RequestFuzzer(new Random(SEED), { token: TOKEN, storeToken: STORE_TOKEN });
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;

    const prober = startProber(new URL('/-/healthy', worker.url), PROBE_EVERY_MS);
    const slowest: [number, string][] = [];
    /** Requests that took over a second: [began, ended, what], to name a slow probe's company. */
    const long: [number, number, string][] = [];

    const client = async (): Promise<void> => {
      for (let i = next++; i < REQUESTS; i = next++) {
        const req = fuzzer.next();
        if (ONLY !== undefined && !ONLY.has(i)) continue;
        const sent = await send(new URL(req.url, worker.url), {
          method: req.method,
          headers: req.headers,
          ...(req.body === undefined ? {} : { body: req.body }),
          // A hung request fails the run instead of stalling it.
          timeoutMs: timeoutOf(req) + SLACK_MS + 10_000,
        });
        if ('error' in sent) {
          // A server may answer an oversized body early and close before it is all sent.
          const huge = req.body !== undefined && req.body.length > MAX_FORM_BYTES;
          if (!huge) failures.push(`${describeRequest(i, req)}: ${sent.error}`);
          else statuses.set(0, (statuses.get(0) ?? 0) + 1);
          continue;
        }
        const { status, body, ms } = sent;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        slowest.push([ms, describeRequest(i, req).slice(0, 200)]);
        if (ms > 1000)
          long.push([Date.now() - ms, Date.now(), describeRequest(i, req).slice(0, 160)]);
        if (slowest.length > 50) slowest.sort((x, y) => y[0] - x[0]).splice(10);
        const why = violation(req, status, body, ms);
        if (why !== undefined) failures.push(`${describeRequest(i, req)}: ${why}`);
        if (ONLY !== undefined)
          console.log(
            `${describeRequest(i, req)}: ${status} ${Math.round(ms)} ms ${body.slice(0, 500)}`,
          );
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, client));
    const probes = await prober.stop();
    for (const p of probes) {
      if (p.status !== 200 || p.ms > PROBE_MAX_MS) {
        // The long requests under way while the probe waited, longest first.
        const company = long
          .filter(([b, e]) => b < p.at && e > p.at - p.ms)
          .sort((x, y) => y[1] - y[0] - (x[1] - x[0]))
          .slice(0, 3)
          .map(([b, e, d]) => `${e - b} ms ${d}`);
        failures.push(
          `/-/healthy: ${p.status} ${p.error ?? ''} after ${Math.round(p.ms)} ms; under way: ${company.join(' | ')}`,
        );
      }
    }
    const secs = (performance.now() - started) / 1000;
    const worst = Math.max(...probes.map((p) => p.ms));
    console.log(
      `fuzz seed ${SEED}: ${ONLY?.size ?? REQUESTS} requests in ${secs.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}; ${probes.length} probes, slowest ${Math.round(worst)} ms`,
    );
    slowest.sort((x, y) => y[0] - x[0]);
    console.log(
      `slowest requests:\n${slowest
        .slice(0, 5)
        .map(([ms, d]) => `  ${Math.round(ms)} ms ${d}`)
        .join('\n')}`,
    );
    // Every request was answered or (status 0) refused mid-upload as oversized.
    expect(
      [...statuses.values()].reduce((a, b) => a + b, 0) + failures.length,
    ).toBeGreaterThanOrEqual(ONLY?.size ?? REQUESTS);
    expect(probes.length, `seed ${SEED}`).toBeGreaterThan(secs * 2);
    expect(failures.slice(0, 40), `fuzz seed ${SEED}: ${failures.length} failures`).toEqual([]);
  }, 600_000);

  it('the known requests answer exactly as before the run', async () => {
    for (const [path, a] of before) expect(await get(path), `seed ${SEED}: ${path}`).toEqual(a);
  });
});
