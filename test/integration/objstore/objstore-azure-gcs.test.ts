/**
 * `type: AZURE` and `type: GCS` objstore configs. Azure Blob: our Shared Key client against a
 * FAKE of the Blob REST wire format (test/helpers/fake-azure-blob.ts), which recomputes every
 * signature; the Bucket acceptance suite runs over it. GCS through its S3-compatible XML API with
 * an HMAC key: the same S3 client, pointed here at s3rver through a recording proxy (s3rver takes
 * any signature, so the proxy's record shows the HMAC key id and GCS's `auto` region in the
 * SigV4 credential scope).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureBucket } from '../../../core/objstore/azure.ts';
import { parseObjstoreConfig } from '../../../core/objstore/config.ts';
import { BucketError } from '../../../core/objstore/errors.ts';
import { nodeFetch } from '../../../sidecar-agent/node-fetch.ts';
import { bucketFromConfigText } from '../../../sidecar-agent/objstore/from-config.ts';
import { bucketAcceptance } from '../../helpers/bucket-acceptance.ts';
import { startFakeAzureBlob, type FakeAzureBlob } from '../../helpers/fake-azure-blob.ts';
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';

const fakes: FakeAzureBlob[] = [];
afterAll(async () => {
  for (const f of fakes) await f.stop();
});

async function fake(): Promise<FakeAzureBlob> {
  const f = await startFakeAzureBlob('devaccount', ['thanos']);
  fakes.push(f);
  return f;
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (s: ReadableStream<Uint8Array>): Promise<string> => new Response(s).text();

let acceptanceFake: FakeAzureBlob | undefined;
bucketAcceptance('azure blob (fake wire format, Shared Key checked)', async () => {
  acceptanceFake = await fake();
  return new AzureBucket({
    account: acceptanceFake.account,
    accountKey: acceptanceFake.key,
    container: 'thanos',
    serviceUrl: acceptanceFake.url,
    partSize: 5 * 1024 * 1024, // the 12 MiB case goes through Put Block / Put Block List
    listPageSize: 100, // the 1,050-key cases page through markers
    fetch: nodeFetch,
  });
});

describe('azure: every request of the acceptance suite was signed correctly', () => {
  it('the fake recomputed every signature and rejected none', () => {
    expect(acceptanceFake!.requests.length).toBeGreaterThan(1000);
    expect(acceptanceFake!.rejected).toEqual([]);
    expect(acceptanceFake!.requests.some((r) => r.includes('comp=blocklist'))).toBe(true);
  });
});

function azureYaml(f: FakeAzureBlob, key = f.key): string {
  return `type: AZURE
config:
  storage_account: "${f.account}"
  storage_account_key: "${key}"
  storage_connection_string: ""
  storage_create_container: false
  container: "thanos"
  endpoint: "${f.url}"
  user_assigned_id: ""
  max_retries: 0
  reader_config:
    max_retry_requests: 0
  pipeline_config:
    max_tries: 2
    try_timeout: 0s
    retry_delay: 0s
    max_retry_delay: 0s
  http_config:
    idle_conn_timeout: 1m30s
    response_header_timeout: 2m
    insecure_skip_verify: false
    tls_handshake_timeout: 10s
    expect_continue_timeout: 1s
    max_idle_conns: 100
    max_idle_conns_per_host: 100
    max_conns_per_host: 0
    tls_config: {ca_file: "", cert_file: "", key_file: "", server_name: "", insecure_skip_verify: false}
    disable_compression: false
  msi_resource: ""
prefix: "tenant"
`;
}

describe('type: AZURE', () => {
  it("Thanos's Azure template loads; objects land under the prefix", async () => {
    const f = await fake();
    const bucket = bucketFromConfigText(azureYaml(f));
    await bucket.upload('01ABC/meta.json', bytes('{"a":1}'));
    expect(await text(await bucket.get('01ABC/meta.json'))).toBe('{"a":1}');
    const keys: string[] = [];
    for await (const k of bucket.iter('')) keys.push(k);
    expect(keys).toEqual(['01ABC/']);
    expect(
      f.requests.some((r) => r.startsWith('PUT /devaccount/thanos/tenant/01ABC/meta.json')),
    ).toBe(true);
    expect(f.rejected).toEqual([]);
  });

  it('a wrong key is refused by the fake, and the error says so', async () => {
    const f = await fake();
    const wrong = Buffer.from('not-the-key-not-the-key-not-the-k').toString('base64');
    const bucket = bucketFromConfigText(azureYaml(f, wrong));
    const err = await bucket.upload('x', bytes('x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BucketError);
    expect(String(err)).toMatch(/AuthenticationFailed/);
    expect(f.rejected.length).toBeGreaterThan(0);
  });

  it('rejects unknown fields and managed identities', () => {
    expect(() =>
      parseObjstoreConfig(
        'type: AZURE\nconfig: {storage_account: a, storage_acount_key: k, container: c}',
      ),
    ).toThrow(/field storage_acount_key not found in config \(AZURE\)/);
    expect(() =>
      parseObjstoreConfig(
        'type: AZURE\nconfig: {storage_account: a, storage_account_key: k, container: c, user_assigned_id: x}',
      ),
    ).toThrow(/managed identities/);
    const conn = parseObjstoreConfig(
      'type: AZURE\nconfig: {container: c, storage_connection_string: "DefaultEndpointsProtocol=https;AccountName=acc;AccountKey=a2V5;EndpointSuffix=core.windows.net"}',
    );
    expect(conn.type === 'AZURE' && conn.azure).toMatchObject({
      account: 'acc',
      accountKey: 'a2V5',
      serviceUrl: 'https://acc.blob.core.windows.net',
    });
  });
});

describe('type: GCS (XML API, HMAC key)', () => {
  let s3: S3rverHandle;
  let proxy: FaultProxy;
  beforeAll(async () => {
    s3 = await startS3rver({ buckets: ['gcs-bucket'] });
    proxy = await startFaultProxy({ target: s3.endpoint });
  });
  afterAll(async () => {
    await proxy?.stop();
    await s3?.stop();
  });

  const gcsYaml = (secret: string): string => `type: GCS
config:
  bucket: gcs-bucket
  service_account: ""
  use_grpc: false
  grpc_conn_pool_size: 0
  chunk_size_bytes: 0
  max_retries: 1
  http_config: {idle_conn_timeout: 1m30s, response_header_timeout: 2m}
  endpoint: ${proxy.url}
  hmac_access_id: ${s3.accessKeyId}
  hmac_secret: ${secret}
`;

  it('signs with the HMAC key over the XML API', async () => {
    const bucket = bucketFromConfigText(gcsYaml(s3.secretAccessKey));
    await bucket.upload('gcs/a', bytes('via xml api'));
    expect(await text(await bucket.get('gcs/a'))).toBe('via xml api');
    const put = proxy.requests.find((r) => r.method === 'PUT')!;
    expect(put.path).toBe('/gcs-bucket/gcs/a');
    expect(put.headers.authorization).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=${s3.accessKeyId}/\\d{8}/auto/s3/aws4_request, `),
    );
  });

  it('a service-account-only config says what to set instead', () => {
    expect(() =>
      parseObjstoreConfig('type: GCS\nconfig: {bucket: b, service_account: "{}"}'),
    ).toThrow(/hmac_access_id and hmac_secret/);
  });
});
