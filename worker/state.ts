/**
 * @module worker/state — what an isolate keeps between requests: the store gateway (open blocks,
 * range caches) and the querier over it and the remote stores. Built on first use from env;
 * rebuilt only if the configuration changes.
 */
import type { Querier } from '../core/query/querier.ts';
import type { Env } from './env.ts';
import { querierFromEnv } from './querier.ts';
import { hasBucket, storeGatewayFromEnv, type StoreGateway } from './store-gateway.ts';

export interface WorkerState {
  /** Absent for a querier without a bucket (only remote stores, e.g. a querier of queriers). */
  readonly gateway: StoreGateway | undefined;
  readonly querier: Querier;
}

let current: { key: string; state: Promise<WorkerState> } | undefined;

function configKey(env: Env): string {
  const { BLOCKS: _binding, ...vars } = env as Env & Record<string, unknown>;
  return JSON.stringify(vars, Object.keys(vars).sort());
}

export function workerState(env: Env): Promise<WorkerState> {
  const key = configKey(env);
  if (!current || current.key !== key) current = { key, state: build(env) };
  return current.state;
}

async function build(env: Env): Promise<WorkerState> {
  const gateway = hasBucket(env) ? storeGatewayFromEnv(env) : undefined;
  const local = gateway
    ? [{ name: `bucket:${gateway.bucket.name}`, store: gateway.bucketStore }]
    : [];
  return { gateway, querier: await querierFromEnv(env, local) };
}
