/**
 * S3Bucket retries and error messages. s3rver cannot be made to fail on demand, so a small
 * FAULT-INJECTING proxy sits in front of it: it answers 503 or drops the connection for the
 * next N requests, then forwards to the real server.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError } from '../../../core/errors.ts';
import { BucketError } from '../../../core/objstore/errors.ts';
import { S3Bucket } from '../../../core/objstore/s3.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';

let s3: S3rverHandle;
let proxy: Server;
let proxyUrl: string;
/** Faults to inject, consumed one per request. */
const faults: Array<'503' | 'drop' | 'truncate' | 'hang'> = [];
let seen = 0;

beforeAll(async () => {
  s3 = await startS3rver({ buckets: ['faulty'] });
  const target = new URL(s3.endpoint);
  proxy = createServer((req, res) => {
    seen++;
    const fault = faults.shift();
    if (fault === '503') {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end('<Error><Code>SlowDown</Code><Message>injected</Message></Error>');
      return;
    }
    if (fault === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault === 'hang') {
      req.resume(); // never answers; closeAllConnections() in afterAll ends it
      return;
    }
    if (fault === 'truncate') {
      // Headers promise 100 bytes; the connection dies after 3 of them.
      req.resume();
      res.writeHead(206, { 'content-length': '100', 'content-range': 'bytes 0-99/5' });
      res.write('xyz', () => res.socket?.destroy());
      return;
    }
    const up = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
  await s3?.stop();
});

function bucket(retries: number): S3Bucket {
  // The signature covers the Host header, so the proxy forwards it unchanged and s3rver
  // checks it against the proxy's host:port — which is what the client signed.
  return new S3Bucket({
    bucket: 'faulty',
    endpoint: proxyUrl,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    retries,
    retryBaseMs: 5,
  });
}

describe('S3Bucket under injected faults', () => {
  it('retries 5xx and dropped connections, then succeeds', async () => {
    const b = bucket(4);
    faults.push('503', 'drop');
    seen = 0;
    await b.upload('k/obj', new TextEncoder().encode('hello'));
    expect(seen).toBe(3);
    faults.push('503', '503', 'drop');
    seen = 0;
    expect(new TextDecoder().decode(await b.getRange('k/obj', 1, 3))).toBe('ell');
    expect(seen).toBe(4);
  });

  it('retries a range read whose body breaks off mid-transfer', async () => {
    const b = bucket(2);
    faults.push('truncate');
    seen = 0;
    expect(new TextDecoder().decode(await b.getRange('k/obj', 0, 5))).toBe('hello');
    expect(seen).toBe(2);
    faults.push('truncate', 'truncate', 'truncate');
    const err = await b.getRange('k/obj', 0, 5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BucketError);
    expect((err as Error).message).toMatch(
      /get_range failed: bucket faulty, key k\/obj: reading body/,
    );
    faults.length = 0;
  });

  it('abandons an attempt whose response headers never come, and retries', async () => {
    const b = new S3Bucket({
      bucket: 'faulty',
      endpoint: proxyUrl,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      retries: 1,
      retryBaseMs: 5,
      responseHeaderTimeoutMs: 300,
    });
    faults.push('hang');
    seen = 0;
    expect((await b.attributes('k/obj')).size).toBe(5);
    expect(seen).toBe(2);
    faults.push('hang', 'hang');
    const err = await b.exists('k/obj').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BucketError);
    expect((err as Error).message).toMatch(
      /exists failed: .*network error after 2 attempts: .*no response headers after 300 ms/,
    );
    faults.length = 0;
  });

  it('gives up after the retry budget with an error naming bucket, key and status', async () => {
    const b = bucket(1);
    faults.push('503', '503');
    const err = await b.attributes('k/obj').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toBeInstanceOf(BucketError);
    expect((err as BucketError).status).toBe(503);
    expect((err as Error).message).toMatch(
      /attributes failed: bucket faulty, key k\/obj, status 503/,
    );
    faults.length = 0;
  });

  it('does not retry client errors (403 for an unknown access key)', async () => {
    const b = new S3Bucket({
      bucket: 'faulty',
      endpoint: proxyUrl,
      accessKeyId: 'NOBODY',
      secretAccessKey: 'wrong',
      retries: 3,
      retryBaseMs: 5,
    });
    seen = 0;
    const err = await b.getRange('k/obj', 0, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BucketError);
    expect((err as BucketError).status).toBe(403);
    expect((err as Error).message).toContain('InvalidAccessKeyId');
    expect(seen).toBe(1);
  });
});
