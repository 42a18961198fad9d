/**
 * @module worker/receive — Thanos Receive's door: `POST /api/v1/receive` (and `/api/v1/write`),
 * Prometheus remote write 1.0. The body is snappy-decoded, its series spread over the receive
 * shards by the hash ring (bytes copied, never re-encoded), and each shard's part appended to its
 * head and logged before it answers. The sender's contract: 2xx only once every part is durable;
 * 400 for what a retry cannot fix (bad snappy or protobuf, invalid labels, out-of-order, duplicate
 * or too-old samples), with a message naming the series; 429 and 5xx only for what a retry can fix.
 */
import { Hono } from 'hono';
import { requestPrincipal, TENANT_RE } from '../core/auth/principal.ts';
import { BadDataError, errorMessage } from '../core/errors.ts';
import { shardOfHash, tenantSeed } from '../core/receive/hashring.ts';
import { combineShardAnswers } from '../core/receive/shard-answers.ts';
import { scanSeriesSpans } from '../core/receive/write-request.ts';
import { durableObjectFetch, durableObjectStore } from './durable-store.ts';
import type { Env } from './env.ts';
import type { HttpStore } from '../core/storeapi/http-client.ts';
import {
  decodeSenderBody,
  RECEIVE_SHARD_HEADER,
  type ReceiveShard,
  type WriteBodyEncoding,
} from './receive-shard.ts';
import { receiveSettings, type ReceiveSettings } from './receive-settings.ts';
import { byteChunks } from '../core/byte-stream.ts';
import { readLimitedBody } from '../core/limited-body.ts';

/** A write body over RECEIVE_MAX_REQUEST_BYTES (answered 413, as Thanos's receiver does). */
class BodyTooLarge extends Error {
  constructor(readonly bytes: number) {
    super(`request body of ${bytes} bytes`);
  }
}

/** The Durable Object name of receive shard i (independent of the count: a shard keeps its head). */
export function receiveShardName(index: number): string {
  return `receive-shard-${index}`;
}

/** The querier's StoreAPI client for receive shard i of n. */
export function receiveShardStore(
  ns: DurableObjectNamespace<ReceiveShard>,
  index: number,
  count: number,
): HttpStore {
  return durableObjectStore(ns, receiveShardName(index), {
    [RECEIVE_SHARD_HEADER]: `${index}/${count}`,
  });
}

/** Calls a shard-internal route on every receive shard. */
export function eachReceiveShard(env: Env, path: string, method = 'GET'): Promise<Response[]> {
  if (!env.RECEIVE_SHARD) return Promise.resolve([]);
  const n = receiveSettings(env).shards;
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      durableObjectFetch(env.RECEIVE_SHARD!, receiveShardName(i), path, {
        method,
        headers: { [RECEIVE_SHARD_HEADER]: `${i}/${n}` },
      }),
    ),
  );
}

/** Why remote write is refused as not enabled, if it is: no binding, or RECEIVE_SHARDS=0. */
function receiverOff(env: Env, s: ReceiveSettings): string | undefined {
  if (!env.RECEIVE_SHARD) return 'remote write is not enabled: no RECEIVE_SHARD binding';
  if (s.shards === 0) return 'remote write is not enabled: RECEIVE_SHARDS=0';
  return undefined;
}

function plain(message: string, status: number): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  });
}

/**
 * Reads and drops a request body a refusal did not need, up to `limit` bytes. Answering before
 * the body is read makes workerd close the connection, and a client that already sent its next
 * request on it (keep-alive) sees "other side closed" instead of our answer.
 */
async function discardBody(req: Request, limit: number): Promise<void> {
  if (!req.body) return;
  let read = 0;
  try {
    // Leaving the loop early cancels the rest of the body.
    for await (const chunk of byteChunks(req.body)) {
      read += chunk.byteLength;
      if (read > limit) break;
    }
  } catch {
    // A body that fails to arrive changes nothing about the refusal.
  }
}

