/**
 * SigV4 signing of S3Bucket checked by a server that verifies signatures. s3rver accepts any
 * SigV4 signature, so this suite runs against moto's S3 server (Python `moto`, part of this
 * machine's image) with authentication on. Skipped when `moto_server` is not installed.
 *
 * moto's own canonicalisation differs from AWS for keys or query values with RFC 3986
 * sub-delimiters (`+ = & ; ! ( ) * : @ , $`, non-ASCII, `%2F` in query values): botocore, the
 * reference SDK, gets SignatureDoesNotMatch from moto for those too, so they are not used here.
 */
import { AwsClient } from 'aws4fetch';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkedStream, patternBytes } from '../../helpers/bucket-acceptance.ts';
import { getAll, listAll } from '../../../core/objstore/bucket.ts';
import { BucketError } from '../../../core/objstore/errors.ts';
import { S3Bucket } from '../../../core/objstore/s3.ts';

const MOTO = process.env.MOTO_SERVER ?? 'moto_server';
const hasMoto = spawnSync(MOTO, ['--help'], { stdio: 'ignore' }).status === 0;

let moto: ChildProcess | undefined;
let endpoint = '';
let keys = { ak: '', sk: '' };

/** moto allows this many unauthenticated calls, used to create a user with an access key. */
const BOOTSTRAP_CALLS = 3;

async function startMoto(): Promise<void> {
  moto = spawn(MOTO, ['-H', '127.0.0.1', '-p', '0'], {
    env: { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: String(BOOTSTRAP_CALLS) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  endpoint = await new Promise<string>((resolve, reject) => {
    const onLine = (line: string): void => {
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m) resolve(m[1]!);
    };
    createInterface({ input: moto!.stdout! }).on('line', onLine);
    createInterface({ input: moto!.stderr! }).on('line', onLine);
    moto!.once('exit', (code) =>
      reject(new Error(`moto_server exited (${code}) before listening`)),
    );
  });
  // IAM is signed too, but these first calls are not checked; afterwards every call is.
  const anon = new AwsClient({
    accessKeyId: 'bootstrap',
    secretAccessKey: 'bootstrap',
    region: 'us-east-1',
    service: 'iam',
    retries: 0,
  });
  const iam = async (params: Record<string, string>): Promise<string> => {
    const res = await anon.fetch(`${endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Version: '2010-05-08', ...params }).toString(),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`IAM ${params.Action}: ${res.status} ${text}`);
    return text;
  };
  await iam({ Action: 'CreateUser', UserName: 'thanos' });
  const created = await iam({ Action: 'CreateAccessKey', UserName: 'thanos' });
  keys = {
    ak: /<AccessKeyId>([^<]+)</.exec(created)![1]!,
    sk: /<SecretAccessKey>([^<]+)</.exec(created)![1]!,
  };
  await iam({
    Action: 'PutUserPolicy',
    UserName: 'thanos',
    PolicyName: 'all',
    PolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    }),
  });
  const s3 = new AwsClient({
    accessKeyId: keys.ak,
    secretAccessKey: keys.sk,
    region: 'us-east-1',
    service: 's3',
    retries: 0,
  });
  const mk = await s3.fetch(`${endpoint}/sigv4-blocks`, { method: 'PUT' });
  if (!mk.ok) throw new Error(`CreateBucket: ${mk.status} ${await mk.text()}`);
}

function bucket(opts: { secret?: string; pageSize?: number } = {}): S3Bucket {
  return new S3Bucket({
    bucket: 'sigv4-blocks',
    endpoint,
    accessKeyId: keys.ak,
    secretAccessKey: opts.secret ?? keys.sk,
    partSize: 5 * 1024 * 1024,
    retries: 0,
    ...(opts.pageSize ? { listPageSize: opts.pageSize } : {}),
  });
}

describe.skipIf(!hasMoto)('S3Bucket signatures verified by moto', () => {
  beforeAll(startMoto);
  afterAll(async () => {
    if (moto && moto.exitCode === null) {
      const exited = new Promise((r) => moto!.once('exit', r));
      moto.kill('SIGTERM');
      await exited;
    }
  });

  it('rejects a wrong secret (the server really checks signatures)', async () => {
    const err = await bucket({ secret: 'not-the-secret' })
      .getRange('x', 0, 1)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BucketError);
    expect((err as BucketError).status).toBe(403);
    expect((err as Error).message).toContain('SignatureDoesNotMatch');
  });

  it('signs PutObject, ranged GetObject, HeadObject and DeleteObject, also for encoded keys', async () => {
    const b = bucket();
    const names = ['01HBLOCK/index', '01HBLOCK/chunks/000001', 'odd/sp ace', 'odd/q?h#~.txt'];
    for (const k of names) await b.upload(k, new TextEncoder().encode(`body of ${k}`));
    for (const k of names) {
      expect(new TextDecoder().decode(await b.getRange(k, 8, 100))).toBe(k);
      expect((await b.attributes(k)).size).toBe(8 + k.length);
    }
    await b.delete('odd/sp ace');
    expect(await b.exists('odd/sp ace')).toBe(false);
  });

  it('signs a multipart upload (create, parts, complete) of a streamed 12 MiB object', async () => {
    const b = bucket();
    const body = patternBytes(12 * 1024 * 1024 + 5, 21);
    await b.upload('big/obj', chunkedStream(body));
    expect((await b.attributes('big/obj')).size).toBe(body.byteLength);
    expect(await b.getRange('big/obj', 5 * 1024 * 1024 - 2, 4)).toEqual(
      body.subarray(5 * 1024 * 1024 - 2, 5 * 1024 * 1024 + 2),
    );
    expect((await getAll(b, 'big/obj')).byteLength).toBe(body.byteLength);
  });

  it('signs ListObjectsV2 pages with continuation tokens', async () => {
    const all = await listAll(bucket({ pageSize: 2 }), '', { recursive: true });
    expect(all).toEqual(['01HBLOCK/chunks/000001', '01HBLOCK/index', 'big/obj', 'odd/q?h#~.txt']);
  });
});
