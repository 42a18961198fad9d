/**
 * @module test/helpers/grpc-raw-client — one gRPC call over node:http2 by hand, for what grpc-js
 * cannot do: Thanos's `snappy` message encoding, and reading the wire as it is (headers,
 * trailers, compressed flags). Snappy messages are checked and unpacked here with a decoder of
 * the framing format written for the test (the block decoder is core's WAL one, tested against
 * Prometheus's own WAL), not with the server's.
 */
import { connect, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { gunzipSync, gzipSync } from 'node:zlib';
import { crc32c } from '../../core/tsdb/crc32c.ts';
import { snappyDecode } from '../../core/tsdb/wal/snappy.ts';

export interface RawGrpcOptions {
  /** Request message encoding (compressed flag set); default identity. */
  readonly encoding?: 'identity' | 'gzip' | 'snappy';
  /** `grpc-accept-encoding` (default: the request encoding). */
  readonly accept?: string;
  /** `grpc-timeout` value, e.g. `200m`. */
  readonly timeout?: string;
  /** Called with every response message, decompressed; without it messages are collected. */
  readonly onMessage?: (message: Uint8Array) => void;
  /** A session to reuse (default: one per call, closed after it). */
  readonly session?: ClientHttp2Session;
}

export interface RawGrpcResult {
  readonly headers: IncomingHttpHeaders;
  readonly trailers: IncomingHttpHeaders;
  readonly status: number;
  readonly message: string;
  readonly messages: Uint8Array[];
  /** How many response messages had the compressed flag. */
  readonly compressedMessages: number;
}

/** Decodes a snappy framed stream (framing_format.txt): identifier, data chunks with masked CRC. */
export function testSnappyFramedDecode(b: Uint8Array): Uint8Array {
  const out: Uint8Array[] = [];
  let p = 0;
  if (b[0] !== 0xff || String.fromCharCode(...b.subarray(4, 10)) !== 'sNaPpY')
    throw new Error('snappy: stream does not start with the identifier chunk');
  while (p < b.length) {
    const type = b[p]!;
    const len = b[p + 1]! + b[p + 2]! * 256 + b[p + 3]! * 65536;
    const body = b.subarray(p + 4, p + 4 + len);
    p += 4 + len;
    if (type === 0xff) continue;
    if (type !== 0 && type !== 1) throw new Error(`snappy: unexpected chunk type ${type}`);
    const data = type === 0 ? snappyDecode(body.subarray(4)) : body.subarray(4);
    const c = crc32c(data);
    const masked = ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
    const want = body[0]! | (body[1]! << 8) | (body[2]! << 16) | (body[3]! * 2 ** 24);
    if (masked !== want >>> 0) throw new Error('snappy: chunk checksum mismatch');
    out.push(data);
  }
  return Buffer.concat(out);
}

function decompress(encoding: string | undefined, data: Uint8Array): Uint8Array {
  if (encoding === 'gzip') return gunzipSync(data);
  if (encoding === 'snappy') return testSnappyFramedDecode(data);
  throw new Error(`compressed message with grpc-encoding ${encoding}`);
}

function compress(encoding: 'gzip' | 'snappy', data: Uint8Array): Uint8Array {
  if (encoding === 'gzip') return new Uint8Array(gzipSync(data));
  // Snappy framed, as stored (uncompressed) chunks: enough for a request of a few matchers.
  const c = crc32c(data);
  const masked = ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
  const id = [0xff, 6, 0, 0, ...Buffer.from('sNaPpY')];
  const len = data.length + 4;
  const hdr = [1, len & 0xff, (len >> 8) & 0xff, len >> 16];
  const crc = [masked & 0xff, (masked >>> 8) & 0xff, (masked >>> 16) & 0xff, masked >>> 24];
  return Uint8Array.from([...id, ...hdr, ...crc, ...data]);
}

export async function rawGrpcCall(
  address: string,
  path: string,
  request: Uint8Array,
  o: RawGrpcOptions = {},
): Promise<RawGrpcResult> {
  const session = o.session ?? connect(`http://${address}`);
  const encoding = o.encoding ?? 'identity';
  const body = encoding === 'identity' ? request : compress(encoding, request);
  const prefix = Buffer.alloc(5);
  prefix[0] = encoding === 'identity' ? 0 : 1;
  prefix.writeUInt32BE(body.length, 1);
  const stream = session.request({
    ':method': 'POST',
    ':path': path,
    'content-type': 'application/grpc+proto',
    te: 'trailers',
    'grpc-encoding': encoding,
    'grpc-accept-encoding': o.accept ?? encoding,
    ...(o.timeout ? { 'grpc-timeout': o.timeout } : {}),
  });
  stream.end(Buffer.concat([prefix, body]));
  const messages: Uint8Array[] = [];
  let compressedMessages = 0;
  try {
    return await new Promise<RawGrpcResult>((resolve, reject) => {
      let headers: IncomingHttpHeaders = {};
      let trailers: IncomingHttpHeaders = {};
      let buf: Buffer = Buffer.alloc(0);
      stream.on('response', (h) => {
        headers = h;
        // Trailers-only: the status comes with the headers.
        if (h['grpc-status'] !== undefined) trailers = h;
      });
      stream.on('trailers', (t) => (trailers = t));
      stream.on('data', (chunk: Buffer) => {
        buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
        while (buf.length >= 5 && buf.length >= 5 + buf.readUInt32BE(1)) {
          const len = buf.readUInt32BE(1);
          let msg: Uint8Array = buf.subarray(5, 5 + len);
          if (buf[0] === 1) {
            compressedMessages++;
            msg = decompress(headers['grpc-encoding'] as string | undefined, msg);
          }
          if (o.onMessage) o.onMessage(msg);
          else messages.push(new Uint8Array(msg));
          buf = buf.subarray(5 + len);
        }
      });
      stream.on('error', reject);
      stream.on('close', () => {
        if (buf.length > 0) return reject(new Error(`${buf.length} bytes of a partial message`));
        resolve({
          headers,
          trailers,
          status: Number(trailers['grpc-status'] ?? -1),
          message: decodeURIComponent(String(trailers['grpc-message'] ?? '')),
          messages,
          compressedMessages,
        });
      });
    });
  } finally {
    if (!o.session) session.close();
  }
}
