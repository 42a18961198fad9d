import { describe, expect, it } from 'vitest';
import { ExecutionFailure, TooManyRequestsError } from '../../errors.ts';
import { apiErrorResponse } from '../../api/error-response.ts';
import { labelsFrom } from '../../labels/labels.ts';
import { MemoryStorage } from '../storage/memory.ts';
import { Engine } from './engine.ts';
import { QueryLimits, SharedByteBudget } from './limits.ts';

const limits = (shared: SharedByteBudget, maxBytes = Infinity): QueryLimits =>
  new QueryLimits({ maxSamples: Infinity, deadline: Infinity, maxBytes, shared });

describe('SharedByteBudget: what the queries running at once hold together', () => {
  it('refuses the query that would take the sum past the limit, as too many requests', () => {
    const shared = new SharedByteBudget(1000);
    const a = limits(shared);
    const b = limits(shared);
    a.addBytes(600);
    b.addBytes(300);
    expect(shared.held).toBe(900);
    const err = (() => {
      try {
        b.addBytes(200);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(TooManyRequestsError);
    expect((err as Error).message).toMatch(/1100 bytes, over the limit of 1000/);
    // The refused bytes were never taken from the shared budget.
    expect(shared.held).toBe(900);
  });

  it('gets back what a query releases, and all it still holds when it ends', () => {
    const shared = new SharedByteBudget(1000);
    const a = limits(shared);
    const b = limits(shared);
    a.addBytes(700);
    a.releaseBytes(200);
    expect(shared.held).toBe(500);
    b.addBytes(500);
    expect(() => b.addBytes(1)).toThrow(TooManyRequestsError);
    a.close();
    expect(shared.held).toBe(500);
    b.addBytes(400);
    b.close();
    b.close();
    expect(shared.held).toBe(0);
  });

  it("a query over its own limit fails with its own error and takes nothing from the others'", () => {
    const shared = new SharedByteBudget(1000);
    const a = limits(shared, 100);
    expect(() => a.addBytes(150)).toThrow(/too much memory/);
    expect(shared.held).toBe(0);
  });

  it('every query an engine runs gives its bytes back, answered or failed', async () => {
    const s = new MemoryStorage();
    for (let k = 0; k < 20; k++) {
      s.append(labelsFrom({ __name__: 'x', i: String(k) }), [0, 60_000], [k, k + 1]);
    }
    const shared = new SharedByteBudget(1 << 20);
    const e = new Engine(s, { sharedBytes: shared });
    const ok = await e.rangeQuery('sum(x) + x * 2', 0, 600_000, 1000);
    expect(ok.stats.peakBytes).toBeGreaterThan(0);
    expect(shared.held).toBe(0);
    await expect(e.rangeQuery('x + on() x', 0, 60_000, 1000)).rejects.toThrow(/many-to-many/);
    expect(shared.held).toBe(0);
    // A budget smaller than one query's need refuses it, and is whole again afterwards.
    const small = new SharedByteBudget(10_000);
    const err = await new Engine(s, { sharedBytes: small })
      .rangeQuery('x * 2', 0, 600_000, 1000)
      .catch((x: unknown) => x);
    expect(err).toBeInstanceOf(TooManyRequestsError);
    expect(small.held).toBe(0);
  });

  it('answers 429 with Retry-After, also when a failed query wraps the refusal', async () => {
    const refusal = new TooManyRequestsError('queries running at once would hold too much', 1);
    const res = apiErrorResponse(new ExecutionFailure(refusal));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    const body = (await res.json()) as { errorType: string; error: string };
    expect(body.errorType).toBe('too_many_requests');
    expect(body.error).toMatch(/would hold too much/);
  });
});
