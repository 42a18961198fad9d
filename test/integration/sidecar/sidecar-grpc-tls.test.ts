/**
 * TLS on the sidecar's gRPC server: `thanos-edge sidecar` beside a real Prometheus 2.42 with
 * `--grpc-server-tls-cert/-key/-client-ca` (mutual TLS) and Thanos v0.42's TLS tuning flags
 * (`--grpc-server-tls-min-version`, `-ciphers`, `-curves`). A grpc-js client trusting the CA,
 * with a client certificate it signed, reads thanos.info.Info and the Store's Info (Prometheus's
 * external labels); a client trusting another CA fails on the certificate.
 */
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdgeGrpcProcess, type EdgeGrpcProcess } from '../../helpers/edge-grpc-process.ts';
import { GrpcStore, type PbInfoInfo } from '../../helpers/grpc-store-client.ts';
import { startLivePrometheus, type LivePrometheus } from '../../helpers/prometheus-live.ts';
import { grpcCredentials, makeTestPki, opensslInstalled } from '../../helpers/test-ca.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

let tmp: TmpDir;
let prom: LivePrometheus;
let sidecar: EdgeGrpcProcess;
const clients: GrpcStore[] = [];
const file = (name: string): string => join(tmp.path, name);

function client(ca: string, cert: string): GrpcStore {
  const creds = grpcCredentials(tmp.path, ca, cert);
  const c = new GrpcStore(sidecar.grpcAddress, { credentials: creds });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  expect(opensslInstalled(), 'openssl is installed').toBe(true);
  tmp = await makeTmpDir('sidecar-grpc-tls-');
  makeTestPki(tmp.path);
  prom = await startLivePrometheus({
    dir: file('prom'),
    externalLabels: { cluster: 'tls', replica: 'a' },
  });
  sidecar = await startEdgeGrpcProcess(
    [
      'sidecar',
      `--prometheus.url=${prom.url}`,
      '--http-address=127.0.0.1:0',
      '--grpc-address=127.0.0.1:0',
      `--grpc-server-tls-cert=${file('server.crt')}`,
      `--grpc-server-tls-key=${file('server.key')}`,
      `--grpc-server-tls-client-ca=${file('test-ca.crt')}`,
      '--grpc-server-tls-min-version=1.2',
      '--grpc-server-tls-ciphers=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
      '--grpc-server-tls-curves=X25519',
      '--grpc-server-tls-curves=CurveP256',
    ],
    { STORE_TOKEN: 'tok' },
  );
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await sidecar?.stop();
  await prom?.stop();
  await tmp?.remove();
});

describe('sidecar gRPC over mutual TLS', () => {
  it('says it serves mutual TLS', () => {
    expect(sidecar.log.join('\n')).toMatch(/listening for gRPC on 127\.0\.0\.1:\d+ \(mTLS\)/);
  });

  it("a client trusting the CA, with a certificate it signed, reads Info: Prometheus's external labels", async () => {
    const c = client('test-ca', 'client');
    // The StoreAPI answers once the sidecar has found Prometheus.
    const deadline = Date.now() + 60_000;
    let info: PbInfoInfo | undefined;
    while (!info) {
      info = await c.unary<PbInfoInfo>('info.Info', {}).catch((err: grpc.ServiceError) => {
        if (
          Date.now() > deadline ||
          err.code !== grpc.status.UNAVAILABLE ||
          /certificate/i.test(err.details)
        )
          throw err;
        return new Promise<undefined>((r) => setTimeout(r, 250));
      });
    }
    expect(info.ComponentType).toBe('sidecar');
    expect(info.label_sets.map((s) => s.labels)).toEqual([
      [
        { name: 'cluster', value: 'tls' },
        { name: 'replica', value: 'a' },
      ],
    ]);
    const store = await c.info();
    expect(store.storeType).toBe('sidecar');
    expect(store.labelSets).toEqual(info.label_sets.map((s) => s.labels));
  });

  it('a client trusting another CA fails with a certificate error', async () => {
    const err = (await client('other-ca', 'client')
      .unary<PbInfoInfo>('info.Info', {})
      .catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
    expect(err.details).toMatch(/certificate/i);
  });
});
