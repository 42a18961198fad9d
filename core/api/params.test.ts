import { describe, expect, it } from 'vitest';
import { BadDataError } from '../errors.ts';
import { MAX_FORM_BYTES, Params } from './params.ts';

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request('http://x/api/v1/query?time=5', {
    method: 'POST',
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });

describe('Params.from', () => {
  it('merges the form body before the URL query', async () => {
    const p = await Params.from(post('query=up&time=1'));
    expect(p.get('query')).toBe('up');
    expect(p.getAll('time')).toEqual(['1', '5']);
  });
  it("refuses a body past Go's 10 MiB form limit with Prometheus's text, streamed or declared", async () => {
    const big = 'query=' + 'a'.repeat(MAX_FORM_BYTES);
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new TextEncoder().encode(big.slice(0, 1 << 20)));
      },
    });
    const err = await Params.from(post(stream)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadDataError);
    expect((err as Error).message).toBe('error parsing form values: http: POST too large');
    // It stopped reading just past the limit: an endless body does not hang or fill memory.
    expect(pulled).toBeLessThan(13);
    await expect(
      Params.from(post('query=up', { 'content-length': String(MAX_FORM_BYTES + 1) })),
    ).rejects.toThrow('POST too large');
  });
});
