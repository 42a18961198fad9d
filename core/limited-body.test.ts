import { describe, expect, it } from 'vitest';
import { readLimitedBody } from './limited-body.ts';

class TooLarge extends Error {
  constructor(readonly bytes: number) {
    super(`too large: ${bytes}`);
  }
}

/** A chunked body of `chunks` pieces of `size` bytes that counts how many were pulled. */
function counted(chunks: number, size: number): { req: Request; pulled: () => number } {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (pulled === chunks) return c.close();
      pulled++;
      c.enqueue(new Uint8Array(size).fill(pulled & 0xff));
    },
  });
  const req = new Request('http://x/', { method: 'POST', body, duplex: 'half' } as RequestInit);
  return { req, pulled: () => pulled };
}

describe('readLimitedBody', () => {
  it('returns a body within the limit whole', async () => {
    const { req } = counted(4, 1000);
    const got = await readLimitedBody(req, 4000, (n) => new TooLarge(n));
    expect(got.length).toBe(4000);
    expect([got[0], got[1000], got[3999]]).toEqual([1, 2, 4]);
  });

  it('refuses a declared length over the limit before reading', async () => {
    const req = new Request('http://x/', {
      method: 'POST',
      body: new Uint8Array(5000),
      headers: { 'content-length': '5000' },
    });
    const err = await readLimitedBody(req, 4000, (n) => new TooLarge(n)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooLarge);
    expect((err as TooLarge).bytes).toBe(5000);
    expect(req.bodyUsed).toBe(false);
  });

  it('reads a body of declared length within the limit whole', async () => {
    const sent = Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff);
    const req = new Request('http://x/', {
      method: 'POST',
      body: sent,
      headers: { 'content-length': '3000' },
    });
    const got = await readLimitedBody(req, 4000, (n) => new TooLarge(n));
    expect(got).toEqual(sent);
  });

  it('does not trust a declared length that is not a number: the body is read up to the limit', async () => {
    const { req: chunked, pulled } = counted(1000, 64 << 10);
    const req = new Request(chunked, { headers: { 'content-length': 'lots' } });
    const err = await readLimitedBody(req, 1 << 20, (n) => new TooLarge(n)).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TooLarge);
    expect(pulled()).toBeLessThanOrEqual(19);
  });

  it('stops reading a chunked body as soon as it passes the limit', async () => {
    // 1,000 chunks of 64 KiB (64 MB) against a 1 MiB limit.
    const { req, pulled } = counted(1000, 64 << 10);
    const err = await readLimitedBody(req, 1 << 20, (n) => new TooLarge(n)).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TooLarge);
    expect((err as TooLarge).bytes).toBe(17 * (64 << 10));
    // The stream's own read-ahead aside, nothing past the limit was asked for.
    expect(pulled()).toBeLessThanOrEqual(19);
  });

  it('with drainUpTo, reads the rest of a too-large body (without keeping it) before refusing', async () => {
    const { req, pulled } = counted(10, 1000);
    const err = await readLimitedBody(req, 2000, (n) => new TooLarge(n), {
      drainUpTo: 20_000,
    }).catch((e: unknown) => e);
    expect((err as TooLarge).bytes).toBe(3000);
    expect(pulled()).toBe(10);
    // Past drainUpTo it stops reading anyway.
    const long = counted(1000, 1000);
    const err2 = await readLimitedBody(long.req, 2000, (n) => new TooLarge(n), {
      drainUpTo: 5000,
    }).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(TooLarge);
    expect(long.pulled()).toBeLessThanOrEqual(9);
  });
});
