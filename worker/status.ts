/**
 * @module worker/status — what `/api/v1/status/{flags,runtimeinfo,config}` report about this
 * Worker: its settings under the Thanos querier flag names they stand for, the isolate's start
 * and last configuration, and the effective configuration as YAML. Never a secret: tokens, keys
 * and credentials in store URLs are left out.
 */
import { parseStoreUrl } from '../core/storeapi/store-url.ts';
import { csv, tenancyVars, type Env } from './env.ts';
import { tenantLimitSettings } from './limits.ts';

const STARTED = new Date().toISOString();

/** Our settings as Thanos's querier flags (values as strings, as Prometheus's flags API gives them). */
export function workerFlags(env: Env): Record<string, string> {
  const t = tenancyVars(env);
  const limits = tenantLimitSettings(env);
  return {
    store: csv(env.STORES)
      .map((s) => parseStoreUrl(s).base)
      .join(','),
    'query.replica-label': csv(env.REPLICA_LABELS, [
      'replica',
      'prometheus_replica',
      'receive',
    ]).join(','),
    'query.partial-response': String((env.PARTIAL_RESPONSE ?? 'true') !== 'false'),
    'query.timeout': env.QUERY_TIMEOUT ?? '2m',
    'query.max-samples': env.QUERY_MAX_SAMPLES ?? '5000000',
    'query.lookback-delta': env.QUERY_LOOKBACK_DELTA ?? '5m',
    'query.default-evaluation-interval': env.QUERY_DEFAULT_EVALUATION_INTERVAL ?? '1m',
    'query.max-concurrent': String(limits.maxConcurrent),
    'query.tenant-header': t.header,
    'query.tenant-label-name': t.label,
    'query.default-tenant-id': t.defaultTenant,
    'query.enforce-tenancy': String(t.enforce),
    'store.response-timeout': env.STORE_RESPONSE_TIMEOUT ?? '0s',
    'web.cors.origin': env.WEB_CORS_ORIGIN ?? '.*',
    'log.level': env.LOG_LEVEL ?? 'info',
    'log.format': 'logfmt',
    'query-frontend.enabled': String(env.QUERY_FRONTEND !== 'false'),
    'query-range.split-interval': env.QUERY_SPLIT_INTERVAL ?? '24h',
    'query-range.max-retries-per-request': env.QUERY_MAX_RETRIES ?? '5',
    'objstore.bucket': env.S3_ENDPOINT
      ? `${env.S3_ENDPOINT} ${env.S3_BUCKET ?? ''}`.trim()
      : 'r2:BLOCKS',
    'auth.enabled': String(
      Boolean(env.AUTH_TOKENS || env.CF_ACCESS_AUD) || env.AUTH_DISABLED !== 'true',
    ),
  };
}

/** Prometheus's runtimeinfo fields, for an isolate. */
export function runtimeInfo(): Record<string, unknown> {
  return {
    startTime: STARTED,
    CWD: '/',
    reloadConfigSuccess: true,
    lastConfigTime: STARTED,
    corruptionCount: 0,
    goroutineCount: 0,
    GOMAXPROCS: 1,
    GOGC: '',
    GODEBUG: '',
    storageRetention: 'the bucket (compactor retention)',
  };
}

/** The effective configuration as YAML (what `/api/v1/status/config` shows as `yaml`). */
export function configYaml(env: Env): string {
  const lines = ['# thanos-edge Worker: effective settings (secrets left out)'];
  for (const [k, v] of Object.entries(workerFlags(env))) lines.push(`${k}: ${JSON.stringify(v)}`);
  return `${lines.join('\n')}\n`;
}
