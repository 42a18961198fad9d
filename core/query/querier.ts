/**
 * @module core/query/querier — the querier (Thanos's Querier): every read a user makes — PromQL
 * selects through the engine, series, label names and label values — goes through here, with
 * replica deduplication and the partial-response strategy applied once, from the querier's
 * settings and the request's Thanos parameters (dedup, partial_response, replicaLabels[],
 * max_source_resolution).
 */
import type { SharedByteBudget } from '../promql/engine/limits.ts';
import { QueryTimeoutError, errorMessage } from '../errors.ts';
import { withoutReplicaLabels } from '../dedup/dedup-set.ts';
import { compareLabels, compareStrings, labelsHash, type Labels } from '../labels/labels.ts';
import type { Matcher } from '../labels/matcher.ts';
import { Engine } from '../promql/engine/engine.ts';
import { functionImpls } from '../promql/functions/table.ts';
import { parseExpr } from '../promql/parser/parse.ts';
import { ProxyStore, type StoreEndpoint } from '../storeapi/proxy.ts';
import { TenantStore } from '../storeapi/tenant-store.ts';
import type { StoreStats } from '../storeapi/stats.ts';
import {
  hasPrometheusApi,
  type LabelsResponse,
  type PartialResponseStrategy,
  type Store,
} from '../storeapi/store.ts';
import type { BatchDecoder } from './decoder.ts';
import type { EndpointSet } from './endpoint-set.ts';
import { StoreQueryable } from './store-queryable.ts';

export interface QuerierSettings {
  readonly endpoints: EndpointSet;
  readonly decoder: BatchDecoder;
  /** Default replica labels (env REPLICA_LABELS). */
  readonly replicaLabels: readonly string[];
  /** Default for `partial_response` (env PARTIAL_RESPONSE; Thanos's default is true). */
  readonly partialResponse: boolean;
  /** Query timeout, ms (Prometheus --query.timeout, 2m). */
  readonly queryTimeout: number;
  /** Prometheus --query.max-samples (50M). */
  readonly maxSamples: number;
  /** Series one query may load (0 = unlimited). */
  readonly maxSeries: number;
  /** Bytes of samples and intermediate results one query may hold (a Worker isolate has 128 MB). */
  readonly maxBytes: number;
  /** The byte budget all queries of this process share (a Worker isolate's 128 MB), if any. */
  readonly sharedBytes?: SharedByteBudget;
  /** Per-store time budget, ms (Thanos --store.response-timeout; 0 = none). */
  readonly storeResponseTimeout: number;
  readonly lookbackDelta: number;
  /** Step of subqueries without one (Thanos's --query.default-evaluation-interval, 1m). */
  readonly defaultEvaluationInterval?: number;
  /** Tenancy (Thanos's --query.tenant-*): who a request is for, and which label says it. */
  readonly tenancy?: TenancySettings;
}

export interface TenancySettings {
  /** Request header naming the tenant (--query.tenant-header, `THANOS-TENANT`). */
  readonly header: string;
  /** Series label naming the tenant (--query.tenant-label-name, `tenant_id`). */
  readonly label: string;
  /** Tenant of a request without the header when enforcing (--query.default-tenant-id). */
  readonly defaultTenant: string;
  /** --query.enforce-tenancy: a request without the header reads the default tenant only. */
  readonly enforce: boolean;
}

/** The Thanos parameters of one request, resolved against the querier's defaults. */
export interface ReadOptions {
  readonly dedup: boolean;
  readonly partialResponse: boolean;
  readonly replicaLabels: readonly string[];
  /** ms; 0 = raw only. */
  readonly maxSourceResolution: number;
  /** ms; overrides the settings' timeout when smaller. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
  /** Where the stores' cost reports are summed (`stats=all`). */
  readonly stats?: StoreStats;
  /** The only tenant whose series this read may see; absent: every series. */
  readonly tenant?: string;
  /** Thanos's `storeMatch[]`: the stores to ask (selectors OR-ed); absent: all. */
  readonly storeMatch?: readonly (readonly Matcher[])[];
  /** Per-request lookback delta, ms (Thanos's `lookback_delta`); absent: the querier's. */
  readonly lookbackDelta?: number;
}

/** A metadata read (series, label names, label values): selectors are OR-ed, as Prometheus's `match[]`. */
export interface MetadataQuery {
  readonly selectors: readonly (readonly Matcher[])[];
  readonly start: number;
  readonly end: number;
}

export interface SeriesResult {
  /** Sorted, unique, replica labels removed when deduplicating. */
  readonly series: readonly Labels[];
  readonly warnings: readonly string[];
}

/**
 * The tenant a request is for: its tenant header (an authenticating proxy, or our auth layer,
 * sets it), else the default tenant when tenancy is enforced, else none (every series). A present
 * header always scopes the read, enforced or not: naming a tenant never widens a view.
 */
export function requestTenant(
  headers: Headers,
  t: TenancySettings | undefined,
): string | undefined {
  const named = headers.get(t?.header ?? 'THANOS-TENANT')?.trim();
  if (named) return named;
  return t?.enforce ? t.defaultTenant : undefined;
}

