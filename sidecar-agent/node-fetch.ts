/**
 * @module sidecar-agent/node-fetch — `fetch` over node:http(s), for the agent's own requests
 * (Prometheus's API, S3 uploads).
 *
 * Node's global fetch is undici, whose HTTP parser is WebAssembly: compiling it costs the agent
 * ~8 MB resident plus a ~20 MB peak when V8's optimizing tier recompiles it a few seconds after
 * start, a third of the agent's memory budget. node:http parses in C++. Requests and Responses
 * stay the web-standard classes; a response body streams. A request body with a Content-Length
 * header (a Blob part of a file being uploaded) streams too; any other is gathered before
 * sending, its length going in Content-Length (small requests, bounded multipart parts). A
 * response body buffers up to 1 MiB ahead of its reader (`webBody`).
 */
import { Agent as HttpAgent, request as httpRequest, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { finished, type Readable } from 'node:stream';

const agents = {
  http: new HttpAgent({ keepAlive: true }),
  https: new HttpsAgent({ keepAlive: true }),
};

export interface NodeFetchOptions {
  /** Connection pools (and TLS settings) to use; default: keep-alive agents with Node's defaults. */
  readonly agents?: { readonly http: HttpAgent; readonly https: HttpsAgent };
  /** Headers added to every request unless it sets them (e.g. Authorization for Prometheus). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A fetch over node:http(s) with its own agents (TLS config) and default headers. */
export function createNodeFetch(options: NodeFetchOptions = {}): typeof fetch {
  return (input, init) => fetchVia(options, input, init);
}

export function nodeFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  return fetchVia({}, input, init);
}

async function fetchVia(
  options: NodeFetchOptions,
  input: RequestInfo | URL,
  init?: RequestInit,
): Promise<Response> {
  const use = options.agents ?? agents;
  const req = new Request(input, init);
  const url = new URL(req.url);
  // The body's chunks as they are (a Request made from bytes holds one chunk): their total is the
  // Content-Length S3 wants, and no multipart part is copied once more.
  const body: Uint8Array[] = [];
  let length = 0;
  // A declared length (S3Bucket sets it for a Blob) lets the body stream from its source.
  const declared = req.headers.get('content-length');
  const streamed = req.body !== null && declared !== null;
  if (req.body && !streamed) {
    const reader = req.body.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      body.push(r.value);
      length += r.value.length;
    }
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.headers ?? {}))
    if (!req.headers.has(k)) headers[k.toLowerCase()] = v;
  req.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (req.body && !streamed) headers['content-length'] = String(length);
  const https = url.protocol === 'https:';
  if (!https && url.protocol !== 'http:') throw new TypeError(`unsupported URL ${url.href}`);
  return new Promise<Response>((resolve, reject) => {
    const outgoing = (https ? httpsRequest : httpRequest)(
      url,
      {
        method: req.method,
        headers,
        agent: https ? use.https : use.http,
        signal: req.signal,
      },
      (res) => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v);
          else if (value !== undefined) responseHeaders.set(name, value);
        }
        const status = res.statusCode ?? 0;
        const empty = req.method === 'HEAD' || status === 204 || status === 304;
        if (empty) res.resume();
        resolve(
          new Response(empty ? null : webBody(res), {
            status,
            statusText: res.statusMessage ?? '',
            headers: responseHeaders,
          }),
        );
      },
    );
    outgoing.on('error', reject);
    if (streamed) {
      sendStream(req.body!, outgoing).catch((err: unknown) => {
        outgoing.destroy(err instanceof Error ? err : new Error(String(err)));
        reject(err);
      });
      return;
    }
    for (const chunk of body) outgoing.write(chunk);
    outgoing.end();
  });
}

/**
 * Writes a request body from its web stream, waiting for 'drain' when the socket is behind: the
 * pieces go to the socket as they come (a file's are 1 MiB, see objstore/file-blob.ts), without
 * the stream adapters of `Readable.fromWeb` and `pipeline` between them.
 */
async function sendStream(
  body: ReadableStream<Uint8Array>,
  outgoing: ClientRequest,
): Promise<void> {
  const reader = body.getReader();
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      if (outgoing.destroyed) throw new Error('request closed while its body was being sent');
      if (!outgoing.write(r.value)) await drained(outgoing);
    }
    outgoing.end();
  } catch (err) {
    await reader.cancel(err).catch(() => {});
    throw err;
  }
}

/** Resolves when the request can take more; rejects if it closes first. */
function drained(outgoing: ClientRequest): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error): void => {
      outgoing.off('drain', onDrain);
      outgoing.off('close', onClose);
      outgoing.off('error', done);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => done();
    const onClose = (): void => done(new Error('request closed while its body was being sent'));
    outgoing.on('drain', onDrain);
    outgoing.on('close', onClose);
    outgoing.on('error', done);
  });
}

/**
 * Bytes of a response body buffered ahead of its reader before the socket is paused. Node's
 * `Readable.toWeb` buffers the stream's own high-water mark (16 KiB for a response), below one
 * socket read (~64 KiB): it paused and resumed the socket for every chunk, and downloading 34 MB
 * cost ~190 ms of CPU and ~5,000 page faults instead of ~80 ms and almost none.
 */
export const BODY_HIGH_WATER_BYTES = 1 << 20;

/** A response body as a web stream, with the socket paused only when its reader falls behind. */
export function webBody(res: Readable): ReadableStream<Uint8Array> {
  let open = true;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        res.on('data', (chunk: Buffer) => {
          if (!open) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) res.pause();
        });
        // A connection lost mid-body errors the stream (premature close), as it ends it.
        finished(res, (err) => {
          if (!open) return;
          open = false;
          if (err) controller.error(err);
          else controller.close();
        });
      },
      pull() {
        res.resume();
      },
      cancel(reason) {
        open = false;
        res.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: BODY_HIGH_WATER_BYTES }),
  );
}
