import { describe, expect, it } from 'vitest';
import { frame, readFrames } from './framing.ts';
import { Random } from '../../test/helpers/random.ts';

async function* chunksOf(bytes: Uint8Array, sizes: () => number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length;) {
    const n = Math.max(1, Math.min(sizes(), bytes.length - i));
    yield bytes.slice(i, i + n);
    i += n;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('uvarint framing', () => {
  const messages = [0, 1, 127, 128, 300, 16_384, 70_000].map((n) =>
    Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff),
  );
  const wire = concat(messages.map(frame));

  it('reads back every message whatever the stream chunking', async () => {
    const rnd = new Random(1);
    const random = (): number => rnd.intBetween(1, 5000);
    for (const sizes of [() => 13, random, () => 1 << 20]) {
      const got: Uint8Array[] = [];
      for await (const m of readFrames(chunksOf(wire, sizes))) got.push(m);
      expect(got.map((m) => m.length)).toEqual(messages.map((m) => m.length));
      got.forEach((m, i) => expect(m).toEqual(messages[i]));
    }
  });

  it('hands out many small frames intact across every kind of chunk boundary', async () => {
    const rnd = new Random(3);
    const many = Array.from({ length: 500 }, (_, k) =>
      Uint8Array.from({ length: rnd.intBetween(0, 300) }, (_, i) => (i * 31 + k) & 0xff),
    );
    const bytes = concat(many.map(frame));
    for (const max of [2, 50, 700, 5000]) {
      const got: Uint8Array[] = [];
      // Kept until the end: a frame must not change when later chunks arrive.
      for await (const m of readFrames(chunksOf(bytes, () => rnd.intBetween(1, max)))) got.push(m);
      expect(got).toEqual(many);
    }
  });

  it('reads frames split into single bytes', async () => {
    const small = [
      Uint8Array.of(),
      Uint8Array.of(9),
      Uint8Array.from({ length: 200 }, (_, i) => i),
    ];
    const got: Uint8Array[] = [];
    for await (const m of readFrames(chunksOf(concat(small.map(frame)), () => 1))) got.push(m);
    expect(got).toEqual(small);
  });

  it('fails on a stream that ends inside a frame', async () => {
    const cut = wire.slice(0, wire.length - 10);
    await expect(async () => {
      for await (const _ of readFrames(chunksOf(cut, () => 999))) void _;
    }).rejects.toThrow(/ended inside a frame/);
  });

  it('reads from a web ReadableStream and cancels it when the consumer stops early', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(frame(Uint8Array.of(1, 2, 3)));
      },
      cancel() {
        cancelled = true;
      },
    });
    let n = 0;
    for await (const m of readFrames(stream)) {
      expect(Array.from(m)).toEqual([1, 2, 3]);
      if (++n === 5) break;
    }
    expect(cancelled).toBe(true);
  });

  it('reads a byte stream into its own buffer: 4 KiB pieces, frames intact once kept', async () => {
    const rnd = new Random(5);
    const many = Array.from({ length: 150 }, (_, k) =>
      Uint8Array.from({ length: rnd.intBetween(0, 6000) }, (_, i) => (i * 13 + k) & 0xff),
    );
    const bytes = concat(many.map(frame));
    let at = 0;
    let byobPulls = 0;
    let pulls = 0;
    // As workerd delivers a Durable Object's response body: a byte stream in 4 KiB pieces.
    const stream = new ReadableStream({
      type: 'bytes',
      pull(c) {
        pulls++;
        if (c.byobRequest) byobPulls++;
        if (at >= bytes.length) {
          c.close();
          c.byobRequest?.respond(0);
          return;
        }
        const n = Math.min(4096, bytes.length - at);
        c.enqueue(bytes.slice(at, at + n));
        at += n;
      },
    });
    const got: Uint8Array[] = [];
    for await (const m of readFrames(stream)) got.push(m);
    expect(got).toEqual(many);
    // Read with a BYOB reader, not the default one.
    expect(pulls).toBeGreaterThan(0);
    expect(byobPulls).toBe(pulls);
  });

  it('cancels a byte stream when the consumer stops early', async () => {
    let cancelled = false;
    const stream = new ReadableStream({
      type: 'bytes',
      pull(c) {
        c.enqueue(Uint8Array.from(frame(Uint8Array.of(4, 5))));
      },
      cancel() {
        cancelled = true;
      },
    });
    let n = 0;
    for await (const m of readFrames(stream)) {
      expect(Array.from(m)).toEqual([4, 5]);
      if (++n === 3) break;
    }
    expect(cancelled).toBe(true);
  });
});
