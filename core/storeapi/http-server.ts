/**
 * @module core/storeapi/http-server — serves any Store over HTTP streaming as a Hono app:
 * `GET /api/v1/store/info`, `POST /api/v1/store/{series,label_names,label_values}` with protobuf
 * bodies; series answers are a stream of uvarint-delimited SeriesResponse frames.
 */
import { Hono } from 'hono';
import { apiErrorResponse } from '../api/error-response.ts';
import { BadDataError, UnauthorizedError, errorMessage } from '../errors.ts';
import { readLimitedBody } from '../limited-body.ts';
import { bearerTokenValid } from './auth.ts';
import {
  decodeLabelNamesRequest,
  decodeLabelValuesRequest,
  decodeSeriesRequest,
  encodeInfo,
  encodeLabelNamesResponse,
  encodeLabelValuesResponse,
  appendSeriesFrame,
} from './codec.ts';
import { FrameBuffer, asBody } from './framing.ts';
import { PROTOBUF_CONTENT_TYPE } from './http-client.ts';
import { hasEncodedSeries, type SeriesFrame, type Store } from './store.ts';

export interface StoreServerOptions<E extends object> {
  /** The store to serve for this request (lets the Worker build it from its bindings). */
  readonly store: (env: E, req: Request) => Store | Promise<Store>;
  /** Expected bearer token; requests without it get 401 and learn nothing else. */
  readonly token: (env: E) => string | undefined;
  /**
   * False only where nobody but this system can reach the routes (a Durable Object behind its
   * binding): then no token is asked for. Default true.
   */
  readonly requireToken?: boolean;
}

/** Frames are flushed in batches of about this many bytes, so small series do not each cost a write. */
const FLUSH_BYTES = 64 * 1024;

const protobufHeaders = { 'content-type': PROTOBUF_CONTENT_TYPE };
/** Largest request body read (gRPC's default largest received message, 4 MiB). */
const MAX_REQUEST_BYTES = 4 << 20;

export function storeApiRoutes<E extends object>(
  options: StoreServerOptions<E>,
): Hono<{ Bindings: E }> {
  const app = new Hono<{ Bindings: E }>();

  app.use('/api/v1/store/*', async (c, next) => {
    const open = options.requireToken === false;
    if (
      !open &&
      !bearerTokenValid(c.req.header('authorization'), options.token(c.env ?? ({} as E)) ?? '')
    ) {
      throw new UnauthorizedError();
    }
    await next();
  });

  const body = (req: Request): Promise<Uint8Array> =>
    readLimitedBody(
      req,
      MAX_REQUEST_BYTES,
      (bytes) =>
        new BadDataError(
          `StoreAPI request body of ${bytes} bytes exceeds the limit of ${MAX_REQUEST_BYTES}`,
        ),
    );

  app.get('/api/v1/store/info', async (c) => {
    const store = await options.store(c.env, c.req.raw);
    return new Response(asBody(encodeInfo(await store.info(c.req.raw.signal))), {
      headers: protobufHeaders,
    });
  });

  app.post('/api/v1/store/series', async (c) => {
    const request = decodeSeriesRequest(await body(c.req.raw));
    const store = await options.store(c.env, c.req.raw);
    const encoded = hasEncodedSeries(store)
      ? store.encodedSeries(request, c.req.raw.signal)
      : undefined;
    const chunks = encoded ?? encodeFrames(store.series(request, c.req.raw.signal));
    const iterator = chunks[Symbol.asyncIterator]();
    // Pull the first bytes before answering, so an immediate failure is a proper HTTP error.
    const first = await iterator.next();
    // Pulled, not pushed: the next batch is made only when the previous one is taken by the
    // connection, so a slow client holds back the store instead of piling up the answer in memory.
    let next: IteratorResult<Uint8Array> | undefined = first;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const r = next ?? (await iterator.next());
          next = undefined;
          if (r.done) controller.close();
          // A copy: an encoded batch is valid only until the next is asked for, and the stream may
          // still hold this one then.
          else controller.enqueue(encoded ? new Uint8Array(r.value) : r.value);
        } catch (err) {
          // Headers are gone already: abort the body so the client sees a broken stream, not a short answer.
          controller.error(new Error(`series stream failed: ${errorMessage(err)}`));
        }
      },
      async cancel() {
        await iterator.return?.();
      },
    });
    return new Response(stream, { headers: protobufHeaders });
  });

  app.post('/api/v1/store/label_names', async (c) => {
    const request = decodeLabelNamesRequest(await body(c.req.raw));
    const store = await options.store(c.env, c.req.raw);
    const res = await store.labelNames(request, c.req.raw.signal);
    return new Response(asBody(encodeLabelNamesResponse(res)), { headers: protobufHeaders });
  });

  app.post('/api/v1/store/label_values', async (c) => {
    const { name, request } = decodeLabelValuesRequest(await body(c.req.raw));
    const store = await options.store(c.env, c.req.raw);
    const res = await store.labelValues(name, request, c.req.raw.signal);
    return new Response(asBody(encodeLabelValuesResponse(res)), { headers: protobufHeaders });
  });

  app.all('/api/v1/store/*', () => {
    throw new BadDataError('unknown StoreAPI route');
  });
  app.onError((err) => apiErrorResponse(err));
  return app;
}

/** Frames of a series stream, encoded and batched into writes of about FLUSH_BYTES. */
async function* encodeFrames(frames: AsyncIterable<SeriesFrame>): AsyncGenerator<Uint8Array> {
  const out = new FrameBuffer(FLUSH_BYTES);
  try {
    for await (const f of frames) {
      appendSeriesFrame(out, f);
      if (out.at >= FLUSH_BYTES) yield out.take();
    }
  } catch (err) {
    // What was encoded before the failure still goes out, then the stream breaks.
    if (out.at > 0) yield out.take();
    throw err;
  }
  if (out.at > 0) yield out.take();
}
