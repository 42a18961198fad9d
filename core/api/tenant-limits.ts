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
}

interface TenantState {
  tokens: number;
  refilled: number;
  running: number;
  readonly waiting: Array<() => void>;
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
   */
  async slot(tenant: string, signal?: AbortSignal): Promise<() => void> {
    const max = this.#limits.maxConcurrent;
    if (max <= 0) return () => undefined;
    const s = this.#state(tenant, Math.max(1, this.#limits.requestBurst));
    if (s.running >= max) {
      if (s.waiting.length >= this.#limits.maxQueued) {
        throw new TooManyRequestsError(
          `too many concurrent queries: tenant ${JSON.stringify(tenant)} runs ${s.running} and ${s.waiting.length} wait (limit ${max})`,
          1,
        );
      }
      await new Promise<void>((resolve, reject) => {
        const turn = () => {
          signal?.removeEventListener('abort', leave);
          resolve();
        };
        const leave = () => {
          const i = s.waiting.indexOf(turn);
          if (i >= 0) s.waiting.splice(i, 1);
          reject(new QueryCanceledError('query canceled while waiting for a free query slot'));
        };
        if (signal?.aborted) return leave();
        signal?.addEventListener('abort', leave, { once: true });
        s.waiting.push(turn);
      });
      // The slot was handed over by its releaser, still counted as running.
    } else s.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = s.waiting.shift();
      if (next) next();
      else s.running--;
    };
  }

  #state(tenant: string, burst: number): TenantState {
    let s = this.#tenants.get(tenant);
    if (s) return s;
    if (this.#tenants.size >= MAX_TRACKED) this.#forgetIdle();
    s = { tokens: burst, refilled: this.#now(), running: 0, waiting: [] };
    this.#tenants.set(tenant, s);
    return s;
  }

  /** Drops tenants with nothing running or waiting: they start again with a full bucket. */
  #forgetIdle(): void {
    for (const [t, s] of this.#tenants) {
      if (s.running === 0 && s.waiting.length === 0) this.#tenants.delete(t);
    }
  }
}
