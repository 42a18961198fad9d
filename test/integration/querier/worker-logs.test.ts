/**
 * The Worker's log lines in workerd (#17, worker/observe.ts): a logfmt line per request with its
 * route, code and duration at a level by status (2xx info, 4xx warn, 5xx error), a failed request
 * naming its error (Prometheus's `errorType: error`), a warning with the query text for a query slower than QUERY_SLOW_THRESHOLD and
 * for a failed query. Every line the Worker writes parses as logfmt, and none holds a credential:
 * the Worker runs with AUTH_TOKENS (sent as Bearer and as Basic auth) and an S3 bucket with a
 * secret key (a fake S3 endpoint that records the signed requests, so the key is in use).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';

const secret = (what: string) => `${what}-${randomBytes(12).toString('hex')}`;
const ADMIN = secret('admin');
const TENANT = secret('tenant');
const WRONG = secret('wrong');
const S3_KEY_ID = 'worker-logs-key';
const S3_SECRET = secret('s3-secret');
/** 86 400 steps: some milliseconds, over a 1 ms QUERY_SLOW_THRESHOLD. */
const SLOW_QUERY = 'count_over_time(vector(1)[1d:1s])';
const TIMED_OUT_QUERY = 'count_over_time(vector(1)[30d:1s])';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

/**
 * A bucket endpoint that answers ListObjectsV2 with an empty bucket and any other read with
 * NoSuchKey; it keeps each request's Authorization header, to show the Worker signed with the
 * configured key.
 */
interface FakeS3 {
  readonly endpoint: string;
  readonly authorizations: string[];
  stop(): Promise<void>;
}