/** Whether a store answers to one of the `storeMatch[]` selectors. */
function storeSelected(e: StoreEndpoint, selectors: readonly (readonly Matcher[])[]): boolean {
  const sets = e.info?.labelSets.length ? e.info.labelSets : [[]];
  return selectors.some((matchers) =>
    sets.some((ls) =>
      matchers.every((m) =>
        m.matches(
          m.name === '__address__' ? e.name : (ls.find((l) => l.name === m.name)?.value ?? ''),
        ),
      ),
    ),
  );
}

export class Querier {
  readonly settings: QuerierSettings;

  constructor(settings: QuerierSettings) {
    this.settings = settings;
  }

  /**
   * Every store this querier knows, as one Store: what our own StoreAPI serves. With a tenant,
   * that tenant's view of them; with `storeMatch` (Thanos's `storeMatch[]`), only the stores one
   * of whose label sets (with `__address__`, the store's name) satisfies one of the selectors.
   */
  proxy(tenant?: string, storeMatch?: readonly (readonly Matcher[])[]): Store {
    const endpoints = () => {
      const all = this.settings.endpoints.endpoints();
      return storeMatch?.length ? all.filter((e) => storeSelected(e, storeMatch)) : all;
    };
    const proxy = new ProxyStore(endpoints, {
      responseTimeout: this.settings.storeResponseTimeout,
    });
    if (tenant === undefined) return proxy;
    return new TenantStore(proxy, { label: this.settings.tenancy?.label ?? 'tenant_id', tenant });
  }

  /**
   * Makes the stores' infos current enough for this read: `storeMatch[]` chooses by them, so
   * it must not choose by none (an info is otherwise refreshed by /api/v1/stores).
   */
  async prepare(o: ReadOptions): Promise<void> {
    if (o.storeMatch?.length) await this.settings.endpoints.refresh();
  }

