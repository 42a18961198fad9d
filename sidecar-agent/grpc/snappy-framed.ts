/**
 * @module sidecar-agent/grpc/snappy-framed — the snappy FRAMED stream format, which is what the
 * gRPC message encoding "snappy" carries in Thanos (its compressor wraps klauspost/compress's
 * snappy.NewBufferedWriter / NewReader, the stream format, not the block format Prometheus's
 * remote read uses). Spec: google/snappy framing_format.txt: a stream identifier chunk, then
 * chunks of a type byte, a 3-byte little-endian length and a body; data chunks carry a masked
 * CRC-32C of their uncompressed bytes and at most 64 KiB of them.
 *
 * The encoder compresses each chunk with a greedy single-probe LZ77 into snappy's block format
 * (literals, and 2-byte-offset copies, enough since a chunk is at most 64 KiB); the block decoder
 * is core's (core/tsdb/wal/snappy.ts, the one that reads Prometheus's WAL).
 */
import { concatBytes } from '../../core/concat-bytes.ts';
import { BadDataError } from '../../core/errors.ts';
import { putUvarint } from '../../core/varint.ts';
import { crc32c } from '../../core/tsdb/crc32c.ts';
import { snappyDecode } from '../../core/tsdb/wal/snappy.ts';

const CHUNK_COMPRESSED = 0x00;
const CHUNK_UNCOMPRESSED = 0x01;
const CHUNK_PADDING = 0xfe;
const CHUNK_STREAM_ID = 0xff;
/** The stream identifier chunk: type 0xff, length 6, "sNaPpY". */
const STREAM_ID = Uint8Array.of(0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59);
/** Uncompressed bytes one data chunk may carry (framing_format.txt §4.2). */
const MAX_CHUNK_DATA = 65536;
/** The CRC mask constant of framing_format.txt §3. */
const CRC_MASK_DELTA = 0xa282ead8;
/** Longest copy one 2-byte-offset element expresses. */
const MAX_COPY = 64;
/** Hash-table size bounds (bits): small messages clear a small table, as Go's snappy sizes it. */
const MAX_HASH_BITS = 14;
const MIN_HASH_BITS = 8;
/** One table for every call: encoding is synchronous, so no two calls share it at once. */
const TABLE = new Int32Array(1 << MAX_HASH_BITS);
/** Inputs shorter than this are sent as literals: there is nothing to find a match in. */
const MIN_COMPRESS = 16;

export function maskedCrc(data: Uint8Array): number {
  const c = crc32c(data);
  return ((((c >>> 15) | (c << 17)) >>> 0) + CRC_MASK_DELTA) >>> 0;
}

/** Encodes `input` as one framed snappy stream (identifier, then compressed or stored chunks). */
export function snappyFramedEncode(input: Uint8Array): Uint8Array {
  const chunks = Math.max(1, Math.ceil(input.length / MAX_CHUNK_DATA));
  // Worst case per chunk: header 8 + snappy's bound (len + len/6 + 32).
  const out = new Uint8Array(STREAM_ID.length + chunks * 48 + Math.ceil(input.length * 1.2));
  out.set(STREAM_ID, 0);
  let at = STREAM_ID.length;
  for (let start = 0; start < input.length; start += MAX_CHUNK_DATA) {
    const data = input.subarray(start, Math.min(input.length, start + MAX_CHUNK_DATA));
    const header = at;
    at += 8; // type, 3-byte length, CRC
    const bodyEnd = snappyBlockEncode(data, out, at);
    let type = CHUNK_COMPRESSED;
    if (bodyEnd - at >= data.length) {
      // Did not shrink: store it as it is (less work for the reader).
      type = CHUNK_UNCOMPRESSED;
      out.set(data, at);
      at += data.length;
    } else at = bodyEnd;
    const len = at - header - 4;
    out[header] = type;
    out[header + 1] = len & 0xff;
    out[header + 2] = (len >>> 8) & 0xff;
    out[header + 3] = len >>> 16;
    new DataView(out.buffer, out.byteOffset).setUint32(header + 4, maskedCrc(data), true);
  }
  return out.subarray(0, at);
}

