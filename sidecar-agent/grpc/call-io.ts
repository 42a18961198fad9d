/**
 * @module sidecar-agent/grpc/call-io — the I/O of one gRPC call on its HTTP/2 stream: the
 * `grpc-timeout` header, writes that respect backpressure, the status trailers, and promises that
 * give up when the call's signal aborts.
 */
import type { ServerHttp2Stream } from 'node:http2';
import { raceAbort } from '../../core/abort-race.ts';
import { GrpcError, Status, encodeGrpcMessage, type StatusCode } from './status.ts';

/** grpc-timeout units (PROTOCOL-HTTP2.md) in ms. */
const TIMEOUT_UNITS: Readonly<Record<string, number>> = {
  H: 3_600_000,
  M: 60_000,
  S: 1000,
  m: 1,
  u: 1e-3,
  n: 1e-6,
};

export function parseGrpcTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{1,8})([HMSmun])$/.exec(value.trim());
  if (!m)
    throw new GrpcError(Status.INTERNAL, `grpc: malformed grpc-timeout ${JSON.stringify(value)}`);
  return Number(m[1]) * TIMEOUT_UNITS[m[2]!]!;
}

/** Writes, waiting for the stream to drain when its buffer is full (a slow client holds us back). */
export async function write(
  stream: ServerHttp2Stream,
  bytes: Uint8Array,
  signal: AbortSignal,
): Promise<void> {
  if (stream.write(bytes)) return;
  await raceAbort(new Promise<void>((resolve) => stream.once('drain', resolve)), signal);
}

/** Writes and resolves once the bytes were handed to the connection (the buffer is free again). */
export function writeFlushed(
  stream: ServerHttp2Stream,
  bytes: Uint8Array,
  signal: AbortSignal,
): Promise<void> {
  return raceAbort(
    new Promise<void>((resolve, reject) =>
      stream.write(bytes, (err) => (err ? reject(err) : resolve())),
    ),
    signal,
  );
}

export function endWithTrailers(
  stream: ServerHttp2Stream,
  code: StatusCode,
  message: string,
): Promise<void> {
  return new Promise<void>((resolve) => {
    stream.once('wantTrailers', () => {
      stream.sendTrailers({
        'grpc-status': String(code),
        ...(message ? { 'grpc-message': encodeGrpcMessage(message) } : {}),
      });
      resolve();
    });
    // A client gone before the trailers: nothing more to send, and nothing to wait for.
    stream.once('close', resolve);
    stream.end();
  });
}
