/**
 * @module worker/store-shard — a store-gateway shard as a Durable Object: its own isolate, memory
 * and CPU, serving the StoreAPI over its share of the bucket's blocks (core/block/shard.ts). The
 * querier reaches shard i of n as the object named `store-shard-i-of-n`, and fans out to all of
 * them like to any store. Only this Worker can reach a Durable Object, so the routes ask for no
 * token.
 */
import { Hono } from 'hono';
import { apiErrorResponse } from '../core/api/error-response.ts';
import { jsonResponse, successJson } from '../core/api/prom-json.ts';
import { parseShardSpec, type ShardBy, type ShardSpec } from '../core/block/shard.ts';
import { BadDataError, StorageError } from '../core/errors.ts';
import type { HttpStore } from '../core/storeapi/http-client.ts';
import { storeApiRoutes } from '../core/storeapi/http-server.ts';
import { durableObjectFetch, durableObjectStore } from './durable-store.ts';
import { csv, type Env } from './env.ts';
import { gatewayFamilies } from './metrics.ts';
import { storeGatewayFromEnv, type StoreGateway } from './store-gateway.ts';

/** Request header naming the shard (`i/n`) a request is for. */
export const SHARD_HEADER = 'x-thanos-edge-shard';
const SHARD_BY_HEADER = 'x-thanos-edge-shard-by';

type ShardEnv = { Bindings: Env; Variables: { gateway: StoreGateway } };

export class StoreShard implements DurableObject {
  readonly #env: Env;
  /** One object serves one shard (its name says which), set by its first request. */
  #gateway: StoreGateway | undefined;
  readonly #app: Hono<ShardEnv>;

  constructor(_state: DurableObjectState, env: Env) {
    this.#env = env;
    this.#app = this.#routes();
  }

  fetch(request: Request): Response | Promise<Response> {
    return this.#app.fetch(request, this.#env);
  }

  #gatewayFor(spec: ShardSpec): StoreGateway {
    this.#gateway ??= storeGatewayFromEnv(this.#env, spec);
    const s = this.#gateway.shard!;
    if (s.index !== spec.index || s.count !== spec.count || s.by !== spec.by) {
      throw new BadDataError(
        `store shard ${s.index}/${s.count} (${s.by}) asked to serve ${spec.index}/${spec.count} (${spec.by})`,
      );
    }
    return this.#gateway;
  }

  #routes(): Hono<ShardEnv> {
    const app = new Hono<ShardEnv>();
    app.use('*', async (c, next) => {
      const by = (c.req.header(SHARD_BY_HEADER) ?? 'block') as ShardBy;
      const spec = parseShardSpec(c.req.header(SHARD_HEADER), by === 'day' ? 'day' : 'block');
      if (!spec) throw new BadDataError(`store shard: missing or malformed ${SHARD_HEADER}`);
      if (csv(c.env.STORE_SHARD_FAIL).includes(String(spec.index))) {
        throw new StorageError(
          `store shard ${spec.index}/${spec.count}: failing (STORE_SHARD_FAIL)`,
        );
      }
      c.set('gateway', this.#gatewayFor(spec));
      await next();
    });
    app.route(
      '/',
      storeApiRoutes<Env>({
        // Set by the middleware above before any StoreAPI route runs.
        store: () => this.#gateway!.bucketStore,
        token: () => undefined,
        requireToken: false,
      }),
    );
    app.get('/shard/blocks', async (c) => {
      const { metas, skipped } = await c.var.gateway.bucketStore.served();
      return jsonResponse(successJson(JSON.stringify({ blocks: metas, skipped })));
    });
    app.get('/shard/ready', async (c) => {
      await c.var.gateway.bucketStore.sync();
      return c.text('ready\n');
    });
    app.get('/shard/metrics', (c) =>
      c.json(gatewayFamilies(c.var.gateway, { shard: `${c.var.gateway.shard!.index}` })),
    );
    app.onError((err) => apiErrorResponse(err));
    return app;
  }
}

/** The Durable Object name of a shard. */
function shardName(spec: ShardSpec): string {
  return `store-shard-${spec.index}-of-${spec.count}-${spec.by}`;
}

/** The querier's view of one shard: a StoreAPI client whose fetch goes to the Durable Object. */
export function shardStore(ns: DurableObjectNamespace, spec: ShardSpec): HttpStore {
  return durableObjectStore(ns, shardName(spec), shardHeaders(spec));
}

function shardHeaders(spec: ShardSpec): Record<string, string> {
  return { [SHARD_HEADER]: `${spec.index}/${spec.count}`, [SHARD_BY_HEADER]: spec.by };
}

/** GETs a shard-internal route (blocks, metrics, ready) on one shard. */
export function shardGet(
  ns: DurableObjectNamespace,
  spec: ShardSpec,
  path: string,
): Promise<Response> {
  return durableObjectFetch(ns, shardName(spec), path, { headers: shardHeaders(spec) });
}
