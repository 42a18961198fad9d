/** @module worker/env — the Worker's bindings, vars and secrets (wrangler.toml, `wrangler secret`). */
import type { ReceiveShard } from './receive-shard.ts';
import { parseDurationParam } from '../core/api/params.ts';
import { parseBytes } from '../core/gocompat/bytes.ts';
import { BadDataError } from '../core/errors.ts';
import { compareStrings, type Label, type Labels } from '../core/labels/labels.ts';
import type { R2BucketLike } from '../core/objstore/r2.ts';
import type { TenancySettings } from '../core/query/querier.ts';

export interface Env {
  /** Block bucket as an R2 binding (used unless S3_ENDPOINT is set). */
  readonly BLOCKS?: R2BucketLike;
  /** Any S3 API instead of the binding. */
  readonly S3_ENDPOINT?: string;
  readonly S3_BUCKET?: string;
  readonly S3_REGION?: string;
  readonly S3_ACCESS_KEY_ID?: string;
  readonly S3_SECRET_ACCESS_KEY?: string;
  /**
   * Every block key lives under this directory of the bucket, R2 binding or S3 alike (Thanos
   * objstore config's `prefix`). `BUCKET_PREFIX` is read when this is unset.
   */
  readonly S3_PREFIX?: string;
  /** Remote StoreAPI endpoints, comma-separated base URLs (sidecar agents, other queriers). */
  readonly STORES?: string;
  /** Log level of the Worker's logfmt lines: debug, info (default), warn, error. */
  /**
   * Who gzips answers for clients that take gzip: `worker` (default; the WASM encoder,
   * worker/compress.ts) or `edge` (left to Cloudflare's edge, or Miniflare's emulation of it).
   */
  readonly RESPONSE_COMPRESSION?: string;
  readonly LOG_LEVEL?: string;
  /** Queries slower than this are logged with their text and counted (default 5s). */
  readonly QUERY_SLOW_THRESHOLD?: string;
  /** CORS: origins (anchored RE2 regex) the API answers cross-origin (Prometheus's --web.cors.origin, `.*`). */
  readonly WEB_CORS_ORIGIN?: string;
  /**
   * Secret: who may read. Comma-separated `token` (an admin: every tenant) or `tenant:token`
   * entries, sent as `Authorization: Bearer <token>` or as an HTTP Basic password (worker/auth.ts).
   */
  readonly AUTH_TOKENS?: string;
  /** `true` opens every read route when no credentials are configured (a loopback stack only). */
  readonly AUTH_DISABLED?: string;
  /** `true` lets `/-/ready` answer without credentials (`/-/healthy` always does). */
  readonly AUTH_PUBLIC_READY?: string;
  /** Cloudflare Access: the team domain (`myteam.cloudflareaccess.com`) and application AUD tag. */
  readonly CF_ACCESS_TEAM_DOMAIN?: string;
  readonly CF_ACCESS_AUD?: string;
  /** An Access JWT claim whose value is the identity's tenant (absent: the identity is an admin). */
  readonly CF_ACCESS_TENANT_CLAIM?: string;
  /** The query UI's static assets (wrangler.toml [assets]); served after authentication. */
  readonly ASSETS?: Fetcher;
  /** Bearer token our StoreAPI requires and that we send to remote stores. */
  readonly STORE_TOKEN?: string;
  /** Bearer token sent to `STORES` endpoints whose URL carries none of its own (a secret). */
  readonly STORES_TOKEN?: string;
  /** Default replica labels for deduplication (comma-separated). */
  readonly REPLICA_LABELS?: string;
  /** Default partial-response behaviour: "true" (Thanos's default) or "false". */
  readonly PARTIAL_RESPONSE?: string;
  /** Durations as Prometheus durations or seconds. */
  readonly QUERY_TIMEOUT?: string;
  readonly QUERY_MAX_SAMPLES?: string;
  readonly QUERY_MAX_SERIES?: string;
  readonly QUERY_MAX_BYTES?: string;
  readonly QUERY_ISOLATE_MAX_BYTES?: string;
  /** Bytes of a query's text (default 128KiB); larger queries are refused with bad_data. */
  readonly QUERY_MAX_LENGTH?: string;
  /** Nesting depth of a parsed query (default 50000); deeper queries are refused with bad_data. */
  readonly QUERY_MAX_DEPTH?: string;
  readonly QUERY_LOOKBACK_DELTA?: string;
  /** Step of subqueries that name none (Thanos's --query.default-evaluation-interval, 1m). */
  readonly QUERY_DEFAULT_EVALUATION_INTERVAL?: string;
  readonly STORE_RESPONSE_TIMEOUT?: string;
  /**
   * Tenancy of reads (Thanos's --query.tenant-header, --query.tenant-label-name,
   * --query.default-tenant-id, --query.enforce-tenancy): a request naming a tenant in the header
   * sees only series whose label is that tenant; enforcing, a request without it reads the default
   * tenant. Header, label and default fall back to the RECEIVE_TENANT_* vars, then Thanos's.
   */
  readonly QUERY_TENANT_HEADER?: string;
  readonly QUERY_TENANT_LABEL?: string;
  readonly QUERY_DEFAULT_TENANT?: string;
  readonly QUERY_ENFORCE_TENANCY?: string;
  /** Queries one tenant runs at once per isolate (20, Prometheus's --query.max-concurrency). */
  readonly QUERY_MAX_CONCURRENCY?: string;
  /** Queries one tenant may have waiting for a slot (100); more get 429. */
  readonly QUERY_MAX_QUEUED?: string;
  /** API requests per second one tenant may make per isolate (0: no limit), and the burst (2x). */
  readonly TENANT_REQUEST_RATE?: string;
  readonly TENANT_REQUEST_BURST?: string;
  /** Bucket re-list interval for the store gateway. */
  readonly SYNC_INTERVAL?: string;
  /** Thanos's --ignore-deletion-marks-delay: blocks marked longer ago are not served (24h). */
  readonly IGNORE_DELETION_MARKS_DELAY?: string;
  /** Store-gateway shards (Durable Objects); without the binding the Worker is one isolate. */
  readonly STORE_SHARD?: DurableObjectNamespace;
  /** Shard count: a number, `0` (no shards), or `auto` (default: one per 128 blocks, up to 16). */
  readonly STORE_SHARDS?: string;
  /** Shard key: `block` (hash of the ULID, default) or `day` (one day's blocks together). */
  readonly STORE_SHARD_BY?: string;
  /** Block bytes a store gateway keeps in isolate memory, in front of the Cache API (32MiB; 0: none). */
  readonly STORE_MEMORY_CACHE?: string;
  /** Quiet time after a store's last read before its ranges are written to the Cache API. */
  readonly STORE_CACHE_WRITE_DELAY?: string;
  /** Bytes of decoded index answers a store keeps across requests (default 8MiB, 0 = none). */
  readonly STORE_SELECTION_MEMO?: string;
  /** `false` turns the bucket index off (thanos-edge-bucket-index/: metas and packed index headers). */
  readonly STORE_BUCKET_INDEX?: string;
  /** Bytes of chunks one store request may hold in flight across its blocks (default 16MiB). */
  readonly STORE_CHUNK_BUDGET?: string;
  /**
   * FAULT INJECTION for tests: shard indexes (comma-separated) that answer every request with
   * 503, to show a failed shard becomes a warning. Never set it in production.
   */
  readonly STORE_SHARD_FAIL?: string;
  /** Query frontend: `false` sends every request straight to the querier (default on). */
  readonly QUERY_FRONTEND?: string;
  /** Range queries are split at multiples of this (default 24h; 0: no split). */
  readonly QUERY_SPLIT_INTERVAL?: string;
  /** Steps newer than now minus this are never cached (default 1m). */
  readonly QUERY_MAX_FRESHNESS?: string;
  /** Retries of a 5xx answer per split (default 5, Thanos's). */
  readonly QUERY_MAX_RETRIES?: string;
  /** `cache-api` (default) or `none`: where the frontend keeps results. */
  readonly QUERY_RESULTS_CACHE?: string;
  /** Bytes of the results cache an isolate keeps in memory in front of the Cache API (16MiB; 0: none). */
  readonly QUERY_RESULTS_CACHE_MEMORY?: string;
  /** Store-gateway limits per request (Thanos --store.limits.request-series / -samples). */
  readonly STORE_MAX_SERIES?: string;
  readonly STORE_MAX_SAMPLES?: string;
  /** Receive shards (Durable Objects) holding the heads of remote-written series. */
  readonly RECEIVE_SHARD?: DurableObjectNamespace<ReceiveShard>;
  /** How many receive shards the ring spreads series over (default 1). */
  readonly RECEIVE_SHARDS?: string;
  /** Head block duration (default 2h; shorter only for tests). */
  readonly RECEIVE_BLOCK_DURATION?: string;
  /** Tenant header (THANOS-TENANT), default tenant (default-tenant), tenant label (tenant_id). */
  readonly RECEIVE_TENANT_HEADER?: string;
  readonly RECEIVE_DEFAULT_TENANT?: string;
  readonly RECEIVE_TENANT_LABEL?: string;
  /** Extra external labels of received data, `name=value,...` (Thanos's --label). */
  readonly RECEIVE_LABELS?: string;
  /** Series one tenant may have per receive shard (0: no limit). */
  readonly RECEIVE_MAX_SERIES_PER_TENANT?: string;
  /** Largest remote-write body accepted (default 16MiB, compressed). */
  readonly RECEIVE_MAX_REQUEST_BYTES?: string;
  /** Bearer token remote-write senders must send (default: STORE_TOKEN). */
  readonly RECEIVE_TOKEN?: string;
  /** The ruler (a Durable Object evaluating the bucket's `rules/*.yml`); unbound: no ruler. */
  readonly RULER?: DurableObjectNamespace;
  /** Default group interval (1m) and how often rule files are read again (1m). */
  readonly RULE_EVALUATION_INTERVAL?: string;
  readonly RULE_RELOAD_INTERVAL?: string;
  /** `for` restore after a restart: grace period (10m) and outage tolerance (1h), as Prometheus's flags. */
  readonly RULE_FOR_GRACE_PERIOD?: string;
  readonly RULE_FOR_OUTAGE_TOLERANCE?: string;
  /**
   * The directory Prometheus had the rule files in: a group's file becomes `<root>/<key under
   * rules/>`, so evaluation times (aligned by a hash of the file name) match Prometheus's.
   */
  readonly RULE_FILE_ROOT?: string;
  /** The ruler's external labels, `name=value,...` (Thanos Rule's --label). */
  readonly RULER_LABELS?: string;
  /** URL alerts link back to (--web.external-url). */
  readonly RULER_EXTERNAL_URL?: string;
  /** Tenant rule results are written as (default: RECEIVE_DEFAULT_TENANT). */
  readonly RULER_TENANT?: string;
  /** Alertmanager base URLs, comma-separated (user:password@ for basic auth). */
  readonly ALERTMANAGER_URLS?: string;
  readonly ALERTMANAGER_BEARER_TOKEN?: string;
}

