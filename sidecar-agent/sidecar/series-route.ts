/**
 * @module sidecar-agent/sidecar/series-route — `POST /api/v1/store/series` straight on node:http.
 *
 * Same contract as core/storeapi/http-server.ts (which serves every other StoreAPI route here,
 * and all of them in the Worker): bearer token, protobuf SeriesRequest body, a stream of
 * uvarint-framed SeriesResponse messages; errors before the first byte in Prometheus's JSON shape,
 * errors after it break the stream. What differs is the plumbing: the store's encoded batches go
 * to the socket as they are, one at a time, and the next one is made only once the socket took
 * the last (so the store may reuse its batch buffer). Web streams in between cost the agent about
 * a fifth of its CPU and a copy of every byte.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiErrorResponse } from '../../core/api/error-response.ts';
import { BadDataError, UnauthorizedError, errorMessage } from '../../core/errors.ts';
import { bearerTokenValid } from '../../core/storeapi/auth.ts';
import { decodeSeriesRequest } from '../../core/storeapi/codec.ts';
import { PROTOBUF_CONTENT_TYPE } from '../../core/storeapi/http-client.ts';
import type { EncodedSeriesSource } from '../../core/storeapi/store.ts';

export const SERIES_PATH = '/api/v1/store/series';
/** A SeriesRequest is a few matchers and hints; anything this large is not one. */
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

export interface SeriesRouteOptions {
  readonly store: () => EncodedSeriesSource;
  readonly token: () => string | undefined;
}

export async function serveSeries(
  req: IncomingMessage,
  res: ServerResponse,
  o: SeriesRouteOptions,
): Promise<void> {
  if (!bearerTokenValid(req.headers.authorization, o.token() ?? '')) {
    await sendResponse(res, apiErrorResponse(new UnauthorizedError()));
    req.resume();
    return;
  }
  // The client hanging up cancels the store's work (the remote read to Prometheus).
  const abort = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abort.abort(new Error('client closed the series stream'));
  });
  let iterator: AsyncIterator<Uint8Array>;
  let first: IteratorResult<Uint8Array>;
  try {
    const request = decodeSeriesRequest(await readBody(req));
    iterator = o.store().encodedSeries(request, abort.signal)[Symbol.asyncIterator]();
    first = await iterator.next();
  } catch (err) {
    await sendResponse(res, apiErrorResponse(err));
    return;
  }
  res.writeHead(200, { 'content-type': PROTOBUF_CONTENT_TYPE });
  try {
    for (let r = first; !r.done; r = await iterator.next()) {
      if (res.destroyed) break;
      if (!res.write(r.value)) await drained(res);
    }
    res.end();
  } catch (err) {
    // Headers are gone already: break the stream so the client sees a failure, not a short answer.
    res.destroy(new Error(`series stream failed: ${errorMessage(err)}`));
  } finally {
    await iterator.return?.();
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES)
      throw new BadDataError(`series request larger than ${MAX_REQUEST_BYTES} bytes`);
    parts.push(chunk);
  }
  return Buffer.concat(parts, size);
}

async function sendResponse(res: ServerResponse, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, { ...headers, 'content-length': body.length });
  res.end(body);
}
