/**
 * objstore.yml as Thanos writes it, against a real s3rver: Thanos's full S3 template loads and
 * works; `max_retries` through a FAULT-INJECTING proxy (test/helpers/fault-proxy.ts) that fails
 * the first N requests; `http_config.tls_config` with a test CA made by openssl (an HTTPS proxy
 * in front of s3rver), a missing `ca_file` named in the error; `sse_config` headers as the proxy
 * records them; `prefix` written by the agent and read by the Worker (S3 and R2, `S3_PREFIX`).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseObjstoreConfig } from '../../../core/objstore/config.ts';
import { PrefixedBucket } from '../../../core/objstore/prefixed.ts';
import { R2Bucket, type R2BucketLike } from '../../../core/objstore/r2.ts';
import { bucketFromConfigText } from '../../../sidecar-agent/objstore/from-config.ts';
import { uploadBlock } from '../../../sidecar-agent/objstore/upload-block.ts';
import { generateOpenMetrics } from '../../fixtures/openmetrics-gen.ts';
import { thanosS3Template } from '../../fixtures/thanos-s3-template.ts';
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy.ts';
import { promtoolCreateBlocks } from '../../helpers/promtool.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { startWorker } from '../../helpers/worker.ts';

let s3: S3rverHandle;
let tmp: TmpDir;
const stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  s3 = await startS3rver({ buckets: ['thanos'] });
  tmp = await makeTmpDir('objstore-thanos-');
}, 60_000);

afterAll(async () => {
  for (const s of stops.reverse()) await s().catch(() => undefined);
  await s3?.stop();
  await tmp?.remove();
});

const creds = () => ({ accessKey: s3.accessKeyId, secretKey: s3.secretAccessKey });
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

async function proxy(tls?: { key: Buffer; cert: Buffer }): Promise<FaultProxy> {
  const p = await startFaultProxy({ target: s3.endpoint, ...(tls ? { tls } : {}) });
  stops.push(() => p.stop());
  return p;
}

describe("Thanos's full S3 template", () => {
  it('loads with every field and stores and reads objects', async () => {
    const yaml = thanosS3Template({
      bucket: 'thanos',
      endpoint: `127.0.0.1:${s3.port}`,
      ...creds(),
    });
    const cfg = parseObjstoreConfig(yaml);
    expect(cfg.type === 'S3' && cfg.s3.http.idleConnTimeoutMs).toBe(90_000);
    expect(cfg.type === 'S3' && cfg.s3.responseHeaderTimeoutMs).toBe(120_000);
    const bucket = bucketFromConfigText(yaml);
    await bucket.upload('template/a', bytes('hello'));
    expect(await text(await bucket.get('template/a'))).toBe('hello');
  });

  it('still rejects an unknown field, naming it and where it is', () => {
    const yaml = thanosS3Template({ bucket: 'thanos', endpoint: 'e:1', ...creds() });
    expect(() => parseObjstoreConfig(yaml.replace('  trace:', '  traec: {}\n  trace:'))).toThrow(
      /field traec not found in config \(S3\)/,
    );
    expect(() =>
      parseObjstoreConfig(yaml.replace('    max_idle_conns: 100', '    max_idle_con: 100')),
    ).toThrow(/field max_idle_con not found in config.http_config/);
    expect(() =>
      parseObjstoreConfig(yaml.replace('    kms_key_id: ""', '    kms_key: ""')),
    ).toThrow(/field kms_key not found in config.sse_config/);
    expect(() =>
      parseObjstoreConfig(yaml.replace('      server_name: ""', '      servername: ""')),
    ).toThrow(/field servername not found in config.http_config.tls_config/);
  });
});

describe('max_retries', () => {
  it('retries a failed request up to max_retries times, then fails naming the error', async () => {
    const p = await proxy();
    const yaml = thanosS3Template({
      bucket: 'thanos',
      endpoint: `127.0.0.1:${p.port}`,
      maxRetries: 2,
      ...creds(),
    });
    const bucket = bucketFromConfigText(yaml);
    p.failNext(2);
    await bucket.upload('retry/ok', bytes('x'));
    expect(p.requests.map((r) => [r.method, r.status])).toEqual([
      ['PUT', 503],
      ['PUT', 503],
      ['PUT', 200],
    ]);
    p.requests.length = 0;
    p.failNext(3);
    await expect(bucket.upload('retry/fails', bytes('x'))).rejects.toThrow(/SlowDown/);
    expect(p.requests.map((r) => r.status)).toEqual([503, 503, 503]);
    expect(await bucket.exists('retry/fails')).toBe(false);
  });
});

describe('http_config.tls_config', () => {
  let dir: string;
  let https: FaultProxy;

  beforeAll(async () => {
    dir = tmp.path;
    const sh = (args: string[]): void =>
      void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    sh([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '1',
      '-subj',
      '/CN=thanos-edge test CA',
    ]);
    sh([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'srv.key',
      '-out',
      'srv.csr',
      '-subj',
      '/CN=localhost',
    ]);
    await writeFile(join(dir, 'srv.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    sh([
      'x509',
      '-req',
      '-in',
      'srv.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'srv.pem',
      '-days',
      '1',
      '-extfile',
      'srv.ext',
    ]);
    https = await proxy({
      key: await readFile(join(dir, 'srv.key')),
      cert: await readFile(join(dir, 'srv.pem')),
    });
  }, 60_000);

  const tlsYaml = (extra: { caFile?: string }): string =>
    thanosS3Template({
      bucket: 'thanos',
      endpoint: `localhost:${https.port}`,
      insecure: false,
      maxRetries: 1,
      ...creds(),
      ...extra,
    });

  it('trusts a server signed by ca_file', async () => {
    const bucket = bucketFromConfigText(tlsYaml({ caFile: join(dir, 'ca.pem') }));
    await bucket.upload('tls/a', bytes('over tls'));
    expect(await text(await bucket.get('tls/a'))).toBe('over tls');
    expect(https.requests.some((r) => r.method === 'PUT' && r.path.endsWith('/tls/a'))).toBe(true);
  });

  it('refuses the same server without the CA', async () => {
    const bucket = bucketFromConfigText(tlsYaml({}));
    await expect(bucket.upload('tls/b', bytes('x'))).rejects.toThrow(
      /self.signed|unable to verify|certificate/i,
    );
  });

  it('insecure_skip_verify accepts it without the CA', async () => {
    const yaml = tlsYaml({}).replace(
      '    insecure_skip_verify: false\n    tls_handshake_timeout',
      '    insecure_skip_verify: true\n    tls_handshake_timeout',
    );
    const bucket = bucketFromConfigText(yaml);
    await bucket.upload('tls/c', bytes('skip'));
    expect(await text(await bucket.get('tls/c'))).toBe('skip');
  });

  it('names a missing ca_file, at start', () => {
    const missing = join(dir, 'no-such-ca.pem');
    expect(() => bucketFromConfigText(tlsYaml({ caFile: missing }))).toThrow(
      new RegExp(`tls_config.ca_file ${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .*ENOENT`),
    );
  });
});

describe('sse_config', () => {
  it('SSE-S3 and SSE-KMS headers go on PutObject', async () => {
    const p = await proxy();
    const base = { bucket: 'thanos', endpoint: `127.0.0.1:${p.port}`, ...creds() };
    await bucketFromConfigText(thanosS3Template({ ...base, sse: { type: 'SSE-S3' } })).upload(
      'sse/s3',
      bytes('a'),
    );
    const kms = thanosS3Template({ ...base, sse: { type: 'SSE-KMS', kmsKeyId: 'key-1' } }).replace(
      'kms_encryption_context: {}',
      'kms_encryption_context: {team: edge}',
    );
    await bucketFromConfigText(kms)
      .upload('sse/kms', bytes('b'))
      .catch(() => undefined); // s3rver may refuse KMS; the request is what is checked
    const put = (key: string) =>
      p.requests.find((r) => r.method === 'PUT' && r.path.endsWith(key))!;
    expect(put('/sse/s3').headers['x-amz-server-side-encryption']).toBe('AES256');
    const h = put('/sse/kms').headers;
    expect(h['x-amz-server-side-encryption']).toBe('aws:kms');
    expect(h['x-amz-server-side-encryption-aws-kms-key-id']).toBe('key-1');
    expect(
      JSON.parse(
        Buffer.from(String(h['x-amz-server-side-encryption-context']), 'base64').toString(),
      ),
    ).toEqual({ team: 'edge' });
  });

  it('SSE-C sends the customer key and its MD5 on writes and reads', async () => {
    const p = await proxy();
    const key = Buffer.alloc(32, 7);
    const keyFile = join(tmp.path, 'sse-c.key');
    await writeFile(keyFile, key);
    const yaml = thanosS3Template({
      bucket: 'thanos',
      endpoint: `127.0.0.1:${p.port}`,
      sse: { type: 'SSE-C', keyFile },
      ...creds(),
    });
    const bucket = bucketFromConfigText(yaml);
    await bucket.upload('sse/c', bytes('secret'));
    await bucket.exists('sse/c').catch(() => undefined);
    await bucket.getRange('sse/c', 0, 3).catch(() => undefined);
    const md5 = createHash('md5').update(key).digest('base64');
    for (const method of ['PUT', 'HEAD', 'GET']) {
      const r = p.requests.find((q) => q.method === method && q.path.includes('/sse/c'));
      expect(r, method).toBeDefined();
      expect(r!.headers['x-amz-server-side-encryption-customer-algorithm']).toBe('AES256');
      expect(r!.headers['x-amz-server-side-encryption-customer-key']).toBe(key.toString('base64'));
      expect(r!.headers['x-amz-server-side-encryption-customer-key-md5']).toBe(md5);
    }
    // A key that is not 32 bytes is refused before any request.
    await writeFile(keyFile, 'short');
    expect(() => bucketFromConfigText(yaml)).toThrow(/SSE-C key must be 32 bytes, found 5/);
  });
});

describe('prefix: written by the agent, read by the Worker', () => {
  let blockDir: string;
  let blockId: string;

  beforeAll(async () => {
    const data = generateOpenMetrics({ seed: 3, hours: 1 });
    await mkdir(join(tmp.path, 'prefix'));
    const { db, blocks } = await promtoolCreateBlocks(data.text, join(tmp.path, 'prefix'));
    blockId = blocks[0]!;
    blockDir = join(db, blockId);
  }, 120_000);

  it('S3: the agent writes under prefix, the Worker with S3_PREFIX reads it, without does not', async () => {
    const yaml = thanosS3Template({
      bucket: 'thanos',
      endpoint: `127.0.0.1:${s3.port}`,
      prefix: 'tenant-a',
      ...creds(),
    });
    await uploadBlock(bucketFromConfigText(yaml), blockDir, {
      labels: { cluster: 'prefixed' },
      source: 'sidecar',
    });
    const raw = bucketFromConfigText(yaml.replace('prefix: "tenant-a"', 'prefix: ""'));
    expect(await raw.exists(`tenant-a/${blockId}/meta.json`)).toBe(true);
    expect(await raw.exists(`${blockId}/meta.json`)).toBe(false);

    const vars = {
      STORE_TOKEN: 't',
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: 'thanos',
      S3_REGION: s3.region,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    };
    const withPrefix = await startWorker({ r2: false, vars: { ...vars, S3_PREFIX: 'tenant-a' } });
    stops.push(() => withPrefix.stop());
    const names = await (await withPrefix.fetch('/api/v1/label/cluster/values')).json();
    expect(names).toMatchObject({ status: 'success', data: ['prefixed'] });
    await withPrefix.stop();

    const without = await startWorker({ r2: false, vars });
    stops.push(() => without.stop());
    const none = await (await without.fetch('/api/v1/label/cluster/values')).json();
    expect(none).toMatchObject({ status: 'success', data: [] });
    await without.stop();
  }, 120_000);

  it('R2: BUCKET_PREFIX applies to the binding too', async () => {
    const w = await startWorker({ vars: { STORE_TOKEN: 't', BUCKET_PREFIX: 'tenant-b/' } });
    stops.push(() => w.stop());
    const r2 = new R2Bucket((await w.mf.getR2Bucket('BLOCKS')) as unknown as R2BucketLike);
    await uploadBlock(new PrefixedBucket(r2, 'tenant-b'), blockDir, {
      labels: { cluster: 'r2-prefixed' },
      source: 'sidecar',
    });
    expect(await r2.exists(`tenant-b/${blockId}/meta.json`)).toBe(true);
    const names = await (await w.fetch('/api/v1/label/cluster/values')).json();
    expect(names).toMatchObject({ status: 'success', data: ['r2-prefixed'] });
    await w.stop();
  }, 120_000);
});
