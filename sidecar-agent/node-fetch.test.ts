import { createServer, type Server } from 'node:http';
import { PassThrough } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_HIGH_WATER_BYTES, nodeFetch, webBody } from './node-fetch.ts';

let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    const body = Buffer.concat(parts);
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (let i = 0; i < 5; i++) res.write(`part${i};`);
      res.end();
    } else if (req.url === '/cut') {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 20);
    } else if (req.url === '/hang') {
      res.writeHead(200);
      res.write('x');
    } else {
      res.writeHead(req.url === '/missing' ? 404 : 201, {
        'content-type': 'application/json',
        'set-cookie': ['a=1', 'b=2'],
      });
      res.end(
        req.method === 'HEAD'
          ? undefined
          : JSON.stringify({
              method: req.method,
              url: req.url,
              auth: req.headers.authorization,
              len: body.length,
              sum: body.reduce((a, b) => (a * 31 + b) >>> 0, 0),
            }),
      );
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('nodeFetch', () => {
  it('sends method, headers and body; returns status, headers and body like fetch', async () => {
    const res = await nodeFetch(`${base}/put?x=1`, {
      method: 'PUT',
      headers: { authorization: 'Bearer t' },
      body: new Uint8Array(1234),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(await res.json()).toEqual({
      method: 'PUT',
      url: '/put?x=1',
      auth: 'Bearer t',
      len: 1234,
      sum: 0,
    });
    const signed = new Request(`${base}/req`, { method: 'POST', body: 'abc' });
    expect(await (await nodeFetch(signed)).json()).toMatchObject({ method: 'POST', len: 3 });
    const missing = await nodeFetch(`${base}/missing`);
    expect(missing.status).toBe(404);
    const head = await nodeFetch(`${base}/x`, { method: 'HEAD' });
    expect([head.status, head.body]).toEqual([201, null]);
  });

  it('streams the response body, and an abort ends a hanging one', async () => {
    expect(await (await nodeFetch(`${base}/stream`)).text()).toBe('part0;part1;part2;part3;part4;');
    const controller = new AbortController();
    const res = await nodeFetch(`${base}/hang`, { signal: controller.signal });
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('x');
    controller.abort(new Error('enough'));
    await expect(reader.read()).rejects.toThrow();
    await expect(nodeFetch('http://127.0.0.1:1/')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('streams a body of declared length from its source, every byte in order', async () => {
    const bytes = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 131) >>> 3);
    const pieces = [bytes.subarray(0, 5), bytes.subarray(5, 2_000_000), bytes.subarray(2_000_000)];
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (pulled < pieces.length) c.enqueue(pieces[pulled++]!);
        else c.close();
      },
    });
    const res = await nodeFetch(`${base}/put`, {
      method: 'PUT',
      body,
      headers: { 'content-length': String(bytes.length) },
      duplex: 'half',
    } as RequestInit);
    expect(await res.json()).toMatchObject({
      len: bytes.length,
      sum: bytes.reduce((a, b) => (a * 31 + b) >>> 0, 0),
    });
  });

  it('rejects, without hanging, when a streamed body fails mid-send', async () => {
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (!sent) {
          sent = true;
          c.enqueue(new Uint8Array(1000));
        } else c.error(new Error('disk gone'));
      },
    });
    await expect(
      nodeFetch(`${base}/put`, {
        method: 'PUT',
        body,
        headers: { 'content-length': '5000' },
        duplex: 'half',
      } as RequestInit),
    ).rejects.toThrow(/disk gone/);
  });

  it('errors the body of a connection lost mid-response', async () => {
    const res = await nodeFetch(`${base}/cut`);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });
});

describe('webBody', () => {
  const piece = (i: number): Buffer => Buffer.alloc(64 * 1024, i & 0xff);

  it('pauses its source only once a reader is 1 MiB behind, and delivers every byte in order', async () => {
    const src = new PassThrough({ highWaterMark: 16 * 1024 });
    const body = webBody(src);
    const pieces = 48;
    for (let i = 0; i < pieces; i++) src.write(piece(i));
    src.end();
    await new Promise((r) => setTimeout(r, 20));
    // Nothing read yet: the stream took about its high-water mark, then paused the source.
    expect(src.isPaused()).toBe(true);
    expect(src.readableLength).toBeGreaterThan(0);
    expect(src.readableLength).toBeLessThanOrEqual(pieces * 64 * 1024 - BODY_HIGH_WATER_BYTES);
    const got = new Uint8Array(await new Response(body).arrayBuffer());
    expect(got.length).toBe(pieces * 64 * 1024);
    for (let i = 0; i < pieces; i++) expect(got[i * 64 * 1024 + 123]).toBe(i & 0xff);
  });

  it('does not pause a source whose reader keeps up', async () => {
    const src = new PassThrough();
    const reader = webBody(src).getReader();
    for (let i = 0; i < 8; i++) {
      src.write(piece(i));
      const r = await reader.read();
      expect(r.value?.length).toBe(64 * 1024);
      expect(src.isPaused()).toBe(false);
    }
    src.end();
    expect((await reader.read()).done).toBe(true);
  });

  it('destroys the source when the reader cancels, and errors when the source fails', async () => {
    const src = new PassThrough();
    const reader = webBody(src).getReader();
    src.write(piece(1));
    await reader.read();
    await reader.cancel(new Error('enough'));
    expect(src.destroyed).toBe(true);

    const failing = new PassThrough();
    const r2 = webBody(failing).getReader();
    failing.destroy(new Error('socket hang up'));
    await expect(r2.read()).rejects.toThrow('socket hang up');
  });
});
