/**
 * @module sidecar-agent/grpc/compression — gRPC message encodings and their negotiation. A Thanos
 * Querier started with `--grpc-compression=snappy` sends its requests with `grpc-encoding: snappy`,
 * and grpc-go servers answer with the encoding the request came in; we do the same, falling back
 * to identity when the client does not list that encoding in `grpc-accept-encoding`.
 */
import { gunzipSync, gzipSync, constants as zlib } from 'node:zlib';
import { GrpcError, Status } from './status.ts';
import { snappyFramedDecode, snappyFramedEncode } from './snappy-framed.ts';

export type EncodingName = 'identity' | 'gzip' | 'snappy';

export interface MessageCodec {
  readonly name: EncodingName;
  compress(message: Uint8Array): Uint8Array;
  decompress(message: Uint8Array, maxBytes: number): Uint8Array;
}

const codecs: Readonly<Record<EncodingName, MessageCodec | undefined>> = {
  identity: undefined,
  gzip: {
    name: 'gzip',
    // Level 1: series chunks are already XOR-compressed; the labels are what shrinks.
    compress: (m) => gzipSync(m, { level: 1 }),
    decompress: (m, maxBytes) =>
      gunzipSync(m, { maxOutputLength: maxBytes, finishFlush: zlib.Z_SYNC_FLUSH }),
  },
  snappy: {
    name: 'snappy',
    compress: snappyFramedEncode,
    decompress: snappyFramedDecode,
  },
};

/** What we advertise in `grpc-accept-encoding`. */
export const ACCEPT_ENCODING = 'identity,gzip,snappy';

/** The codec of a request's `grpc-encoding` (undefined for identity); UNIMPLEMENTED if unknown. */
export function requestCodec(header: string | undefined): MessageCodec | undefined {
  const name = (header ?? 'identity').trim().toLowerCase();
  if (!(name in codecs))
    throw new GrpcError(
      Status.UNIMPLEMENTED,
      `grpc: Decompressor is not installed for grpc-encoding "${name}"`,
    );
  return codecs[name as EncodingName];
}

/**
 * The codec for the response: the request's own encoding if the client accepts it back (a client
 * that sent snappy does), else the first of ours the client prefers, else none.
 */
export function responseCodec(
  request: MessageCodec | undefined,
  acceptHeader: string | undefined,
): MessageCodec | undefined {
  const accepted = (acceptHeader ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  if (request && (accepted.length === 0 || accepted.includes(request.name))) return request;
  return undefined;
}

/** A message as received: decompressed when its flag says so. */
export function decodeMessage(
  data: Uint8Array,
  compressed: boolean,
  codec: MessageCodec | undefined,
  maxBytes: number,
): Uint8Array {
  if (!compressed) return data;
  if (!codec)
    throw new GrpcError(
      Status.INTERNAL,
      'grpc: compressed flag set with identity or empty grpc-encoding',
    );
  try {
    return codec.decompress(data, maxBytes);
  } catch (err) {
    throw new GrpcError(
      Status.INTERNAL,
      `grpc: failed to decompress the received message: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
