/**
 * @module sidecar-agent/prometheus/remote-read — Prometheus remote read with
 * `STREAMED_XOR_CHUNKS` (docs: prometheus storage/remote/codec.go, prompb/remote.proto).
 *
 * Request: a snappy-block-compressed `prometheus.ReadRequest`, POST /api/v1/read.
 * Response: `application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse`, frames of
 * uvarint(message length) + 4-byte big-endian CRC-32C of the message + the message.
 *
 * The response is pulled one network read at a time: nothing more is read from the socket before
 * the consumer asks, so memory stays at about one frame however big the answer.
 */
import type { IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { BadDataError, errorMessage } from '../../core/errors.ts';
import type { Matcher } from '../../core/labels/matcher.ts';
import { StoreUnavailableError } from '../../core/storeapi/errors.ts';
import { prometheus } from '../../core/storeapi/proto/gen/prompb.js';
import { crc32c } from '../../core/tsdb/encoding.ts';
import { snappyEncode } from './snappy.ts';
import { StreamingPost } from './streaming-post.ts';

export const REMOTE_READ_VERSION = '0.1.0';
export const STREAMED_CONTENT_TYPE =
  'application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse';
/** Prometheus frames are ~1 MiB (remote read's `chunked read response max bytes`); more is corrupt. */
const MAX_FRAME_BYTES = 64 * 1024 * 1024;

const MATCHER_TYPE: Record<Matcher['type'], prometheus.LabelMatcher.Type> = {
  '=': prometheus.LabelMatcher.Type.EQ,
  '!=': prometheus.LabelMatcher.Type.NEQ,
  '=~': prometheus.LabelMatcher.Type.RE,
  '!~': prometheus.LabelMatcher.Type.NRE,
};

export interface RemoteReadQuery {
  readonly start: number;
  readonly end: number;
  readonly matchers: readonly Matcher[];
  readonly hints?: { stepMs?: number; func?: string; rangeMs?: number };
}

export function encodeReadRequest(q: RemoteReadQuery): Uint8Array {
  const msg = prometheus.ReadRequest.encode({
    queries: [
      {
        start_timestamp_ms: q.start,
        end_timestamp_ms: q.end,
        matchers: q.matchers.map((m) => ({
          type: MATCHER_TYPE[m.type],
          name: m.name,
          value: m.value,
        })),
        hints: {
          start_ms: q.start,
          end_ms: q.end,
          step_ms: q.hints?.stepMs ?? 0,
          func: q.hints?.func ?? '',
          range_ms: q.hints?.rangeMs ?? 0,
        },
      },
    ],
    accepted_response_types: [prometheus.ReadRequest.ResponseType.STREAMED_XOR_CHUNKS],
  }).finish();
  return snappyEncode(msg);
}

/** POSTs the query and yields its ChunkedSeries in Prometheus's order. */
export async function* remoteRead(
  baseUrl: string,
  q: RemoteReadQuery,
  signal?: AbortSignal,
): AsyncGenerator<prometheus.IChunkedSeries> {
  let decoded: prometheus.ChunkedReadResponse[] = [];
  // A copy: decoded chunks keep views of their message, and messages are views of the read buffer.
  const sink = { push: (message: Uint8Array) => void decoded.push(decodeMessage(message.slice())) };
  for await (const _ of remoteReadInto(baseUrl, q, sink, signal)) {
    const ready = decoded;
    decoded = [];
    for (const resp of ready) yield* resp.chunked_series;
  }
}

function decodeMessage(message: Uint8Array): prometheus.ChunkedReadResponse {
  try {
    return prometheus.ChunkedReadResponse.decode(message);
  } catch (err) {
    throw new StoreUnavailableError(`prometheus remote read stream: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}

/** Takes each encoded ChunkedReadResponse message; the bytes are valid only during the call. */
export interface MessageSink {
  push(message: Uint8Array): void;
}

/**
 * POSTs the query and hands every `ChunkedReadResponse` message (checksum verified) to `sink`,
 * synchronously, as the bytes arrive. Yields after each network read, so the caller can send what
 * the sink made and decide whether to go on: nothing more is read until it asks (the socket
 * applies backpressure to Prometheus), and leaving the loop closes the connection.
 *
 * Plain http: goes through StreamingPost (one reused read buffer, no per-read garbage); https:
 * through node:https.
 */
/** How to reach Prometheus beyond its URL (`--prometheus.http-client`): auth headers, TLS. */
export interface RemoteReadTransport {
  readonly headers?: Readonly<Record<string, string>>;
  readonly httpsAgent?: HttpsAgent;
}

export async function* remoteReadInto(
  baseUrl: string,
  q: RemoteReadQuery,
  sink: MessageSink,
  signal?: AbortSignal,
  transport: RemoteReadTransport = {},
): AsyncGenerator<void> {
  const url = new URL(`${baseUrl}/api/v1/read`);
  let res: Answer;
  try {
    res = await post(url, encodeReadRequest(q), signal, transport);
  } catch (err) {
    throw new StoreUnavailableError(`prometheus remote read ${url.href}: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  let finished = false;
  try {
    if (res.status < 200 || res.status > 299) {
      const text = (await res.text().catch(() => '')).trim().slice(0, 500);
      const msg = `prometheus remote read: HTTP ${res.status}: ${text}`;
      if (res.status === 400) throw new BadDataError(msg);
      throw new StoreUnavailableError(msg);
    }
    if (!res.contentType.startsWith('application/x-streamed-protobuf')) {
      throw new StoreUnavailableError(
        `prometheus remote read: unexpected content type ${JSON.stringify(res.contentType)}`,
      );
    }
    const splitter = spareSplitters.pop() ?? new StreamedFrameSplitter();
    splitter.reset();
    try {
      for await (const piece of res.body()) {
        splitter.push(piece, sink);
        yield;
      }
      splitter.end();
    } finally {
      if (spareSplitters.length < 2) spareSplitters.push(splitter);
    }
    finished = true;
  } catch (err) {
    if (err instanceof BadDataError || err instanceof StoreUnavailableError) throw err;
    throw new StoreUnavailableError(`prometheus remote read stream: ${errorMessage(err)}`, {
      cause: err,
    });
  } finally {
    // Early return by the consumer (limit, cancel) or a failure: stop the transfer instead of draining it.
    if (!finished) res.close();
  }
}

/** Splitters of finished reads, reused with their buffers. */
const spareSplitters: StreamedFrameSplitter[] = [];

/** An HTTP answer whose body pieces are valid until the next is asked for. */
interface Answer {
  readonly status: number;
  readonly contentType: string;
  body(): AsyncIterable<Uint8Array>;
  text(): Promise<string>;
  close(): void;
}

const REQUEST_HEADERS = {
  'content-encoding': 'snappy',
  'content-type': 'application/x-protobuf',
  'x-prometheus-remote-read-version': REMOTE_READ_VERSION,
};

async function post(
  url: URL,
  body: Uint8Array,
  signal: AbortSignal | undefined,
  transport: RemoteReadTransport,
): Promise<Answer> {
  const headers = { ...transport.headers, ...REQUEST_HEADERS };
  if (url.protocol === 'http:') {
    const res = await StreamingPost.open(url, headers, body, signal);
    return {
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      body: () => res.body(),
      text: () => res.text(),
      close: () => res.close(),
    };
  }
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpsRequest(url, {
      method: 'POST',
      agent: transport.httpsAgent ?? httpsAgent,
      headers: { ...headers, 'content-length': body.length },
      ...(signal ? { signal } : {}),
    });
    req.once('response', resolve);
    req.once('error', reject);
    req.end(body);
  });
  return {
    status: res.statusCode ?? 0,
    contentType: res.headers['content-type'] ?? '',
    async *body() {
      yield* res as AsyncIterable<Buffer>;
      // A connection cut mid-answer can end the stream without an error.
      if (!res.complete)
        throw new StoreUnavailableError('remote read: connection closed mid-answer');
    },
    text: () => readText(res),
    close: () => res.destroy(),
  };
}

const httpsAgent = new HttpsAgent({ keepAlive: true });

async function readText(res: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of res as AsyncIterable<Buffer>) parts.push(chunk);
  return Buffer.concat(parts).toString('utf8');
}