async function write(req: Request, env: Env): Promise<Response> {
  const s = receiveSettings(env);
  const refuse = async (message: string, status: number): Promise<Response> => {
    await discardBody(req, s.maxRequestBytes);
    return plain(message, status);
  };
  const off = receiverOff(env, s);
  if (off) return refuse(off, 404);
  // RECEIVE_TOKEN (default STORE_TOKEN) or an AUTH_TOKENS credential: checked by worker/auth.ts.
  // A tenant-bound credential writes as its tenant only.
  const principal = requestPrincipal(req);
  const tenant = req.headers.get(s.tenantHeader) || principal.tenant || s.defaultTenant;
  if (!principal.admin && tenant !== principal.tenant) {
    return refuse(
      `this credential may not write as tenant ${JSON.stringify(tenant.slice(0, 140))}`,
      403,
    );
  }
  if (!TENANT_RE.test(tenant))
    return refuse(`invalid tenant ${JSON.stringify(tenant.slice(0, 140))}`, 400);
  let compressed: Uint8Array;
  try {
    // A chunked body is cut off as it passes the limit, not read whole first.
    compressed = await readLimitedBody(req, s.maxRequestBytes, (bytes) => new BodyTooLarge(bytes), {
      drainUpTo: 4 * s.maxRequestBytes,
    });
  } catch (err) {
    if (!(err instanceof BodyTooLarge)) throw err;
    return plain(
      `request body of ${err.bytes} bytes exceeds the limit of ${s.maxRequestBytes}`,
      413,
    );
  }
  // One shard decodes the request itself: the router passes on the compressed bytes (a third of
  // the decoded size) and allocates nothing more.
  if (s.shards === 1) return sendToShards(env, tenant, [compressed], 'snappy');
  let parts: Uint8Array[];
  try {
    // The decoded body lives only until it is split (parts are copies): a reused buffer.
    parts = split(decodeSenderBody(compressed, s.maxDecodedBytes), tenant, s.shards);
  } catch (err) {
    if (err instanceof BadDataError) return plain(err.message, 400);
    throw err;
  }
  return sendToShards(env, tenant, parts, 'raw');
}

/**
 * Spreads a decoded WriteRequest over the receive shards and answers as the receiver does (204,
 * or the shards' failures combined by combineShardAnswers). The ruler writes through here too.
 */
export async function appendToShards(
  env: Env,
  tenant: string,
  body: Uint8Array,
): Promise<Response> {
  const s = receiveSettings(env);
  const off = receiverOff(env, s);
  if (off) return plain(off, 404);
  let parts: Uint8Array[];
  try {
    parts = split(body, tenant, s.shards);
  } catch (err) {
    if (err instanceof BadDataError) return plain(err.message, 400);
    throw err;
  }
  return sendToShards(env, tenant, parts, 'raw');
}

/** Part i to shard i (empty parts skipped), each as `encoding`; the shards' answers combined. */
async function sendToShards(
  env: Env,
  tenant: string,
  parts: readonly Uint8Array[],
  encoding: WriteBodyEncoding,
): Promise<Response> {
  const s = receiveSettings(env);
  const answers = await Promise.all(
    parts.map(async (part, i) => {
      if (part.length === 0) return undefined;
      try {
        // Durable Object RPC: the part goes as it is, without an HTTP request around it.
        const ns = env.RECEIVE_SHARD!;
        const stub = ns.get(ns.idFromName(receiveShardName(i)));
        const a = await stub.write(tenant, `${i}/${s.shards}`, part, encoding);
        return a.status === 200 ? undefined : { status: a.status, message: a.message.trim() };
      } catch (err) {
        return { status: 503, message: `receive shard ${i}: ${errorMessage(err)}` };
      }
    }),
  );
  const answer = combineShardAnswers(answers.filter((a) => a !== undefined));
  if (!answer) return new Response(null, { status: 204 });
  return plain(answer.message, answer.status);
}

/**
 * The shards' parts of a decoded body. One shard gets the body as it is; with more, the body is
 * scanned here (labels are not decoded: each shard validates its part) and each series' bytes go
 * to its shard.
 */
function split(body: Uint8Array, tenant: string, shards: number): Uint8Array[] {
  if (shards === 1) return [body];
  const spans = scanSeriesSpans(body, tenantSeed(tenant));
  const sizes = new Array<number>(shards).fill(0);
  const owner = spans.map((s) => {
    const i = shardOfHash(s.hash, shards);
    sizes[i]! += s.end - s.start;
    return i;
  });
  const parts = sizes.map((n) => new Uint8Array(n));
  const at = new Array<number>(shards).fill(0);
  for (let k = 0; k < spans.length; k++) {
    const { start, end } = spans[k]!;
    const i = owner[k]!;
    const part = parts[i]!;
    let d = at[i]!;
    // A series is ~100 bytes: a loop, not a view per series (workerd pays more for the view).
    for (let p = start; p < end; p++) part[d++] = body[p]!;
    at[i] = d;
  }
  return parts;
}

/** The remote-write routes. */
export function receiveRoutes(): Hono<{ Bindings: Env }> {
  const app = new Hono<{ Bindings: Env }>();
  app.post('/api/v1/receive', (c) => write(c.req.raw, c.env));
  app.post('/api/v1/write', (c) => write(c.req.raw, c.env));
  return app;
}
