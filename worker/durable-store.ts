/**
 * @module worker/durable-store — the querier's view of a store that lives in a Durable Object
 * (store-gateway shard, receive shard): a StoreAPI client whose fetch goes to the object's stub.
 */
import { HttpStore } from '../core/storeapi/http-client.ts';

/** A made-up origin: Durable Object stubs route by object, not by host. */
export const DURABLE_ORIGIN = 'https://durable-object.internal';

/** A StoreAPI client for the object `name`, sending `headers` with every request. */
export function durableObjectStore<T extends Rpc.DurableObjectBranded | undefined>(
  ns: DurableObjectNamespace<T>,
  name: string,
  headers: Record<string, string>,
): HttpStore {
  return new HttpStore(DURABLE_ORIGIN, {
    fetch: (input, init) => {
      // A stub is an I/O object of the request that made it: one per call.
      const stub = ns.get(ns.idFromName(name));
      const h = new Headers(init?.headers);
      for (const [k, v] of Object.entries(headers)) h.set(k, v);
      return stub.fetch(String(input), { ...init, headers: h });
    },
  });
}

/** Sends one request to the object `name`. */
export function durableObjectFetch<T extends Rpc.DurableObjectBranded | undefined>(
  ns: DurableObjectNamespace<T>,
  name: string,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  return ns.get(ns.idFromName(name)).fetch(`${DURABLE_ORIGIN}${path}`, init);
}