/**
 * Splits the streamed response into messages: frames of uvarint length + 4-byte big-endian
 * CRC-32C of the message + the message, cut anywhere by the network. Frames that lie whole in a
 * network chunk are handed over as views of it; only a frame cut between chunks is buffered.
 */
export class StreamedFrameSplitter {
  /** Bytes of an incomplete frame, carried to the next chunk. */
  #buf = new Uint8Array(0);
  #len = 0;

  /** Forgets any partial frame, for a new stream (the buffer is kept). */
  reset(): void {
    this.#len = 0;
  }

  push(chunk: Uint8Array, sink: MessageSink): void {
    if (this.#len === 0) {
      const used = this.#frames(chunk, chunk.length, sink);
      this.#keep(chunk, used, chunk.length);
      return;
    }
    this.#append(chunk);
    const used = this.#frames(this.#buf, this.#len, sink);
    this.#keep(this.#buf, used, this.#len);
  }

  /** The stream ended: anything left is a cut frame. */
  end(): void {
    if (this.#len > 0)
      throw new StoreUnavailableError(
        `remote read: stream ends inside a frame (${this.#len} bytes left)`,
      );
  }

  /** Hands over the complete frames in bytes[0, end); returns where the first incomplete one starts. */
  #frames(bytes: Uint8Array, end: number, sink: MessageSink): number {
    let pos = 0;
    while (pos < end) {
      let len = 0;
      let at = pos;
      let complete = false;
      for (let scale = 1; at < end; scale *= 128) {
        const b = bytes[at++]!;
        len += (b & 0x7f) * scale;
        if (b < 0x80) {
          complete = true;
          break;
        }
        if (at - pos >= 9) throw new BadDataError('remote read: bad frame length');
      }
      if (!complete) return pos;
      if (len > MAX_FRAME_BYTES)
        throw new BadDataError(`remote read: frame of ${len} bytes exceeds the limit`);
      const msgAt = at + 4;
      if (msgAt + len > end) return pos;
      const want =
        ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>>
        0;
      if (crc32c(bytes, 0, msgAt, msgAt + len) >>> 0 !== want)
        throw new BadDataError('remote read: frame checksum mismatch');
      sink.push(bytes.subarray(msgAt, msgAt + len));
      pos = msgAt + len;
    }
    return pos;
  }

  /** Keeps bytes[from, end) as the start of the next frame. */
  #keep(bytes: Uint8Array, from: number, end: number): void {
    const n = end - from;
    if (bytes === this.#buf) {
      if (from > 0) this.#buf.copyWithin(0, from, end);
    } else if (n > 0) {
      if (n > this.#buf.length) this.#buf = new Uint8Array(Math.max(n, 64 * 1024));
      this.#buf.set(bytes.subarray(from, end));
    }
    this.#len = n;
  }

  #append(chunk: Uint8Array): void {
    if (this.#len + chunk.length > this.#buf.length) {
      const next = new Uint8Array(Math.max(this.#len + chunk.length, this.#buf.length * 2));
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
    }
    this.#buf.set(chunk, this.#len);
    this.#len += chunk.length;
  }
}
