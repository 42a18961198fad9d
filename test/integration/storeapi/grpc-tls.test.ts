/**
 * TLS on the gRPC StoreAPI, with a test CA made by openssl here: `thanos-edge store` over a
 * filesystem bucket with `--grpc-server-tls-cert/-key/-client-ca` (mutual TLS) answers a grpc-js
 * client that trusts the CA and presents a client certificate it signed; a client trusting a
 * different CA fails with an error about the certificate; a client without a certificate is
 * refused; TLS flags that do not go together are a usage error.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketSinkFactory } from '../../../core/block/bucket-sink.ts';
import { newMatcher } from '../../../core/labels/matcher.ts';
import type { SeriesFrame } from '../../../core/storeapi/store.ts';
import { FilesystemBucket } from '../../../sidecar-agent/objstore/filesystem.ts';
import { AGENT_BIN } from '../../helpers/agent-process.ts';
import { startEdgeGrpcProcess, type EdgeGrpcProcess } from '../../helpers/edge-grpc-process.ts';
import { GrpcStore } from '../../helpers/grpc-store-client.ts';
import { STORE_DATA, writeDataBlock } from '../../helpers/store-acceptance-data.ts';
import { grpcCredentials, makeTestPki, opensslInstalled } from '../../helpers/test-ca.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

let tmp: TmpDir;
let store: EdgeGrpcProcess;
const clients: GrpcStore[] = [];
const file = (name: string): string => join(tmp.path, name);

function client(ca: string, cert?: string): GrpcStore {
  const creds = grpcCredentials(tmp.path, ca, cert);
  const c = new GrpcStore(store.grpcAddress, { credentials: creds });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  expect(opensslInstalled(), 'openssl is installed').toBe(true);
  tmp = await makeTmpDir('grpc-tls-');
  makeTestPki(tmp.path);

  const bucketDir = file('bucket');
  await writeDataBlock(
    bucketSinkFactory(new FilesystemBucket(bucketDir)),
    STORE_DATA,
    STORE_DATA.series,
    { thanos: true },
  );
  writeFileSync(file('objstore.yml'), `type: FILESYSTEM\nconfig:\n  directory: ${bucketDir}\n`);
  store = await startEdgeGrpcProcess([
    'store',
    `--objstore.config-file=${file('objstore.yml')}`,
    `--data-dir=${file('data')}`,
    '--http-address=127.0.0.1:0',
    '--grpc-address=127.0.0.1:0',
    `--grpc-server-tls-cert=${file('server.crt')}`,
    `--grpc-server-tls-key=${file('server.key')}`,
    `--grpc-server-tls-client-ca=${file('test-ca.crt')}`,
  ]);
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await store?.stop();
  await tmp?.remove();
});

describe('gRPC StoreAPI over TLS', () => {
  it('says it serves mutual TLS', () => {
    expect(store.log.join('\n')).toMatch(/listening for gRPC on 127\.0\.0\.1:\d+ \(mTLS\)/);
  });

  it('a client trusting the CA, with a certificate it signed, lists and reads the store', async () => {
    const c = client('test-ca', 'client');
    const info = await c.info();
    expect(info.labelSets).toEqual([STORE_DATA.externalLabels]);
    const frames: SeriesFrame[] = [];
    for await (const f of c.series({
      minTime: STORE_DATA.minTime,
      maxTime: STORE_DATA.maxTime,
      matchers: [newMatcher('=~', '__name__', '.+')],
      maxResolutionWindow: 0,
      aggregates: ['raw'],
      partialResponseStrategy: 'abort',
      skipChunks: true,
    }))
      frames.push(f);
    const series = frames.filter((f) => f.type === 'series');
    expect(series.length).toBe(STORE_DATA.series.length);
    for (const f of series)
      expect(f.type === 'series' && f.labels).toEqual(
        expect.arrayContaining([...STORE_DATA.externalLabels]),
      );
  });

  it('a client trusting another CA fails with a certificate error', async () => {
    const err = (await client('other-ca', 'client')
      .info()
      .catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
    expect(err.details).toMatch(/certificate/i);
  });

  it('a client without a certificate is refused (mutual TLS)', async () => {
    const err = (await client('test-ca')
      .info()
      .catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('a plaintext client gets no answer', async () => {
    const c = new GrpcStore(store.grpcAddress);
    clients.push(c);
    const err = (await c.info().catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('--grpc-server-tls-cert without -key, or a missing file, is a usage error', () => {
    const run = (...flags: string[]) =>
      spawnSync(
        process.execPath,
        [
          AGENT_BIN,
          'store',
          `--objstore.config-file=${file('objstore.yml')}`,
          '--grpc-address=127.0.0.1:0',
          '--http-address=127.0.0.1:0',
          ...flags,
        ],
        { encoding: 'utf8' },
      );
    const onlyCert = run(`--grpc-server-tls-cert=${file('server.crt')}`);
    expect(onlyCert.status).toBe(2);
    expect(onlyCert.stderr).toMatch(/--grpc-server-tls-cert and --grpc-server-tls-key go together/);
    const missing = run(
      `--grpc-server-tls-cert=${file('server.crt')}`,
      `--grpc-server-tls-key=${file('nope.key')}`,
    );
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--grpc-server-tls-key: cannot read .*nope\.key/);
  });
});