/** Decodes a framed snappy stream; a bad checksum or an unskippable reserved chunk is an error. */
export function snappyFramedDecode(input: Uint8Array, maxBytes = 256 * 1024 * 1024): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  let pos = 0;
  let sawId = false;
  while (pos < input.length) {
    if (pos + 4 > input.length) throw new BadDataError('snappy stream: truncated chunk header');
    const type = input[pos]!;
    const len = input[pos + 1]! | (input[pos + 2]! << 8) | (input[pos + 3]! << 16);
    const body = input.subarray(pos + 4, pos + 4 + len);
    if (body.length < len) throw new BadDataError('snappy stream: truncated chunk');
    pos += 4 + len;
    if (type === CHUNK_STREAM_ID) {
      if (len !== 6 || String.fromCharCode(...body) !== 'sNaPpY')
        throw new BadDataError('snappy stream: bad stream identifier');
      sawId = true;
      continue;
    }
    if (!sawId) throw new BadDataError('snappy stream: missing stream identifier');
    if (type === CHUNK_COMPRESSED || type === CHUNK_UNCOMPRESSED) {
      if (len < 4) throw new BadDataError('snappy stream: data chunk without checksum');
      const want = new DataView(body.buffer, body.byteOffset).getUint32(0, true);
      let data: Uint8Array;
      try {
        data = type === CHUNK_COMPRESSED ? snappyDecode(body.subarray(4)) : body.subarray(4);
      } catch (err) {
        throw new BadDataError(`snappy stream: ${(err as Error).message}`, { cause: err });
      }
      if (maskedCrc(data) !== want) throw new BadDataError('snappy stream: checksum mismatch');
      total += data.length;
      if (total > maxBytes) throw new BadDataError(`snappy stream: more than ${maxBytes} bytes`);
      parts.push(data);
      continue;
    }
    if (type === CHUNK_PADDING || type >= 0x80) continue; // skippable
    throw new BadDataError(`snappy stream: reserved unskippable chunk type 0x${type.toString(16)}`);
  }
  return concatBytes(parts, total);
}

/**
 * Writes `src` (at most 64 KiB) in snappy's block format into `out` at `at`; returns the end.
 * Greedy: one hash-table probe per position, matches of 4 bytes or more become copies.
 */
function snappyBlockEncode(src: Uint8Array, out: Uint8Array, at: number): number {
  at = putUvarint(out, at, src.length);
  const n = src.length;
  if (n < MIN_COMPRESS) return emitLiteral(src, 0, n, out, at);
  let bits = MIN_HASH_BITS;
  while (bits < MAX_HASH_BITS && 1 << bits < n) bits++;
  const table = TABLE;
  table.fill(-1, 0, 1 << bits);
  let lit = 0; // start of the pending literal
  // Go snappy's skip heuristic: after 32 misses in a row, probe every 2nd byte, then every 3rd…
  // Incompressible input (XOR chunks are) is scanned quickly instead of byte by byte.
  let skip = 32;
  let i = 0;
  const last = n - 4;
  while (i <= last) {
    const word = src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24);
    const h = Math.imul(word, 0x1e35a7bd) >>> (32 - bits);
    const cand = table[h]!;
    table[h] = i;
    if (
      cand < 0 ||
      src[cand] !== src[i] ||
      src[cand + 1] !== src[i + 1] ||
      src[cand + 2] !== src[i + 2] ||
      src[cand + 3] !== src[i + 3]
    ) {
      i += skip >>> 5;
      skip++;
      continue;
    }
    let len = 4;
    while (i + len < n && src[cand + len] === src[i + len]) len++;
    if (lit < i) at = emitLiteral(src, lit, i, out, at);
    at = emitCopy(i - cand, len, out, at);
    i += len;
    skip = 32;
    lit = i;
  }
  if (lit < n) at = emitLiteral(src, lit, n, out, at);
  return at;
}

function emitLiteral(
  src: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  at: number,
): number {
  const m = end - start - 1;
  if (m < 60) out[at++] = m << 2;
  else if (m < 0x100) {
    out[at++] = 60 << 2;
    out[at++] = m;
  } else {
    out[at++] = 61 << 2;
    out[at++] = m & 0xff;
    out[at++] = m >>> 8;
  }
  out.set(src.subarray(start, end), at);
  return at + (end - start);
}

/** Copies with a 2-byte offset (tag 10), split into elements of at most 64 bytes. */
function emitCopy(offset: number, len: number, out: Uint8Array, at: number): number {
  while (len > 0) {
    // Never leave a remainder under 4: copies shorter than that do not pay.
    let l = Math.min(len, MAX_COPY);
    if (len - l > 0 && len - l < 4) l = len - 4;
    out[at++] = ((l - 1) << 2) | 2;
    out[at++] = offset & 0xff;
    out[at++] = offset >>> 8;
    len -= l;
  }
  return at;
}
