/** @module worker/receive-settings — the receiver's vars (wrangler.toml) parsed once, with Thanos's defaults. */
import { compareStrings, type Labels } from '../core/labels/labels.ts';
import {
  DEFAULT_SYNC_INTERVAL,
  bytesVar,
  durationVar,
  labelListVar,
  numberVar,
  type Env,
} from './env.ts';

export interface ReceiveSettings {
  /** Receive shards (RECEIVE_SHARDS); 0 turns the receiver off, so no query asks a head. */
  readonly shards: number;
  readonly blockDuration: number;
  /** How often a shard with data checks for a range to cut. */
  readonly cutCheckInterval: number;
  /**
   * How long a cut range stays in the head for readers after its block is uploaded: until every
   * store gateway has re-listed the bucket (two SYNC_INTERVALs), so no query finds it in neither.
   */
  readonly keepCutFor: number;
  readonly tenantHeader: string;
  readonly defaultTenant: string;
  readonly tenantLabel: string;
  /** Extra external labels of every tenant's data (RECEIVE_LABELS, `k=v,k=v`). */
  readonly labels: Labels;
  readonly maxSeriesPerTenant: number;
  /** Largest compressed body, and largest after snappy. */
  readonly maxRequestBytes: number;
  readonly maxDecodedBytes: number;
}

const TWO_HOURS = 2 * 60 * 60 * 1000;

export function receiveSettings(env: Env): ReceiveSettings {
  const blockDuration = durationVar(env.RECEIVE_BLOCK_DURATION, TWO_HOURS);
  return {
    shards: Math.max(0, Math.floor(numberVar(env.RECEIVE_SHARDS, 1))),
    blockDuration,
    cutCheckInterval: Math.min(60_000, Math.max(1000, blockDuration / 8)),
    keepCutFor: 2 * durationVar(env.SYNC_INTERVAL, DEFAULT_SYNC_INTERVAL),
    tenantHeader: env.RECEIVE_TENANT_HEADER ?? 'THANOS-TENANT',
    defaultTenant: env.RECEIVE_DEFAULT_TENANT ?? 'default-tenant',
    tenantLabel: env.RECEIVE_TENANT_LABEL ?? 'tenant_id',
    labels: labelListVar('RECEIVE_LABELS', env.RECEIVE_LABELS),
    maxSeriesPerTenant: numberVar(env.RECEIVE_MAX_SERIES_PER_TENANT, 0),
    maxRequestBytes: bytesVar(env.RECEIVE_MAX_REQUEST_BYTES, 16 * 1024 * 1024),
    maxDecodedBytes: 64 * 1024 * 1024,
  };
}

/** A tenant's external labels on shard `shard`: RECEIVE_LABELS, `receive`, and the tenant label. */
export function tenantExternalLabels(s: ReceiveSettings, shard: string, tenant: string): Labels {
  const byName = new Map<string, string>();
  for (const l of s.labels) byName.set(l.name, l.value);
  byName.set('receive', shard);
  byName.set(s.tenantLabel, tenant);
  return [...byName]
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => compareStrings(a.name, b.name));
}
