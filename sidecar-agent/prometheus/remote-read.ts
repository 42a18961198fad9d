/**
 * @module sidecar-agent/prometheus/remote-read — Prometheus remote read with
 * `STREAMED_XOR_CHUNKS` (docs: prometheus storage/remote/codec.go, prompb/remote.proto).
 *
 * Request: a snappy-block-compressed `prometheus.ReadRequest`, POST /api/v1/read.
 * Response: `application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse`, frames of
 * uvarint(message length) + 4-byte big-endian CRC-32C of the message + the message.
 *
 * The response is pulled one frame at a time: nothing is read from the socket before the
 * consumer asks for the next series, so memory stays at about one frame however big the answer.
 */
import { BadDataError, errorMessage } from '../../core/errors.ts';
import type { Matcher } from '../../core/labels/matcher.ts';
import { StoreUnavailableError } from '../../core/storeapi/errors.ts';
import { prometheus } from '../../core/storeapi/proto/gen/prompb.js';
import { crc32c } from '../../core/tsdb/encoding.ts';
import { snappyEncode } from './snappy.ts';

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
  fetchFn: typeof fetch = fetch,
): AsyncGenerator<prometheus.IChunkedSeries> {
  const url = `${baseUrl}/api/v1/read`;
  let res: Response;
  try {
    res = await fetchFn(url, {
      method: 'POST',
      body: encodeReadRequest(q) as Uint8Array<ArrayBuffer>,
      headers: {
        'content-encoding': 'snappy',
        'content-type': 'application/x-protobuf',
        'x-prometheus-remote-read-version': REMOTE_READ_VERSION,
      },
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    throw new StoreUnavailableError(`prometheus remote read ${url}: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  if (!res.ok) {
    const text = (await res.text().catch(() => '')).trim().slice(0, 500);
    const msg = `prometheus remote read: HTTP ${res.status}: ${text}`;
    if (res.status === 400) throw new BadDataError(msg);
    throw new StoreUnavailableError(msg);
  }
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('application/x-streamed-protobuf')) {
    await res.body?.cancel();
    throw new StoreUnavailableError(
      `prometheus remote read: unexpected content type ${JSON.stringify(type)}`,
    );
  }
  if (!res.body) return;
  const reader = res.body.getReader();
  try {
    for await (const message of streamedFrames(reader)) {
      const resp = prometheus.ChunkedReadResponse.decode(message);
      for (const s of resp.chunked_series) yield s;
    }
  } catch (err) {
    if (err instanceof BadDataError || err instanceof StoreUnavailableError) throw err;
    throw new StoreUnavailableError(`prometheus remote read stream: ${errorMessage(err)}`, {
      cause: err,
    });
  } finally {
    // Early return by the consumer (limit, cancel): stop the transfer instead of draining it.
    await reader.cancel().catch(() => undefined);
  }
}

/** Frames of uvarint length + CRC-32C + message; checks each checksum. */
export async function* streamedFrames(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  let buf = new Uint8Array(0);
  let start = 0;
  let end = 0;
  let done = false;
  // Ensures `n` bytes are buffered from `start`; false at a clean end of stream.
  const fill = async (n: number): Promise<boolean> => {
    while (end - start < n) {
      if (done) return false;
      const r = await reader.read();
      if (r.done) {
        done = true;
        continue;
      }
      const chunk = r.value;
      if (end + chunk.length > buf.length) {
        const live = end - start;
        if (live + chunk.length <= buf.length) {
          // Room once consumed bytes are dropped: reuse the buffer (it stays about one frame big).
          buf.copyWithin(0, start, end);
        } else {
          const next = new Uint8Array(Math.max(live + chunk.length, buf.length * 2, 64 * 1024));
          next.set(buf.subarray(start, end));
          buf = next;
        }
        start = 0;
        end = live;
      }
      buf.set(chunk, end);
      end += chunk.length;
    }
    return true;
  };
  for (;;) {
    // Length: up to 10 varint bytes; read what is there.
    if (!(await fill(1))) return;
    let len = 0;
    let headerLen = 0;
    for (let shift = 0; ; shift += 7) {
      if (!(await fill(headerLen + 1)))
        throw new StoreUnavailableError('remote read: stream ends inside a frame header');
      const b = buf[start + headerLen++]!;
      len += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
      if (shift > 56) throw new BadDataError('remote read: bad frame length');
    }
    if (len > MAX_FRAME_BYTES)
      throw new BadDataError(`remote read: frame of ${len} bytes exceeds the limit`);
    if (!(await fill(headerLen + 4 + len)))
      throw new StoreUnavailableError('remote read: stream ends inside a frame');
    const crcAt = start + headerLen;
    const want =
      ((buf[crcAt]! << 24) | (buf[crcAt + 1]! << 16) | (buf[crcAt + 2]! << 8) | buf[crcAt + 3]!) >>>
      0;
    const msgAt = crcAt + 4;
    // A copy: the decoded chunks keep views of it, and the read buffer is reused.
    const message = buf.slice(msgAt, msgAt + len);
    if (crc32c(message) >>> 0 !== want)
      throw new BadDataError('remote read: frame checksum mismatch');
    start = msgAt + len;
    yield message;
  }
}