async function startFakeS3(): Promise<FakeS3> {
  const authorizations: string[] = [];
  const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
  const server: Server = createServer((req: IncomingMessage, res) => {
    authorizations.push(req.headers.authorization ?? '');
    res.setHeader('content-type', 'application/xml');
    const url = new URL(req.url ?? '/', 'http://s3');
    if (url.searchParams.get('list-type') === '2') {
      const prefix = url.searchParams.get('prefix') ?? '';
      res.end(
        xml(
          `<ListBucketResult><Name>blocks</Name><Prefix>${prefix}</Prefix><KeyCount>0</KeyCount>` +
            '<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>',
        ),
      );
    } else {
      res.statusCode = 404;
      res.end(
        req.method === 'HEAD'
          ? undefined
          : xml('<Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>'),
      );
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    authorizations,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

type Fields = Record<string, string>;

/**
 * One logfmt line (go-logfmt's grammar): space-separated `key=value` pairs, a value bare (no
 * space, quote or `=`) or double-quoted with backslash escapes. Undefined if the line is not one.
 */
function parseLogfmt(line: string): Fields | undefined {
  const pair = /([^\s="]+)=("(?:[^"\\]|\\.)*"|[^\s="]*)(?: +|$)/y;
  const out: Fields = {};
  while (pair.lastIndex < line.length) {
    const m = pair.exec(line);
    if (!m) return undefined;
    const [, key, raw] = m as unknown as [string, string, string];
    if (key in out) return undefined;
    out[key] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

describe("the Worker's log lines", () => {
  let s3: FakeS3;
  let worker: WorkerHandle;
  /** Everything captured: Miniflare's own lines (`[mf:…]`) and the Worker's output. */
  const logs: string[] = [];

  /** The lines the Worker wrote (its stdout, chunks joined and split at newlines). */
  const workerLines = (): string[] =>
    logs
      .filter((chunk) => !chunk.startsWith('[mf:'))
      .join('')
      .split('\n')
      .filter((l) => l !== '');

  /** Sends a request and returns the log lines the Worker wrote for it. */
  async function requestLines(
    path: string,
    headers: Record<string, string>,
    expectStatus: number,
    linesWanted = 1,
  ): Promise<Fields[]> {
    const before = workerLines().length;
    const r = await worker.fetch(path, { headers });
    await r.text();
    expect(r.status, path).toBe(expectStatus);
    // The Worker's stdout reaches us through a pipe, after the answer.
    const deadline = Date.now() + 10_000;
    while (workerLines().length < before + linesWanted && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 20));
    await new Promise((res) => setTimeout(res, 100));
    return workerLines()
      .slice(before)
      .map((l) => parseLogfmt(l) ?? { unparsable: l });
  }

  const requestLine = (lines: Fields[]) => lines.find((f) => f.msg === 'request');
  const queryLine = (lines: Fields[]) => lines.find((f) => f.caller === 'query');

  beforeAll(async () => {
    s3 = await startFakeS3();
    worker = await startWorker({
      r2: false,
      logs,
      vars: {
        AUTH_TOKENS: `${ADMIN},team-a:${TENANT}`,
        S3_ENDPOINT: s3.endpoint,
        S3_BUCKET: 'blocks',
        S3_REGION: 'us-east-1',
        S3_ACCESS_KEY_ID: S3_KEY_ID,
        S3_SECRET_ACCESS_KEY: S3_SECRET,
        QUERY_SLOW_THRESHOLD: '1ms',
      },
    });
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await s3?.stop();
  });

  it('logs a 200 at info with its route, code and duration', async () => {
    const lines = await requestLines('/api/v1/labels', basic('grafana', ADMIN), 200);
    const line = requestLine(lines)!;
    expect(line).toMatchObject({
      level: 'info',
      caller: 'http',
      msg: 'request',
      method: 'GET',
      handler: '/api/v1/labels',
      code: '200',
    });
    expect(line.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(line.duration).toMatch(/^\d+(\.\d+)?s$/);
    expect(line).not.toHaveProperty('err');
    // The route's pattern, not the raw path.
    const named = requestLine(await requestLines('/api/v1/label/job/values', bearer(TENANT), 200))!;
    expect(named).toMatchObject({ level: 'info', handler: '/api/v1/label/:name/values' });
    // Not a query: no query line.
    expect(queryLine(lines)).toBeUndefined();
  });

  it('logs a 400 at warn, naming the error', async () => {
    const lines = await requestLines('/api/v1/labels?start=yesterday', bearer(ADMIN), 400);
    expect(requestLine(lines)).toMatchObject({
      level: 'warn',
      msg: 'request',
      handler: '/api/v1/labels',
      code: '400',
    });
    expect(requestLine(lines)!.err).toMatch(/^bad_data: .*start.*yesterday/);
    expect(queryLine(lines)).toBeUndefined();
    // A refused credential: warn too, naming the refusal and not the credential.
    const refused = await requestLines('/api/v1/labels', bearer(WRONG), 401);
    expect(requestLine(refused)).toMatchObject({
      level: 'warn',
      code: '401',
      err: 'unauthorized: unauthorized',
    });
  });

  it('logs a query slower than QUERY_SLOW_THRESHOLD at warn, with its text', async () => {
    const lines = await requestLines(
      `/api/v1/query?query=${encodeURIComponent(SLOW_QUERY)}`,
      bearer(ADMIN),
      200,
      2,
    );
    expect(requestLine(lines)).toMatchObject({ level: 'info', code: '200' });
    const slow = queryLine(lines)!;
    expect(slow).toMatchObject({
      level: 'warn',
      caller: 'query',
      msg: 'slow query',
      query: SLOW_QUERY,
      code: '200',
    });
    expect(Number(slow.duration!.replace(/s$/, ''))).toBeGreaterThanOrEqual(0.001);
    expect(slow).not.toHaveProperty('err');
  });

  it('logs a failed query at warn, with its text and error', async () => {
    const query = 'sum(rate(http_requests_total{job="api"}[5m]) by (code)';
    const lines = await requestLines(
      `/api/v1/query?query=${encodeURIComponent(query)}`,
      basic('grafana', TENANT),
      400,
      2,
    );
    expect(requestLine(lines)).toMatchObject({
      level: 'warn',
      handler: '/api/v1/query',
      code: '400',
    });
    const failed = queryLine(lines)!;
    expect(failed).toMatchObject({ level: 'warn', msg: 'query failed', query, code: '400' });
    expect(failed.err).toMatch(/^bad_data: .*parse error/);
    expect(requestLine(lines)!.err).toBe(failed.err);
  });

  it('logs a query that fails with a 5xx at error, naming the error', async () => {
    // Millions of steps against a 1 ms timeout: the engine's deadline ends it (503 timeout).
    const lines = await requestLines(
      `/api/v1/query?query=${encodeURIComponent(TIMED_OUT_QUERY)}&timeout=1ms`,
      bearer(ADMIN),
      503,
      2,
    );
    expect(requestLine(lines)).toMatchObject({
      level: 'error',
      msg: 'request',
      handler: '/api/v1/query',
      code: '503',
      err: 'timeout: query timed out in expression evaluation',
    });
    expect(queryLine(lines)).toMatchObject({
      level: 'warn',
      msg: 'query failed',
      query: TIMED_OUT_QUERY,
      code: '503',
      err: 'timeout: query timed out in expression evaluation',
    });
  });

  it('writes only logfmt lines, and no credential in any of them', () => {
    // Runs last (vitest runs a file's tests in order): every request above was logged.
    const lines = workerLines();
    expect(lines.length).toBeGreaterThanOrEqual(10);
    for (const l of lines) {
      const f = parseLogfmt(l);
      expect(f, l).toBeDefined();
      expect(Object.keys(f!).slice(0, 2), l).toEqual(['level', 'ts']);
      expect(['debug', 'info', 'warn', 'error'], l).toContain(f!.level);
      expect(f!.msg, l).toBeDefined();
    }
    // The credentials were in use: requests passed with them, and the bucket saw signed requests.
    expect(s3.authorizations.some((a) => a.includes(`Credential=${S3_KEY_ID}/`))).toBe(true);
    const everything = logs.join('\n');
    for (const s of [ADMIN, TENANT, WRONG, S3_SECRET]) {
      for (const form of [s, encodeURIComponent(s), Buffer.from(s).toString('base64')])
        expect(everything.includes(form), `credential in the logs: ${form}`).toBe(false);
    }
    for (const header of [basic('grafana', ADMIN), basic('grafana', TENANT)])
      expect(everything).not.toContain(header.authorization.slice('Basic '.length));
  });
});
