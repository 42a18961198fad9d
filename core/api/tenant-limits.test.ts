import { describe, expect, it } from 'vitest';
import { QueryCanceledError, TooManyRequestsError } from '../errors.ts';
import { TenantLimiter } from './tenant-limits.ts';

/** A limiter of concurrency only (no request rate). */
const slotsOnly = (maxConcurrent: number, maxQueued: number) =>
  new TenantLimiter({ maxConcurrent, maxQueued, requestRate: 0, requestBurst: 0 });

/** Longer than a waiter's longest poll (50 ms). */
const settle = () => new Promise((r) => setTimeout(r, 120));

describe('TenantLimiter', () => {
  it('refuses requests over the rate with a Retry-After, per tenant, and refills with time', () => {
    let now = 0;
    const l = new TenantLimiter(
      { maxConcurrent: 0, maxQueued: 0, requestRate: 2, requestBurst: 3 },
      () => now,
    );
    for (let i = 0; i < 3; i++) l.admit('a');
    const err = (() => {
      try {
        l.admit('a');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(TooManyRequestsError);
    expect((err as TooManyRequestsError).retryAfterSeconds).toBe(1);
    expect((err as Error).message).toContain('"a"');
    l.admit('b'); // another tenant has its own bucket
    now = 500; // half a second: one token back at 2/s
    l.admit('a');
    expect(() => l.admit('a')).toThrow(TooManyRequestsError);
  });

  it('runs at most maxConcurrent at once, queues the next, refuses past the line', async () => {
    const l = slotsOnly(2, 1);
    const r1 = await l.slot('a');
    const r2 = await l.slot('a');
    let third = false;
    const p3 = l.slot('a').then((r) => {
      third = true;
      return r;
    });
    await expect(l.slot('a')).rejects.toBeInstanceOf(TooManyRequestsError);
    // Another tenant is not held back by this one.
    (await l.slot('b'))();
    await settle();
    expect(third).toBe(false);
    r1();
    r1(); // releasing twice frees one slot only
    const r3 = await p3;
    await settle();
    expect(third).toBe(true);
    // Two still run (r2, r3): a new one must wait again.
    let fourth = false;
    const p4 = l.slot('a').then((r) => ((fourth = true), r));
    await settle();
    expect(fourth).toBe(false);
    r2();
    (await p4)();
    r3();
  });

  it('hands a freed slot to the query that waited longest, not to the one that checked first', async () => {
    const l = slotsOnly(1, 5);
    const r1 = await l.slot('a');
    const order: string[] = [];
    const first = l.slot('a').then((r) => (order.push('first'), r));
    // The first waiter now checks only every 50 ms; the second, just arrived, every few ms.
    await settle();
    const second = l.slot('a').then((r) => (order.push('second'), r));
    await new Promise((r) => setTimeout(r, 3));
    r1();
    (await first)();
    (await second)();
    expect(order).toEqual(['first', 'second']);
    // A query arriving while others wait joins the end of the line, even with a slot free.
    const r2 = await l.slot('a');
    const queued = l.slot('a').then((r) => (order.push('queued'), r));
    await settle();
    r2();
    const late = l.slot('a').then((r) => (order.push('late'), r));
    (await queued)();
    (await late)();
    expect(order.slice(2)).toEqual(['queued', 'late']);
  });

  it('reports the slots each tenant holds and the queries it has waiting', async () => {
    const l = slotsOnly(1, 5);
    expect([...l.usage()]).toEqual([]);
    const r1 = await l.slot('a');
    const waiting = l.slot('a');
    const rb = await l.slot('b');
    expect([...l.usage()]).toEqual([
      { tenant: 'a', running: 1, waiting: 1 },
      { tenant: 'b', running: 1, waiting: 0 },
    ]);
    r1();
    (await waiting)();
    rb();
    expect([...l.usage()]).toEqual([
      { tenant: 'a', running: 0, waiting: 0 },
      { tenant: 'b', running: 0, waiting: 0 },
    ]);
  });

  it('lets a waiting query leave the line when its client goes', async () => {
    const l = slotsOnly(1, 5);
    const r1 = await l.slot('a');
    const ac = new AbortController();
    const waiting = l.slot('a', ac.signal);
    ac.abort();
    await expect(waiting).rejects.toBeInstanceOf(QueryCanceledError);
    r1();
    // The slot is free again, not handed to the query that left.
    const r = await l.slot('a');
    r();
  });
});

describe('TenantLimiter slot expiry', () => {
  it('takes back a slot held past maxHoldMs (an answer the runtime dropped unread)', async () => {
    let now = 0;
    const l = new TenantLimiter(
      { maxConcurrent: 1, maxQueued: 1, requestRate: 0, requestBurst: 0, maxHoldMs: 1000 },
      () => now,
    );
    await l.slot('a'); // never released
    let got = false;
    const next = l.slot('a').then((r) => ((got = true), r));
    await settle();
    expect(got).toBe(false);
    now = 1001;
    (await next)();
    expect(got).toBe(true);
  });
});
