import { describe, expect, it } from 'vitest';
import { BadDataError } from '../errors.ts';
import { MAX_FORM_BYTES, Params, parseTime } from './params.ts';

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
  it('reads multipart forms, and answers a malformed or oversized one as bad data', async () => {
    const form = '--xyz\r\nContent-Disposition: form-data; name="query"\r\n\r\nup\r\n--xyz--\r\n';
    const p = await Params.from(
      post(form, { 'content-type': 'multipart/form-data; boundary=xyz' }),
    );
    expect(p.get('query')).toBe('up');
    for (const [body, type] of [
      ['query=up', 'multipart/form-data'],
      ['not a form', 'multipart/form-data; boundary=xyz'],
      [form.slice(0, 30), 'multipart/form-data; boundary=xyz'],
    ]) {
      const err = await Params.from(post(body!, { 'content-type': type! })).catch(
        (e: unknown) => e,
      );
      expect(err, `${type}: ${body}`).toBeInstanceOf(BadDataError);
      expect((err as Error).message).toMatch(/^error parsing form values: /);
    }
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(1 << 20).fill(97));
      },
    });
    const err = await Params.from(
      post(endless, { 'content-type': 'multipart/form-data; boundary=xyz' }),
    ).catch((e: unknown) => e);
    expect((err as Error).message).toBe('error parsing form values: http: POST too large');
    expect(pulled).toBeLessThan(13);
  });
});

describe('parseTime', () => {
  it("refuses RFC 3339 fields out of range, as Go's time.Parse does, instead of rolling them over", () => {
    expect(parseTime('2023-11-14T22:13:20Z')).toBe(1_700_000_000_000);
    expect(parseTime('2024-02-29T23:59:59.5+01:00')).toBe(Date.UTC(2024, 1, 29, 22, 59, 59, 500));
    for (const bad of [
      '2023-13-45T99:99:99Z',
      '2023-00-10T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2023-04-31T00:00:00Z',
      '2023-01-01T24:00:00Z',
      '2023-01-01T00:60:00Z',
      '2023-01-01T00:00:60Z',
      '2023-01-01T00:00:00+25:00',
    ])
      expect(() => parseTime(bad), bad).toThrow(/cannot parse .* to a valid timestamp/);
  });
});
