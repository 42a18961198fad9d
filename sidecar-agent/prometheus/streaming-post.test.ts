import { createServer as createHttpServer, type RequestListener } from 'node:http';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamingPost, StreamingPostError } from './streaming-post.ts';
import { Random } from '../../test/helpers/random.ts';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function listen(server: Server): Promise<URL> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/read?x=1`);
}

const httpServer = (handler: RequestListener): Promise<URL> => listen(createHttpServer(handler));

/** A server that answers every connection with `bytes`, written `piece` bytes at a time. */
function rawServer(bytes: Uint8Array, piece: number): Promise<URL> {
  const server = createNetServer((socket: Socket) => {
    socket.once('data', async () => {
      for (let at = 0; at < bytes.length; at += piece) {
        socket.write(bytes.subarray(at, at + piece));
        await new Promise((r) => setImmediate(r));
      }
      socket.end();
    });
    socket.on('error', () => undefined);
  });
  return listen(server);
}

async function readAll(post: StreamingPost): Promise<Buffer> {
  const parts: Buffer[] = [];
  // Copies: pieces are views of the read buffer, overwritten by the next read.
  for await (const p of post.body()) parts.push(Buffer.from(p));
  return Buffer.concat(parts);
}

describe('StreamingPost', () => {
  it('sends the request and streams a chunked answer of any size, cut anywhere', async () => {
    const body = new Random(3).bytes(1_500_000);
    let seen: { method?: string; url?: string; type?: string; length: number } = { length: 0 };
    const url = await httpServer(async (req, res) => {
      const parts: Buffer[] = [];
      for await (const c of req) parts.push(c as Buffer);
      seen = {
        method: req.method!,
        url: req.url!,
        type: req.headers['content-type']!,
        length: Buffer.concat(parts).length,
      };
      res.writeHead(200, { 'content-type': 'application/x-streamed-protobuf' });
      let at = 0;
      let size = 1;
      while (at < body.length) {
        const n = Math.min(size, body.length - at);
        if (!res.write(body.subarray(at, at + n))) await new Promise((r) => res.once('drain', r));
        at += n;
        size = (size * 7 + 13) % 150_000;
      }
      res.end();
    });
    const post = await StreamingPost.open(
      url,
      { 'content-type': 'application/x-protobuf' },
      new Uint8Array(321),
    );
    expect(post.status).toBe(200);
    expect(post.headers.get('content-type')).toBe('application/x-streamed-protobuf');
    expect(post.headers.get('transfer-encoding')).toBe('chunked');
    expect(Buffer.compare(await readAll(post), Buffer.from(body))).toBe(0);
    expect(seen).toEqual({
      method: 'POST',
      url: '/api/v1/read?x=1',
      type: 'application/x-protobuf',
      length: 321,
    });
  });

  it('reads a Content-Length answer and an error status with its text', async () => {
    const url = await httpServer((req, res) => {
      req.resume();
      if (req.headers['x-fail']) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('remote read is overloaded');
      } else {
        res.writeHead(200, { 'content-length': 5 });
        res.end('hello');
      }
    });
    const ok = await StreamingPost.open(url, {}, new Uint8Array(0));
    expect((await readAll(ok)).toString()).toBe('hello');
    const failed = await StreamingPost.open(url, { 'x-fail': '1' }, new Uint8Array(0));
    expect(failed.status).toBe(503);
    expect(await failed.text()).toBe('remote read is overloaded');
  });

  it('parses chunk extensions, upper-case sizes and trailers, whatever the byte cuts', async () => {
    const raw = Buffer.from(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\nx-a: 2\r\n\r\n' +
        '5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n',
      'latin1',
    );
    for (const piece of [1, 2, 3, 7, 1000]) {
      const url = await rawServer(raw, piece);
      const post = await StreamingPost.open(url, {}, new Uint8Array(1));
      expect(post.headers.get('x-a')).toBe('1, 2');
      expect((await readAll(post)).toString()).toBe('hello0123456789');
    }
  });

  it('fails on a connection closed mid-answer, on garbage, on refusal and on abort', async () => {
    const cut = Buffer.from(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nonly-half',
      'latin1',
    );
    const post = await StreamingPost.open(await rawServer(cut, 5), {}, new Uint8Array(1));
    await expect(readAll(post)).rejects.toThrow(/closed before the answer was complete/);

    const garbage = Buffer.from(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'latin1',
    );
    const bad = await StreamingPost.open(await rawServer(garbage, 100), {}, new Uint8Array(1));
    await expect(readAll(bad)).rejects.toThrow(StreamingPostError);

    await expect(
      StreamingPost.open(
        await rawServer(Buffer.from('SSH-2.0\r\n\r\n'), 100),
        {},
        new Uint8Array(1),
      ),
    ).rejects.toThrow(/bad status line/);

    const closed = createNetServer();
    const url = await listen(closed);
    await new Promise((r) => closed.close(r));
    servers.splice(servers.indexOf(closed), 1);
    await expect(StreamingPost.open(url, {}, new Uint8Array(1))).rejects.toThrow(/ECONNREFUSED/);

    const endless = await httpServer((req, res) => {
      req.resume();
      res.writeHead(200);
      const timer = setInterval(() => res.write('x'.repeat(1000)), 5);
      res.on('close', () => clearInterval(timer));
    });
    const controller = new AbortController();
    const streaming = await StreamingPost.open(endless, {}, new Uint8Array(1), controller.signal);
    let got = 0;
    await expect(
      (async () => {
        for await (const p of streaming.body()) {
          got += p.length;
          if (got > 5000) controller.abort(new Error('enough'));
        }
      })(),
    ).rejects.toThrow(/aborted: Error: enough/);
  });
});
