/**
 * @module worker/state — what an isolate keeps between requests: the querier, and either the
 * store gateway in this isolate or the store shards (Durable Objects) it fans out to. Built on
 * first use from env; rebuilt only if the configuration changes.
 */
import type { ShardBy, ShardSpec } from '../core/block/shard.ts';
import { isUlid } from '../core/tsdb/meta.ts';
import type { Querier } from '../core/query/querier.ts';
import type { Store } from '../core/storeapi/store.ts';
import type { Env } from './env.ts';
import { bucketFromEnv } from './objstore.ts';
import { querierFromEnv } from './querier.ts';
import { hasBucket, storeGatewayFromEnv, type StoreGateway } from './store-gateway.ts';
import { shardStore } from './store-shard.ts';
import { receiveShardStore } from './receive.ts';
import { receiveSettings } from './receive-settings.ts';

export interface WorkerState {
  /** The store gateway in this isolate (no shards), if there is a bucket. */
  readonly gateway: StoreGateway | undefined;
  /** The store shards, when the bucket is served by Durable Objects. */
  readonly shards: readonly ShardSpec[];
  readonly querier: Querier;
}

/** Blocks per shard `STORE_SHARDS=auto` aims for, and the most shards it makes. */
const BLOCKS_PER_SHARD = 128;
const MAX_AUTO_SHARDS = 16;

/** The built state for a configuration; a build in flight is shared only within its request. */
let current: { key: string; state: WorkerState } | undefined;
let building: { key: string; owner: object; state: Promise<WorkerState> } | undefined;

function configKey(env: Env): string {
  const {
    BLOCKS: _b,
    STORE_SHARD: _s,
    RECEIVE_SHARD: _r,
    ...vars
  } = env as Env & Record<string, unknown>;
  return JSON.stringify(vars, Object.keys(vars).sort());
}

/**
 * The isolate's state for this env. Building it may list the bucket (STORE_SHARDS=auto); that I/O
 * belongs to the request that started it and dies with it, so other requests only share a build
 * once it has finished, and otherwise build their own. A failed build is retried next time.
 */
export async function workerState(env: Env, owner: object = {}): Promise<WorkerState> {
  const key = configKey(env);
  if (current?.key === key) return current.state;
  if (building?.key === key && building.owner === owner) return building.state;
  const state = build(env);
  building = { key, owner, state };
  try {
    const built = await state;
    if (current?.key !== key) current = { key, state: built };
    return current.state;
  } finally {
    if (building?.state === state) building = undefined;
  }
}

async function build(env: Env): Promise<WorkerState> {
  const local: Array<{ name: string; store: Store }> = [];
  let gateway: StoreGateway | undefined;
  const shards: ShardSpec[] = [];
  if (hasBucket(env)) {
    const count = env.STORE_SHARD ? await shardCount(env) : 0;
    const by: ShardBy = env.STORE_SHARD_BY === 'day' ? 'day' : 'block';
    for (let index = 0; index < count; index++) {
      const spec = { index, count, by };
      shards.push(spec);
      local.push({
        name: `store-shard ${index}/${count}`,
        store: shardStore(env.STORE_SHARD!, spec),
      });
    }
    if (count === 0) {
      gateway = storeGatewayFromEnv(env);
      local.push({ name: `bucket:${gateway.bucket.name}`, store: gateway.bucketStore });
    }
  }
  if (env.RECEIVE_SHARD) {
    // The heads of remote-written series: recent data, until their blocks are in the bucket.
    const n = receiveSettings(env).shards;
    for (let i = 0; i < n; i++) {
      local.push({
        name: `receive-shard ${i}/${n}`,
        store: receiveShardStore(env.RECEIVE_SHARD, i, n),
      });
    }
  }
  return { gateway, shards, querier: await querierFromEnv(env, local) };
}

/** `STORE_SHARDS`: a number, 0 for none, or `auto` (default) from the bucket's block count. */
async function shardCount(env: Env): Promise<number> {
  const v = (env.STORE_SHARDS ?? 'auto').trim();
  if (v !== 'auto') {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 1024) {
      throw new Error(`STORE_SHARDS=${JSON.stringify(v)}: want a count from 0 to 1024, or auto`);
    }
    return n;
  }
  let blocks = 0;
  for await (const entry of bucketFromEnv(env).iter('')) {
    if (isUlid(entry.replace(/\/$/, ''))) blocks++;
  }
  return Math.min(MAX_AUTO_SHARDS, Math.max(1, Math.ceil(blocks / BLOCKS_PER_SHARD)));
}
