import { describe, expect, it } from 'vitest';
import { byteChunks, readAllBytes } from './byte-stream.ts';
import { concatBytes } from './concat-bytes.ts';

const PIECE = 4096;

/** `bytes` as a byte stream whose pieces are all queued before the first read (a body received). */
function receivedByteStream(bytes: Uint8Array): {
  stream: ReadableStream<Uint8Array>;
  cancelled: () => boolean;
} {
  let cancelled = false;
  const stream = new ReadableStream({
    type: 'bytes',
    start(c) {
      for (let at = 0; at < bytes.length; at += PIECE) c.enqueue(bytes.slice(at, at + PIECE));
      c.close();
    },
    cancel() {
      cancelled = true;
    },
  }) as ReadableStream<Uint8Array>;
  return { stream, cancelled: () => cancelled };
}

const concat = (parts: readonly Uint8Array[]): Uint8Array =>
  concatBytes(
    parts,
    parts.reduce((n, p) => n + p.length, 0),
  );

/** Byte equality without vitest's element-by-element diff of a megabyte. */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const pattern = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);

describe('byteChunks', () => {
  it('reads what a byte stream has received in a few large reads, bytes unchanged', async () => {
    const bytes = pattern(1_000_000);
    const { stream } = receivedByteStream(bytes);
    const copies: Uint8Array[] = [];
    for await (const chunk of byteChunks(stream)) copies.push(chunk.slice());
    // 245 pieces of 4 KiB, taken 256 KiB at a time.
    expect(copies.length).toBeLessThanOrEqual(4);
    expect(same(concat(copies), bytes)).toBe(true);
  });

  it('reads a stream that is not a byte stream as it comes', async () => {
    const pieces = [pattern(10), pattern(0), pattern(3000)];
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of pieces) c.enqueue(p);
        c.close();
      },
    });
    const got: Uint8Array[] = [];
    for await (const chunk of byteChunks(stream)) got.push(chunk);
    // Empty pieces are skipped.
    expect(got).toEqual([pieces[0], pieces[2]]);
  });

  it('cancels the stream when the consumer stops early', async () => {
    const { stream, cancelled } = receivedByteStream(pattern(3_000_000));
    for await (const chunk of byteChunks(stream)) {
      expect(chunk.byteLength).toBeGreaterThan(0);
      break;
    }
    expect(cancelled()).toBe(true);
  });

  it('readAllBytes concatenates every piece', async () => {
    for (const n of [0, 1, PIECE, 600_000]) {
      const bytes = pattern(n);
      expect(same(await readAllBytes(receivedByteStream(bytes).stream), bytes)).toBe(true);
    }
  });
});
