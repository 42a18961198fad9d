/**
 * Per-tenant limits in workerd (#18): a tenant over its request rate gets Prometheus's error JSON
 * with 429 and Retry-After while another tenant is still served; query slots are given back when
 * an answer has been read, so many queries one after another with one slot all succeed; health
 * stays unlimited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';

describe('per-tenant limits', () => {
  let rated: WorkerHandle;
  let oneSlot: WorkerHandle;
  let queued: WorkerHandle;
  let smallIsolate: WorkerHandle;

  beforeAll(async () => {
    rated = await startWorker({ vars: { TENANT_REQUEST_RATE: '0.5', TENANT_REQUEST_BURST: '3' } });
    oneSlot = await startWorker({ vars: { QUERY_MAX_CONCURRENCY: '1', QUERY_MAX_QUEUED: '0' } });
    queued = await startWorker({ vars: { QUERY_MAX_CONCURRENCY: '1', QUERY_MAX_QUEUED: '100' } });
    smallIsolate = await startWorker({ vars: { QUERY_ISOLATE_MAX_BYTES: '64KiB' } });
  }, 120_000);

  afterAll(async () => {
    await rated?.stop();
    await oneSlot?.stop();
    await queued?.stop();
    await smallIsolate?.stop();
  });

  const query = (w: WorkerHandle, tenant: string) =>
    w.fetch('/api/v1/query?query=vector(1)&time=1000', { headers: { 'THANOS-TENANT': tenant } });

  it('answers 429 with Retry-After past a tenant rate, and serves other tenants', async () => {
    for (let i = 0; i < 3; i++) expect((await query(rated, 'greedy')).status).toBe(200);
    const over = await query(rated, 'greedy');
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await over.json()) as { status: string; errorType: string; error: string };
    expect(body.status).toBe('error');
    expect(body.errorType).toBe('too_many_requests');
    expect(body.error).toContain('greedy');
    expect((await query(rated, 'patient')).status).toBe(200);
    expect((await rated.fetch('/-/healthy')).status).toBe(200);
  });

  it('lets queries wait in line across requests, and leaks no slot (workerd request contexts)', async () => {
    // Heavy enough to overlap: the others wait for the one slot, each woken on its own timers.
    const heavy = () =>
      queued.fetch(
        `/api/v1/query_range?query=${encodeURIComponent('sum(rate(vector(time())[5m:1s]))')}&start=0&end=3000&step=10`,
        { headers: { 'THANOS-TENANT': 't' } },
      );
    for (let round = 0; round < 2; round++) {
      const answers = await Promise.all(Array.from({ length: 8 }, heavy));
      expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
      await Promise.all(answers.map((r) => r.text()));
    }
    const after = await query(queued, 't');
    expect(after.status).toBe(200);
  });

  it('gives a query slot back once its answer is read', async () => {
    for (let i = 0; i < 20; i++) {
      const r = await query(oneSlot, 't');
      expect(r.status).toBe(200);
      await r.text();
    }
    // Label and series routes take the slot too and give it back.
    for (const path of ['/api/v1/labels', '/api/v1/series?match[]=up', '/api/v1/status/tsdb']) {
      for (let i = 0; i < 3; i++) {
        const r = await oneSlot.fetch(path, { headers: { 'THANOS-TENANT': 't' } });
        expect(r.status, path).toBe(200);
        await r.text();
      }
    }
  });

  it("answers 429 with Retry-After when the isolate's queries together would hold too much", async () => {
    // 10,001 steps of one series: about 90 KB, over the 64 KiB all queries of the isolate share.
    const big = `/api/v1/query_range?query=${encodeURIComponent('vector(time())')}&start=0&end=10000&step=1`;
    const refused = await smallIsolate.fetch(big);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await refused.json()) as { status: string; errorType: string; error: string };
    expect(body.errorType).toBe('too_many_requests');
    expect(body.error).toMatch(/over the limit of 65536 they share/);
    // The refusal gave back what it held: small queries still pass, over and over.
    for (let i = 0; i < 5; i++) {
      const r = await query(smallIsolate, 't');
      expect(r.status).toBe(200);
      await r.text();
    }
    // With the default isolate budget the same query is answered.
    const answered = await oneSlot.fetch(big);
    expect(answered.status).toBe(200);
    await answered.text();
  });
});
