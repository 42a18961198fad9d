/**
 * @module core/api/tenant-limits — what one tenant may ask of a querier at once: a request rate
 * (token bucket) and a number of concurrent queries, with a bounded line of queries waiting for a
 * slot (Prometheus's --query.max-concurrency queues; past the line we answer 429 with Retry-After
 * instead of holding memory for an unbounded queue). The state is per process (per isolate in a
 * Worker): a bound on what one tenant can do to this process, not a global quota.
 */
import { QueryCanceledError, TooManyRequestsError } from '../errors.ts';

export interface TenantLimitSettings {
  /** Queries one tenant may run at once (Prometheus --query.max-concurrency, 20); 0: no limit. */
  readonly maxConcurrent: number;
  /** Queries that may wait for a slot; more get 429. */
  readonly maxQueued: number;
  /** Requests per second one tenant may make (sustained); 0: no limit. */
  readonly requestRate: number;
  /** Requests one tenant may make at once above the rate (the bucket's size). */
  readonly requestBurst: number;
  /** A slot held longer than this is taken back (default 10 minutes). */
  readonly maxHoldMs?: number;
}

const DEFAULT_MAX_HOLD_MS = 10 * 60_000;

/** Waits `ms`, or rejects as canceled when `signal` aborts first. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const leave = () => {
      clearTimeout(timer);
      reject(new QueryCanceledError('query canceled while waiting for a free query slot'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', leave);
      resolve();
    }, ms);
    if (signal?.aborted) return leave();
    signal?.addEventListener('abort', leave, { once: true });
  });
}

interface TenantState {
  tokens: number;
  refilled: number;
  /** Slots held, by when each was taken. */
  readonly running: Set<{ readonly since: number }>;
  /** Tickets of the queries waiting, in arrival order: a slot goes to the first. */
  readonly line: number[];
  nextTicket: number;
}

/** Tenants kept before idle ones are forgotten (tenant names may come from a header). */
const MAX_TRACKED = 10_000;

export class TenantLimiter {
  readonly #limits: TenantLimitSettings;
  readonly #now: () => number;
  readonly #tenants = new Map<string, TenantState>();

  constructor(limits: TenantLimitSettings, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  /** Counts one request against the tenant's rate; throws 429 when its bucket is empty. */
  admit(tenant: string): void {
    const { requestRate: rate, requestBurst } = this.#limits;
    if (rate <= 0) return;
    const burst = Math.max(1, requestBurst);
    const s = this.#state(tenant, burst);
    const now = this.#now();
    s.tokens = Math.min(burst, s.tokens + ((now - s.refilled) / 1000) * rate);
    s.refilled = now;
    if (s.tokens < 1) {
      const wait = Math.max(1, Math.ceil((1 - s.tokens) / rate));
      throw new TooManyRequestsError(
        `too many requests: tenant ${JSON.stringify(tenant)} is over its limit of ${rate} requests/s`,
        wait,
      );
    }
    s.tokens -= 1;
  }

  /**
   * A slot to run one query: at once if the tenant runs fewer than its limit, else after a wait in
   * line (ended by `signal`); the returned function gives the slot back, exactly once.
   *
   * A waiter polls for a free slot on its own timers instead of being woken by the request that
   * frees one: in workerd a promise resolved from another request's context is not delivered (the
   * waiter is cancelled as hung and the handed-over slot is lost). A slot held longer than
   * `maxHoldMs` (a request the runtime dropped without its answer being read or cancelled) counts
   * as free again.
   */
  async slot(tenant: string, signal?: AbortSignal): Promise<() => void> {
    const max = this.#limits.maxConcurrent;
    if (max <= 0) return () => undefined;
    const s = this.#state(tenant, Math.max(1, this.#limits.requestBurst));
    this.#expire(s);
    if (s.running.size >= max || s.line.length > 0) {
      if (s.line.length >= this.#limits.maxQueued) {
        throw new TooManyRequestsError(
          `too many concurrent queries: tenant ${JSON.stringify(tenant)} runs ${s.running.size} and ${s.line.length} wait (limit ${max})`,
          1,
        );
      }
      const ticket = s.nextTicket++;
      s.line.push(ticket);
      try {
        // First come, first served: only the head of the line may take a free slot, so no query
        // waits behind later ones. The head checks often; the rest cannot go yet and check less.
        for (let delay = 2; s.running.size >= max || s.line[0] !== ticket;) {
          await pause(s.line[0] === ticket ? 2 : delay, signal);
          delay = Math.min(delay * 2, 50);
          this.#expire(s);
        }
      } finally {
        s.line.splice(s.line.indexOf(ticket), 1);
      }
    }
    const held = { since: this.#now() };
    s.running.add(held);
    return () => void s.running.delete(held);
  }

  /**
   * Slots held and queries waiting, for each tenant tracked now (one that has asked for a slot and
   * not yet been forgotten as idle): what a querier's gate metrics report.
   */
  *usage(): IterableIterator<{ tenant: string; running: number; waiting: number }> {
    for (const [tenant, s] of this.#tenants) {
      this.#expire(s);
      yield { tenant, running: s.running.size, waiting: s.line.length };
    }
  }

  #expire(s: TenantState): void {
    const limit = this.#limits.maxHoldMs ?? DEFAULT_MAX_HOLD_MS;
    const oldest = this.#now() - limit;
    for (const h of s.running) if (h.since < oldest) s.running.delete(h);
  }

  #state(tenant: string, burst: number): TenantState {
    let s = this.#tenants.get(tenant);
    if (s) return s;
    if (this.#tenants.size >= MAX_TRACKED) this.#forgetIdle();
    s = { tokens: burst, refilled: this.#now(), running: new Set(), line: [], nextTicket: 0 };
    this.#tenants.set(tenant, s);
    return s;
  }

  /** Drops tenants with nothing running or waiting: they start again with a full bucket. */
  #forgetIdle(): void {
    for (const [t, s] of this.#tenants) {
      if (s.running.size === 0 && s.line.length === 0) this.#tenants.delete(t);
    }
  }
}
