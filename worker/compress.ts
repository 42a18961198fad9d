/**
 * @module worker/compress — the Worker gzips its own answers, with the WASM encoder
 * (core/api/gzip-wasm.ts), for clients that accept gzip (Grafana's and Prometheus's clients do).
 *
 * Left to the platform, an answer is compressed after it leaves the Worker: by Cloudflare's edge
 * in production, and under `wrangler dev` by Miniflare's emulation of it on the Worker's own
 * thread, at zlib level 6 — several times the CPU of writing the JSON. The WASM encoder is a fast
 * one (zlib level 1's speed and size), and a body already gzip-encoded passes the edge as it is
 * (`encodeBody: 'manual'`); a client that does not take gzip gets the plain body. With
 * `RESPONSE_COMPRESSION=edge` the Worker leaves compression to the platform.
 */
import { acceptsGzip, gzipStream } from '../core/api/gzip-wasm.ts';
import { logfmtLine } from '../core/log/logfmt.ts';
import type { Env } from './env.ts';
import { gzipEncodersWorker } from './wasm.ts';

/** Bodies known to be shorter than this go out as they are (a gzip member costs ~20 bytes). */
const MIN_BYTES = 1024;

const COMPRESSIBLE =
  /^(application\/(json|javascript|x-ndjson|openmetrics-text)|text\/|image\/svg\+xml)/i;

let warnedAbout: string | undefined;

/** A value other than `worker` or `edge` is logged once and read as the default, `worker`. */
function compressInWorker(env: Env): boolean {
  const mode = env.RESPONSE_COMPRESSION ?? 'worker';
  if (mode === 'edge') return false;
  if (mode !== 'worker' && warnedAbout !== mode) {
    warnedAbout = mode;
    console.log(
      logfmtLine('warn', {
        msg: 'RESPONSE_COMPRESSION ignored: want worker or edge',
        value: mode,
      }),
    );
  }
  return true;
}

function worthCompressing(request: Request, response: Response): boolean {
  if (request.method === 'HEAD' || !response.body) return false;
  if (response.status < 200 || response.status === 204 || response.status === 304) return false;
  const headers = response.headers;
  if (headers.has('content-encoding')) return false;
  if (!COMPRESSIBLE.test(headers.get('content-type') ?? '')) return false;
  const length = headers.get('content-length');
  if (length !== null && Number(length) < MIN_BYTES) return false;
  return acceptsGzip(clientAcceptEncoding(request));
}

/**
 * What the client asked for: the edge (and Miniflare's emulation of it) hands the Worker its own
 * Accept-Encoding (`br, gzip`) and keeps the client's in `cf.clientAcceptEncoding` (empty when
 * the client sent none, as curl without `--compressed` does: such a client gets a plain body).
 */
function clientAcceptEncoding(request: Request): string | null {
  const fromEdge = request.cf?.clientAcceptEncoding;
  return typeof fromEdge === 'string' ? fromEdge : request.headers.get('accept-encoding');
}

/** `response`, gzip-encoded as it streams when the client takes gzip and it is worth it. */
export function compressAnswer(request: Request, env: Env, response: Response): Response {
  if (!worthCompressing(request, response) || !compressInWorker(env)) return response;
  const headers = new Headers(response.headers);
  headers.set('content-encoding', 'gzip');
  headers.delete('content-length');
  const vary = headers.get('vary');
  if (!vary) headers.set('vary', 'Accept-Encoding');
  else if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(vary))
    headers.set('vary', `${vary}, Accept-Encoding`);
  return new Response(gzipStream(response.body!, gzipEncodersWorker()), {
    status: response.status,
    statusText: response.statusText,
    headers,
    encodeBody: 'manual',
  });
}
