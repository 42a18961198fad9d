/**
 * @module worker/query/querier — everything one query needs, built per request from the
 * querier's settings and the request's Thanos parameters (dedup, partial_response,
 * replicaLabels[], max_source_resolution): the proxy over all stores, deduplicating reader, engine.
 */
import { ThanosEdgeError, errorMessage, type ErrorKind } from '../../core/errors.ts';
import { Engine } from '../../core/promql/engine/engine.ts';
import { functionImpls } from '../../core/promql/functions/table.ts';
import { parseExpr } from '../../core/promql/parser/parse.ts';
import type { BatchDecoder } from '../../core/query/decoder.ts';
import type { EndpointSet } from '../../core/query/endpoint-set.ts';
import { StoreQueryable } from '../../core/query/store-queryable.ts';
import { ProxyStore } from '../../core/storeapi/proxy.ts';
import type { PartialResponseStrategy } from '../../core/storeapi/store.ts';

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
  /** Per-store time budget, ms (Thanos --store.response-timeout; 0 = none). */
  readonly storeResponseTimeout: number;
  readonly lookbackDelta: number;
}

export interface QueryRequestOptions {
  readonly dedup: boolean;
  readonly partialResponse: boolean;
  readonly replicaLabels: readonly string[];
  /** ms; 0 = raw only. */
  readonly maxSourceResolution: number;
  /** ms; overrides the settings' timeout when smaller. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

export class Querier {
  readonly settings: QuerierSettings;

  constructor(settings: QuerierSettings) {
    this.settings = settings;
  }

  proxy(): ProxyStore {
    return new ProxyStore(() => this.settings.endpoints.endpoints(), {
      responseTimeout: this.settings.storeResponseTimeout,
    });
  }

  strategy(o: QueryRequestOptions): PartialResponseStrategy {
    return o.partialResponse ? 'warn' : 'abort';
  }

  engine(o: QueryRequestOptions): Engine {
    const s = this.settings;
    const queryable = new StoreQueryable(this.proxy(), {
      decoder: s.decoder,
      replicaLabels: new Set(o.dedup ? o.replicaLabels : []),
      partialResponseStrategy: this.strategy(o),
      maxResolutionWindow: o.maxSourceResolution,
      ...(s.maxSamples ? { maxSamples: s.maxSamples } : {}),
      ...(s.maxSeries ? { maxSeries: s.maxSeries } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    const timeout =
      o.timeout && o.timeout > 0 ? Math.min(o.timeout, s.queryTimeout) : s.queryTimeout;
    return new Engine(queryable, {
      functions: functionImpls,
      parse: parseExpr,
      lookbackDelta: s.lookbackDelta,
      maxSamples: s.maxSamples,
      ...(s.maxBytes ? { maxBytes: s.maxBytes } : {}),
      timeout,
    });
  }
}

/**
 * Errors while a query runs, as Prometheus's returnAPIError maps them: timeouts and cancels keep
 * their kind, storage failures are internal, anything else in evaluation is `execution` (422).
 */
export function execErrorKind(err: unknown): ErrorKind {
  if (!(err instanceof ThanosEdgeError)) return 'execution';
  switch (err.kind) {
    case 'timeout':
    case 'canceled':
      return err.kind;
    case 'internal':
    case 'unavailable':
      return 'internal';
    default:
      return 'execution';
  }
}

export class ExecFailure extends ThanosEdgeError {
  override readonly name = 'ExecFailure';
  readonly kind: ErrorKind;
  constructor(cause: unknown) {
    super(errorMessage(cause), { cause });
    this.kind = execErrorKind(cause);
  }
}
