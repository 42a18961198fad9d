/**
 * @module sidecar-agent/grpc/server — a gRPC server on node:http2 (grpc PROTOCOL-HTTP2.md), for
 * the unary and server-streaming methods the StoreAPI has. Written by hand rather than with
 * @grpc/grpc-js so that it speaks Thanos's "snappy" message encoding (grpc-js has only gzip and
 * deflate) and can send a store's already-encoded series frames without decoding them.
 *
 * Per call: `grpc-timeout` becomes a deadline, and the deadline or the client closing the stream
 * aborts the handler's signal and stops pulling its answer; a failure becomes `grpc-status` /
 * `grpc-message` trailers (trailers-only when nothing was sent yet). Connections older than
 * `maxConnectionAgeMs` get a GOAWAY (their calls finish; the client reconnects), as grpc-go's
 * MaxConnectionAge; `stop(graceMs)` refuses new calls and waits for those in flight.
 */
import {
  createSecureServer,
  createServer,
  type Http2SecureServer,
  type Http2Server,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { SecureVersion } from 'node:tls';
import { errorMessage } from '../../core/errors.ts';
import {
  ACCEPT_ENCODING,
  decodeMessage,
  requestCodec,
  responseCodec,
  type MessageCodec,
} from './compression.ts';
import { raceAbort } from '../../core/abort-race.ts';
import { endWithTrailers, parseGrpcTimeout, write, writeFlushed } from './call-io.ts';
import { PREFIX_BYTES, frameMessage, reframe, splitMessages } from './message-framing.ts';
import type { GrpcMetrics } from './metrics.ts';
import {
  GrpcError,
  STATUS_NAMES,
  Status,
  encodeGrpcMessage,
  statusMessage,
  statusOf,
  type StatusCode,
} from './status.ts';

/** A method's context: the call's signal (deadline, client gone, server stopping). */
export interface CallContext {
  readonly signal: AbortSignal;
}

export type GrpcMethod =
  | {
      readonly type: 'unary';
      handle(request: Uint8Array, ctx: CallContext): Promise<Uint8Array>;
    }
  | {
      readonly type: 'server_stream';
      /**
       * Batches of response messages, each uvarint-length-delimited (the StoreAPI's HTTP framing,
       * which is how our stores hand out encoded series). A batch is read before the next is asked for.
       */
      handle(request: Uint8Array, ctx: CallContext): AsyncIterable<Uint8Array>;
    };

export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** CA bundle for client certificates: set, clients must present one it signed (mTLS). */
  readonly clientCa?: Buffer;
  /** Lowest TLS version (default TLSv1.3, Thanos's `--grpc-server-tls-min-version` 1.3). */
  readonly minVersion?: SecureVersion;
  /** OpenSSL cipher string (default: Node's). */
  readonly ciphers?: string;
  /** OpenSSL groups, `:`-separated (default: Node's). */
  readonly ecdhCurve?: string;
}

export interface GrpcServerOptions {
  readonly host: string;
  readonly port: number;
  /** `/package.Service/Method` → method. */
  readonly methods: ReadonlyMap<string, GrpcMethod>;
  /** Named in every error message (`sidecar http://prometheus:9090`, `store bucket thanos`). */
  readonly name: string;
  readonly tls?: TlsFiles;
  /** GOAWAY connections older than this, ms (0 = never; Thanos's default 60m). */
  readonly maxConnectionAgeMs?: number;
  /** Largest request message accepted, bytes (default 4 MiB, grpc-go's). */
  readonly maxRecvBytes?: number;
  readonly metrics?: GrpcMetrics;
  readonly log?: (msg: string) => void;
}

const DEFAULT_MAX_RECV = 4 * 1024 * 1024;
/** A stream's output buffer starts at this size and grows to its largest batch. */
const INITIAL_OUT_BYTES = 272 * 1024;
const MAX_IDLE_BUFFERS = 2;
const CONTENT_TYPE = 'application/grpc+proto';
/** Why a call's signal was aborted. */
class CallEnded extends Error {
  readonly code: StatusCode;
  constructor(code: StatusCode, message: string) {
    super(message);
    this.code = code;
  }
}
export class GrpcServer {
  readonly address: string;
  readonly port: number;
  readonly #server: Http2Server | Http2SecureServer;
  readonly #sessions = new Set<Http2Session>();
  readonly #calls = new Set<AbortController>();
  /** Output buffers of finished streams, for the next ones (no 256 KiB allocation per batch). */
  readonly #idle: Uint8Array[] = [];
  readonly #o: GrpcServerOptions;

