/**
 * @module test/helpers/s3rver — a real local S3 server (npm `s3rver`, via scripts/lib/s3rver.ts)
 * on a free loopback port with its data in a fresh temp dir, for integration tests. Always
 * `stop()` it (afterAll): that closes kept-alive connections and removes the directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalS3 } from '../../scripts/lib/s3rver.ts';

export interface S3rverHandle {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly host: string;
  readonly port: number;
  /** The s3rver process. */
  readonly pid: number;
  /** s3rver accepts this fixed key pair. */
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  /** Buckets created at start. */
  readonly buckets: readonly string[];
  /** Where s3rver keeps its files. */
  readonly directory: string;
  /** A Thanos objstore YAML (`type: S3`) for `bucket`. */
  objstoreYaml(bucket?: string): string;
  stop(): Promise<void>;
}

export interface S3rverOptions {
  /** Buckets to create (default `['thanos']`). */
  readonly buckets?: readonly string[];
  /** Log requests to stdout (default false). */
  readonly verbose?: boolean;
}

export async function startS3rver(options: S3rverOptions = {}): Promise<S3rverHandle> {
  const buckets = options.buckets ?? ['thanos'];
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const s3 = await startLocalS3({
    directory,
    buckets,
    port: 0,
    ...(options.verbose ? { verbose: true } : {}),
  });
  let stopped = false;
  return {
    endpoint: s3.endpoint,
    host: '127.0.0.1',
    port: s3.port,
    pid: s3.pid,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    region: s3.region,
    buckets,
    directory,
    objstoreYaml: (bucket = buckets[0]!) => s3.objstoreYaml(bucket),
    async stop() {
      if (stopped) return;
      stopped = true;
      await s3.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Where s3rver 3.7.1 differs from S3, for the bucket acceptance suite (`knownDeviations`). */
export const S3RVER_DEVIATIONS = {
  rangeOfEmptyObject:
    's3rver 3.7.1 answers 206 with Content-Length 1 and no body (AWS answers 416)',
  recursiveOrder: 's3rver 3.7.1 lists in filesystem walk order, not UTF-8 byte order as S3 does',
  prefixWithoutDirectObjects:
    's3rver 3.7.1 only reports a common prefix once it sees an object directly in it',
} as const;