export function csv(v: string | undefined, fallback: readonly string[] = []): string[] {
  if (v === undefined) return [...fallback];
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A `name=value,name=value` var (Thanos's `--label` values) as sorted labels. */
export function labelListVar(name: string, v: string | undefined): Labels {
  const out: Label[] = [];
  for (const part of csv(v)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new BadDataError(`${name}: want name=value, got ${JSON.stringify(part)}`);
    out.push({
      name: part.slice(0, eq).trim(),
      value: part
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1'),
    });
  }
  return out.sort((a, b) => compareStrings(a.name, b.name));
}

/** The querier's tenancy settings (QUERY_TENANT_*, falling back to RECEIVE_TENANT_*). */
export function tenancyVars(env: Env): TenancySettings {
  return {
    header: env.QUERY_TENANT_HEADER || env.RECEIVE_TENANT_HEADER || 'THANOS-TENANT',
    label: env.QUERY_TENANT_LABEL || env.RECEIVE_TENANT_LABEL || 'tenant_id',
    defaultTenant: env.QUERY_DEFAULT_TENANT || env.RECEIVE_DEFAULT_TENANT || 'default-tenant',
    enforce: env.QUERY_ENFORCE_TENANCY === 'true',
  };
}

/** A numeric var, or `fallback` when unset, empty or not a number. */
export function numberVar(v: string | undefined, fallback: number): number {
  return v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : fallback;
}

/** A duration var (Prometheus duration or seconds) in ms, or `fallback` when unset. */
/** How often a store gateway re-lists the bucket unless SYNC_INTERVAL says otherwise. */
export const DEFAULT_SYNC_INTERVAL = 60_000;

export function durationVar(v: string | undefined, fallback: number): number {
  return v ? parseDurationParam(v) : fallback;
}

/** A byte size var (`64MiB`, `512KB`, a number), or `fallback` when unset. */
export function bytesVar(v: string | undefined, fallback: number): number {
  return v ? parseBytes(v) : fallback;
}