  private constructor(server: Http2Server | Http2SecureServer, o: GrpcServerOptions) {
    this.#server = server;
    this.#o = o;
    const addr = server.address() as AddressInfo;
    this.port = addr.port;
    this.address = `${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  }

  static async listen(o: GrpcServerOptions): Promise<GrpcServer> {
    const settings = { initialWindowSize: 1024 * 1024 };
    const server = o.tls
      ? createSecureServer({
          cert: o.tls.cert,
          key: o.tls.key,
          minVersion: o.tls.minVersion ?? 'TLSv1.3',
          ...(o.tls.ciphers ? { ciphers: o.tls.ciphers } : {}),
          ...(o.tls.ecdhCurve ? { ecdhCurve: o.tls.ecdhCurve } : {}),
          ALPNProtocols: ['h2'],
          settings,
          ...(o.tls.clientCa
            ? { ca: o.tls.clientCa, requestCert: true, rejectUnauthorized: true }
            : {}),
        })
      : createServer({ settings });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const s = new GrpcServer(server, o);
    server.on('session', (session) => s.#onSession(session));
    server.on('stream', (stream, headers) => void s.#onStream(stream, headers));
    return s;
  }

  /** Calls in flight. */
  get activeCalls(): number {
    return this.#calls.size;
  }

  /**
   * Stops accepting connections and calls (GOAWAY to every client); calls in flight may finish
   * within `graceMs`, then they are cancelled and their connections closed.
   */
  async stop(graceMs = 0): Promise<void> {
    const closed = new Promise<void>((r) => this.#server.close(() => r()));
    for (const s of this.#sessions) s.close();
    const deadline = Date.now() + graceMs;
    while (this.#calls.size > 0 && Date.now() < deadline) await sleep(50);
    for (const c of this.#calls) c.abort(new CallEnded(Status.UNAVAILABLE, 'server is stopping'));
    for (const s of this.#sessions) s.destroy();
    await closed;
  }

  #onSession(session: Http2Session): void {
    this.#sessions.add(session);
    const age = this.#o.maxConnectionAgeMs ?? 0;
    // ±10% jitter as grpc-go, so clients of one server do not all reconnect at once.
    const timer =
      age > 0
        ? setTimeout(() => session.close(), age * (0.9 + Math.random() * 0.2)).unref()
        : undefined;
    session.once('close', () => {
      clearTimeout(timer);
      this.#sessions.delete(session);
    });
    session.on('error', () => undefined); // a reset connection is not the server's failure
  }

  async #onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): Promise<void> {
    stream.on('error', () => undefined);
    const path = headers[':path'] ?? '';
    const contentType = headers['content-type'] ?? '';
    if (headers[':method'] !== 'POST' || !contentType.startsWith('application/grpc')) {
      stream.respond({ ':status': 415, 'content-type': 'text/plain' }, { endStream: false });
      stream.end('gRPC requests only: POST with content-type application/grpc\n');
      return;
    }
    const method = this.#o.methods.get(path);
    const [service = '', name = ''] = path.slice(1).split('/');
    const labels = {
      grpc_service: service,
      grpc_method: name,
      grpc_type: method?.type ?? 'unary',
    };
    this.#o.metrics?.started.inc(labels);
    const call = new AbortController();
    this.#calls.add(call);
    let timer: NodeJS.Timeout | undefined;
    let code: StatusCode = Status.OK;
    stream.once('close', () => {
      // Closed before we finished: the client cancelled (RST_STREAM) or went away.
      if (!call.signal.aborted) call.abort(new CallEnded(Status.CANCELLED, 'client cancelled'));
    });
    try {
      const timeoutMs = parseGrpcTimeout(headers['grpc-timeout'] as string | undefined);
      if (timeoutMs !== undefined) {
        timer = setTimeout(
          () => call.abort(new CallEnded(Status.DEADLINE_EXCEEDED, 'context deadline exceeded')),
          timeoutMs,
        );
      }
      if (!method) throw new GrpcError(Status.UNIMPLEMENTED, `unknown method ${path}`);
      const inCodec = requestCodec(headers['grpc-encoding'] as string | undefined);
      const outCodec = responseCodec(
        inCodec,
        headers['grpc-accept-encoding'] as string | undefined,
      );
      const request = await this.#readRequest(stream, inCodec, call.signal);
      const ctx: CallContext = { signal: call.signal };
      const responseHeaders = {
        ':status': 200,
        'content-type': CONTENT_TYPE,
        'grpc-accept-encoding': ACCEPT_ENCODING,
        ...(outCodec ? { 'grpc-encoding': outCodec.name } : {}),
      };
      if (method.type === 'unary') {
        const reply = await raceAbort(method.handle(request, ctx), call.signal);
        stream.respond(responseHeaders, { waitForTrailers: true });
        this.#o.metrics?.sent.inc(labels);
        await write(stream, frameMessage(reply, outCodec), call.signal);
      } else {
        let started = false;
        let out = this.#idle.pop() ?? new Uint8Array(INITIAL_OUT_BYTES);
        const it = method.handle(request, ctx)[Symbol.asyncIterator]();
        try {
          for (;;) {
            const r = await raceAbort(it.next(), call.signal);
            if (r.done) break;
            if (!started) {
              stream.respond(responseHeaders, { waitForTrailers: true });
              started = true;
            }
            const { bytes, messages } = reframe(r.value, outCodec, out);
            if (!outCodec) out = bytes; // the buffer (maybe grown) for the next batch
            this.#o.metrics?.sent.inc(labels, messages);
            // Wait until HTTP/2 has sent these bytes: the next batch goes into the same buffer,
            // and the store too may reuse the batch it handed over once asked for the next.
            await writeFlushed(stream, bytes, call.signal);
          }
        } finally {
          // Stop the producer (and its reads upstream) if we leave early.
          void Promise.resolve(it.return?.()).catch(() => undefined);
          // Reusable only if HTTP/2 no longer holds it: after a clean end or an unwritten batch.
          if (!call.signal.aborted && this.#idle.length < MAX_IDLE_BUFFERS)
            this.#idle.push(new Uint8Array(out.buffer));
        }
        if (!started) stream.respond(responseHeaders, { waitForTrailers: true });
      }
      await endWithTrailers(stream, Status.OK, '');
    } catch (err) {
      const reason: unknown = call.signal.aborted ? call.signal.reason : err;
      code = reason instanceof CallEnded ? reason.code : statusOf(reason);
      const message =
        reason instanceof CallEnded ? reason.message : statusMessage(reason, this.#o.name);
      if (code === Status.UNKNOWN || code === Status.INTERNAL)
        this.#o.log?.(`grpc ${path}: ${errorMessage(reason)}`);
      if (stream.destroyed || stream.closed) {
        // The client is gone: nothing to tell it.
      } else if (!stream.headersSent) {
        stream.respond(
          {
            ':status': 200,
            'content-type': CONTENT_TYPE,
            'grpc-status': String(code),
            'grpc-message': encodeGrpcMessage(message),
          },
          { endStream: true },
        );
      } else await endWithTrailers(stream, code, message).catch(() => undefined);
    } finally {
      clearTimeout(timer);
      this.#calls.delete(call);
      if (!call.signal.aborted) call.abort(new CallEnded(Status.OK, 'call finished'));
      this.#o.metrics?.handled.inc({ ...labels, grpc_code: codeName(code) });
    }
  }

  async #readRequest(
    stream: ServerHttp2Stream,
    codec: MessageCodec | undefined,
    signal: AbortSignal,
  ): Promise<Uint8Array> {
    const max = this.#o.maxRecvBytes ?? DEFAULT_MAX_RECV;
    const parts: Buffer[] = [];
    let total = 0;
    await raceAbort(
      new Promise<void>((resolve, reject) => {
        stream.on('data', (chunk: Buffer) => {
          total += chunk.length;
          if (total > max + PREFIX_BYTES) {
            reject(
              new GrpcError(
                Status.RESOURCE_EXHAUSTED,
                `grpc: received message larger than max (${max} bytes)`,
              ),
            );
            stream.pause();
          } else parts.push(chunk);
        });
        stream.once('end', resolve);
        stream.once('error', reject);
      }),
      signal,
    );
    const messages = splitMessages(Buffer.concat(parts), max);
    if (messages.length !== 1)
      throw new GrpcError(
        Status.INTERNAL,
        `grpc: expected one request message, got ${messages.length}`,
      );
    const m = messages[0]!;
    return decodeMessage(m.data, m.compressed, codec, max);
  }
}

function codeName(code: StatusCode): string {
  return STATUS_NAMES[code];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
