/**
 * @module core/storeapi/framing — uvarint-length-delimited frames over a byte stream, the wire
 * format of StoreAPI responses over HTTP streaming (one protobuf message per frame).
 */
import { BadDataError } from '../errors.ts';
import { byteChunks } from '../byte-stream.ts';
import { putUvarint, uvarintSize } from '../varint.ts';

/** A frame larger than this is treated as corrupt rather than allocated. */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

/** Prefixes one message with its uvarint length. */
export function frame(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(uvarintSize(message.length) + message.length);
  out.set(message, putUvarint(out, 0, message.length));
  return out;
}

/**
 * A growable buffer a stream's frames are written into and handed out from in batches: the
 * memory is reused from batch to batch, and each batch handed out is a copy its taker owns.
 */
export class FrameBuffer {
  buf: Uint8Array;
  /** Bytes written so far. */
  at = 0;
  readonly #initial: number;

  constructor(initial = 64 * 1024) {
    this.#initial = initial;
    this.buf = new Uint8Array(initial);
  }

  /** Makes room for `n` more bytes at `at`. */
  reserve(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.at + n));
    next.set(this.buf.subarray(0, this.at));
    this.buf = next;
  }

  /** Appends one message with its uvarint length. */
  appendFrame(message: Uint8Array): void {
    this.reserve(uvarintSize(message.length) + message.length);
    this.at = putUvarint(this.buf, this.at, message.length);
    this.buf.set(message, this.at);
    this.at += message.length;
  }

  /** The bytes written, as a copy; the buffer starts over (a huge one is let go). */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.at);
    this.at = 0;
    if (this.buf.length > 16 * this.#initial) this.buf = new Uint8Array(this.#initial);
    return out;
  }
}

/**
 * Splits a byte stream into frames. Chunks of the stream may cut a frame (or its length) anywhere;
 * a stream that ends inside a frame is an error, never a silently shorter answer. Frames are
 * copies: handing out views of the received chunks instead made the workerd query of
 * test/integration/store-gateway/scale-memory.test.ts hang (cause not found).
 */
export async function* readFrames(
  stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  source = 'stream',
): AsyncGenerator<Uint8Array> {
  let buf = new Uint8Array(0);
  let start = 0;
  let end = 0;
  const iterable: AsyncIterable<Uint8Array> = 'getReader' in stream ? byteChunks(stream) : stream;
  for await (const chunk of iterable) {
    if (end + chunk.length > buf.length) {
      const live = end - start;
      if (live + chunk.length <= buf.length) {
        // Room once the consumed frames are dropped: move the partial frame to the front rather
        // than doubling the buffer (which, on a long stream, grew it toward the stream's size).
        buf.copyWithin(0, start, end);
      } else {
        const next = new Uint8Array(Math.max(buf.length * 2, live + chunk.length, 4096));
        next.set(buf.subarray(start, end));
        buf = next;
      }
      start = 0;
      end = live;
    }
    buf.set(chunk, end);
    end += chunk.length;
    for (;;) {
      const header = readUvarint(buf, start, end);
      if (!header) break;
      const [len, headerLen] = header;
      if (len > MAX_FRAME_BYTES)
        throw new BadDataError(`${source}: frame of ${len} bytes exceeds the limit`);
      if (end - start - headerLen < len) break;
      const bodyStart = start + headerLen;
      yield buf.slice(bodyStart, bodyStart + len);
      start = bodyStart + len;
    }
    if (start === end) start = end = 0;
  }
  if (end !== start)
    throw new BadDataError(`${source}: stream ended inside a frame (${end - start} bytes left)`);
}

function readUvarint(buf: Uint8Array, start: number, end: number): [number, number] | undefined {
  let value = 0;
  let scale = 1;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, i - start + 1];
    scale *= 128;
    if (i - start >= 8) throw new BadDataError('frame length varint too long');
  }
  return undefined;
}

/** Protobuf output is backed by a plain ArrayBuffer; TypeScript's BodyInit wants that stated. */
export function asBody(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>;
}