  #proxyFor(o: ReadOptions): Store {
    return this.proxy(o.tenant, o.storeMatch);
  }

  tenantOf(headers: Headers): string | undefined {
    return requestTenant(headers, this.settings.tenancy);
  }

  strategy(o: ReadOptions): PartialResponseStrategy {
    return o.partialResponse ? 'warn' : 'abort';
  }

  #replicaLabels(o: ReadOptions): ReadonlySet<string> {
    return new Set(o.dedup ? o.replicaLabels : []);
  }

  /** A PromQL engine over every store (or over `store`, e.g. a memoizing wrapper of the proxy). */
  engine(o: ReadOptions, store: Store = this.#proxyFor(o)): Engine {
    const s = this.settings;
    const queryable = new StoreQueryable(store, {
      decoder: s.decoder,
      replicaLabels: this.#replicaLabels(o),
      partialResponseStrategy: this.strategy(o),
      maxResolutionWindow: o.maxSourceResolution,
      // No raw-sample cap here: the engine counts samples as Prometheus does (those it holds
      // at once, after deduplication), and QUERY_MAX_BYTES bounds what the streamed read holds.
      ...(s.maxSeries ? { maxSeries: s.maxSeries } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.stats ? { stats: o.stats } : {}),
    });
    const timeout =
      o.timeout && o.timeout > 0 ? Math.min(o.timeout, s.queryTimeout) : s.queryTimeout;
    return new Engine(queryable, {
      functions: functionImpls,
      parse: parseExpr,
      lookbackDelta: o.lookbackDelta && o.lookbackDelta > 0 ? o.lookbackDelta : s.lookbackDelta,
      ...(s.defaultEvaluationInterval
        ? { noStepSubqueryInterval: s.defaultEvaluationInterval }
        : {}),
      maxSamples: s.maxSamples,
      ...(s.maxBytes ? { maxBytes: s.maxBytes } : {}),
      ...(s.sharedBytes ? { sharedBytes: s.sharedBytes } : {}),
      timeout,
    });
  }

  /** Label sets of the series matching any selector (Prometheus /api/v1/series). */
  series(q: MetadataQuery, o: ReadOptions): Promise<SeriesResult> {
    return this.#withDeadline(o, 'series', (b) => this.#series(q, b));
  }

  /** Label names (Prometheus /api/v1/labels); replica labels are hidden when deduplicating. */
  labelNames(q: MetadataQuery, o: ReadOptions): Promise<LabelsResponse> {
    return this.#withDeadline(o, 'label names', (b) => this.#labelNames(q, b));
  }

  /** Values of one label (Prometheus /api/v1/label/<name>/values). */
  labelValues(name: string, q: MetadataQuery, o: ReadOptions): Promise<LabelsResponse> {
    return this.#withDeadline(o, 'label values', (b) => this.#labelValues(name, q, b));
  }

  /** A read API of the Prometheus servers behind sidecar stores (see #prometheusApi). */
  prometheusApi(
    api: string,
    params: URLSearchParams,
    o: ReadOptions,
  ): Promise<{ answers: Array<{ data: unknown; external: Labels }>; warnings: string[] }> {
    return this.#withDeadline(o, api, (b) => this.#prometheusApi(api, params, b));
  }

  /**
   * Metadata reads end at the query timeout as queries do: a hung store cannot hold
   * /api/v1/labels forever. The stores see one signal, the client's or the deadline's.
   */
  async #withDeadline<T>(
    o: ReadOptions,
    what: string,
    run: (bounded: ReadOptions) => Promise<T>,
  ): Promise<T> {
    const s = this.settings;
    const ms = o.timeout && o.timeout > 0 ? Math.min(o.timeout, s.queryTimeout) : s.queryTimeout;
    if (!(ms > 0)) return run(o);
    const ac = new AbortController();
    const timer = setTimeout(
      () => ac.abort(new QueryTimeoutError(`query timed out in ${what}`)),
      ms,
    );
    const stop = () => ac.abort(o.signal?.reason);
    o.signal?.addEventListener('abort', stop, { once: true });
    try {
      return await run({ ...o, signal: ac.signal });
    } catch (err) {
      if (ac.signal.aborted && ac.signal.reason instanceof QueryTimeoutError)
        throw ac.signal.reason;
      throw err;
    } finally {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', stop);
    }
  }

  async #series(q: MetadataQuery, o: ReadOptions): Promise<SeriesResult> {
    await this.prepare(o);
    const replica = this.#replicaLabels(o);
    const proxy = this.#proxyFor(o);
    const seen = new Map<string, Labels>();
    const warnings: string[] = [];
    for (const matchers of q.selectors) {
      const frames = proxy.series(
        {
          minTime: q.start,
          maxTime: q.end,
          matchers,
          maxResolutionWindow: o.maxSourceResolution,
          aggregates: ['raw'],
          partialResponseStrategy: this.strategy(o),
          skipChunks: true,
        },
        o.signal,
      );
      for await (const f of frames) {
        if (f.type === 'warning') warnings.push(f.warning);
        else if (f.type === 'series') {
          const ls = withoutReplicaLabels(f.labels, replica);
          seen.set(labelsHash(ls), ls);
        }
      }
    }
    return { series: [...seen.values()].sort(compareLabels), warnings };
  }

  /**
   * A read API of every Prometheus behind a sidecar store (Thanos's Metadata, Targets and
   * Exemplars APIs): each answer with the external labels of the store that gave it. A failing
   * store is a warning, or the error without partial response.
   */
  async #prometheusApi(
    api: string,
    params: URLSearchParams,
    o: ReadOptions,
  ): Promise<{ answers: Array<{ data: unknown; external: Labels }>; warnings: string[] }> {
    await this.settings.endpoints.refresh();
    const sources = this.settings.endpoints
      .endpoints()
      .flatMap((e) =>
        e.info?.storeType === 'sidecar' && hasPrometheusApi(e.store)
          ? [{ name: e.name, source: e.store, external: e.info.labelSets[0] ?? [] }]
          : [],
      );
    const results = await Promise.allSettled(
      sources.map(async (s) => ({
        data: await s.source.prometheusApi(api, params, o.signal),
        external: s.external,
      })),
    );
    const answers: Array<{ data: unknown; external: Labels }> = [];
    const warnings: string[] = [];
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') answers.push(r.value);
      else if (!o.partialResponse) throw r.reason;
      else warnings.push(`${sources[i]!.name}: ${errorMessage(r.reason)}`);
    });
    return { answers, warnings };
  }

  async #labelNames(q: MetadataQuery, o: ReadOptions): Promise<LabelsResponse> {
    await this.prepare(o);
    const proxy = this.#proxyFor(o);
    const r = await this.#labels(q, o, (req) => proxy.labelNames(req, o.signal));
    const replica = this.#replicaLabels(o);
    return replica.size === 0 ? r : { ...r, values: r.values.filter((n) => !replica.has(n)) };
  }

  /** None for a hidden replica label. */
  async #labelValues(name: string, q: MetadataQuery, o: ReadOptions): Promise<LabelsResponse> {
    if (this.#replicaLabels(o).has(name)) return { values: [], warnings: [] };
    await this.prepare(o);
    const proxy = this.#proxyFor(o);
    return this.#labels(q, o, (req) => proxy.labelValues(name, req, o.signal));
  }

  async #labels(
    q: MetadataQuery,
    o: ReadOptions,
    call: (req: {
      start: number;
      end: number;
      matchers: readonly Matcher[];
      partialResponseStrategy: PartialResponseStrategy;
    }) => Promise<LabelsResponse>,
  ): Promise<LabelsResponse> {
    const all = new Set<string>();
    const warnings: string[] = [];
    for (const matchers of q.selectors.length ? q.selectors : [[]]) {
      const r = await call({
        start: q.start,
        end: q.end,
        matchers,
        partialResponseStrategy: this.strategy(o),
      });
      for (const v of r.values) all.add(v);
      warnings.push(...r.warnings);
    }
    return { values: [...all].sort(compareStrings), warnings };
  }
}
