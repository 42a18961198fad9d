/**
 * @module core/query/endpoint-set — the stores a querier knows (Thanos's EndpointSet): each
 * store's last advertised info, health and last error, refreshed at most once per interval.
 * A store that fails its info call stays in the set (marked unhealthy) so queries still try it
 * and report it, instead of silently shrinking the answer.
 */
import { errorMessage } from '../errors.ts';
import type { StoreEndpoint } from '../storeapi/proxy.ts';
import type { Store, StoreInfo } from '../storeapi/store.ts';

export interface EndpointStatus {
  readonly name: string;
  readonly info: StoreInfo | undefined;
  readonly healthy: boolean;
  readonly lastError: string | undefined;
  /** Unix ms of the last successful info call. */
  readonly lastCheck: number | undefined;
}

interface Entry {
  readonly name: string;
  readonly store: Store;
  info: StoreInfo | undefined;
  healthy: boolean;
  lastError: string | undefined;
  lastCheck: number | undefined;
}

export interface EndpointSetOptions {
  /** Refresh interval for info calls, ms (default 30s). */
  readonly refreshInterval?: number;
  /** Time allowed for one info call, ms (default 5s). */
  readonly infoTimeout?: number;
  readonly now?: () => number;
}

export class EndpointSet {
  readonly #entries: Entry[];
  readonly #opts: EndpointSetOptions;
  #refreshedAt = -Infinity;

  constructor(
    stores: ReadonlyArray<{ name: string; store: Store }>,
    options: EndpointSetOptions = {},
  ) {
    this.#entries = stores.map((s) => ({
      ...s,
      info: undefined,
      healthy: false,
      lastError: undefined,
      lastCheck: undefined,
    }));
    this.#opts = options;
  }

  /**
   * Refreshes infos when stale. Each caller runs its own checks: a refresh in flight belongs to
   * the request that started it (a Worker cancels its I/O when that request ends).
   */
  async refresh(force = false): Promise<void> {
    const now = (this.#opts.now ?? Date.now)();
    if (!force && now - this.#refreshedAt < (this.#opts.refreshInterval ?? 30_000)) return;
    await Promise.all(this.#entries.map((e) => this.#check(e)));
    this.#refreshedAt = (this.#opts.now ?? Date.now)();
  }

  async #check(e: Entry): Promise<void> {
    const ctl = new AbortController();
    const timer = setTimeout(
      () => ctl.abort(new Error(`info call timed out after ${this.#opts.infoTimeout ?? 5000}ms`)),
      this.#opts.infoTimeout ?? 5000,
    );
    try {
      e.info = await Promise.race([
        e.store.info(ctl.signal),
        new Promise<never>((_, reject) =>
          ctl.signal.addEventListener('abort', () => reject(ctl.signal.reason as Error)),
        ),
      ]);
      e.healthy = true;
      e.lastError = undefined;
      e.lastCheck = (this.#opts.now ?? Date.now)();
    } catch (err) {
      e.healthy = false;
      e.lastError = errorMessage(err);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The endpoints for the proxy: unhealthy ones keep their last info (or none, so they are always asked). */
  endpoints(): StoreEndpoint[] {
    return this.#entries.map((e) => ({ name: e.name, store: e.store, info: e.info }));
  }

  status(): EndpointStatus[] {
    return this.#entries.map((e) => ({
      name: e.name,
      info: e.info,
      healthy: e.healthy,
      lastError: e.lastError,
      lastCheck: e.lastCheck,
    }));
  }
}
