/**
 * @module sidecar-agent/grpc/message-framing — gRPC's Length-Prefixed-Message
 * (grpc PROTOCOL-HTTP2.md): a compressed-flag byte, a 4-byte big-endian length, the message.
 */
import type { MessageCodec } from './compression.ts';
import { GrpcError, Status } from './status.ts';

export const PREFIX_BYTES = 5;

/** Writes the 5-byte prefix of a message of `length` bytes at `at`. */
export function putPrefix(out: Uint8Array, at: number, length: number, compressed: boolean): void {
  out[at] = compressed ? 1 : 0;
  out[at + 1] = length >>> 24;
  out[at + 2] = (length >>> 16) & 0xff;
  out[at + 3] = (length >>> 8) & 0xff;
  out[at + 4] = length & 0xff;
}

export function prefixed(message: Uint8Array, compressed: boolean): Uint8Array {
  const out = new Uint8Array(PREFIX_BYTES + message.length);
  putPrefix(out, 0, message.length, compressed);
  out.set(message, PREFIX_BYTES);
  return out;
}

export interface FramedMessage {
  readonly compressed: boolean;
  readonly data: Uint8Array;
}

/**
 * The messages of a whole request body (our methods are unary or server-streaming: the client
 * sends exactly one message). A broken frame is INTERNAL, as grpc-go answers it.
 */
export function splitMessages(body: Uint8Array, maxBytes: number): FramedMessage[] {
  const out: FramedMessage[] = [];
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let pos = 0;
  while (pos < body.length) {
    if (pos + PREFIX_BYTES > body.length)
      throw new GrpcError(Status.INTERNAL, 'grpc: truncated message prefix');
    const flag = body[pos]!;
    const len = view.getUint32(pos + 1);
    if (flag > 1) throw new GrpcError(Status.INTERNAL, `grpc: bad compressed flag ${flag}`);
    if (len > maxBytes)
      throw new GrpcError(
        Status.RESOURCE_EXHAUSTED,
        `grpc: received message larger than max (${len} vs. ${maxBytes})`,
      );
    if (pos + PREFIX_BYTES + len > body.length)
      throw new GrpcError(Status.INTERNAL, 'grpc: truncated message');
    out.push({
      compressed: flag === 1,
      data: body.subarray(pos + PREFIX_BYTES, pos + PREFIX_BYTES + len),
    });
    pos += PREFIX_BYTES + len;
  }
  return out;
}

/** One message, prefixed; compressed when a codec is set. */
export function frameMessage(message: Uint8Array, codec: MessageCodec | undefined): Uint8Array {
  return codec ? prefixed(codec.compress(message), true) : prefixed(message, false);
}

/**
 * Turns a batch of uvarint-delimited messages into gRPC's 5-byte-prefixed ones, each compressed
 * on its own when a codec is set. Without one it is a copy with new prefixes, nothing decoded,
 * into `into`'s memory when it is large enough (the result is then a view of it).
 */
export function reframe(
  batch: Uint8Array,
  codec: MessageCodec | undefined,
  into?: Uint8Array,
): { bytes: Uint8Array; messages: number } {
  const spans: number[] = [];
  let pos = 0;
  while (pos < batch.length) {
    let len = 0;
    for (let shift = 0; ; shift += 7) {
      const b = batch[pos++];
      if (b === undefined)
        throw new GrpcError(Status.INTERNAL, 'truncated frame length in a series batch');
      len += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    if (pos + len > batch.length)
      throw new GrpcError(Status.INTERNAL, 'truncated frame in a series batch');
    spans.push(pos, len);
    pos += len;
  }
  const messages = spans.length / 2;
  if (codec) {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let i = 0; i < spans.length; i += 2) {
      const c = codec.compress(batch.subarray(spans[i]!, spans[i]! + spans[i + 1]!));
      parts.push(c);
      total += PREFIX_BYTES + c.length;
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of parts) {
      putPrefix(out, at, c.length, true);
      out.set(c, at + PREFIX_BYTES);
      at += PREFIX_BYTES + c.length;
    }
    return { bytes: out, messages };
  }
  let total = 0;
  for (let i = 1; i < spans.length; i += 2) total += PREFIX_BYTES + spans[i]!;
  const cap = into?.buffer.byteLength ?? 0;
  const out =
    into && cap >= total
      ? new Uint8Array(into.buffer, 0, total)
      : new Uint8Array(Math.max(total, Math.ceil(cap * 1.25))).subarray(0, total);
  let at = 0;
  for (let i = 0; i < spans.length; i += 2) {
    const start = spans[i]!;
    const len = spans[i + 1]!;
    putPrefix(out, at, len, false);
    out.set(batch.subarray(start, start + len), at + PREFIX_BYTES);
    at += PREFIX_BYTES + len;
  }
  return { bytes: out, messages };
}
