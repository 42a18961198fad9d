/**
 * @module test/helpers/s3rver — starts a real local S3 server (npm `s3rver`) on a free
 * loopback port with its data in a fresh temp dir, for integration tests. Always `stop()` it
 * (afterAll): that closes kept-alive connections and removes the directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The server runs in its own Node process: s3rver signs ListObjectsV2 continuation tokens
 * with DES, which Node 20's OpenSSL 3 only offers with `--openssl-legacy-provider`; the
 * process boundary also keeps its event loop off the test's.
 */
const CHILD = `
const [modulePath, directory, buckets, verbose] = process.argv.slice(1);
const S3rver = require(modulePath);
const server = new S3rver({
  address: '127.0.0.1', port: 0, silent: verbose !== '1', directory,
  vhostBuckets: false, // path-style only: virtual hosts would need DNS for <bucket>.127.0.0.1
  configureBuckets: JSON.parse(buckets).map((name) => ({ name })),
});
server.run().then((addr) => console.log(JSON.stringify({ port: addr.port })));
process.on('SIGTERM', () => { server.httpServer.closeAllConnections(); server.close().then(() => process.exit(0)); });
// The parent holds our stdin: when it dies without stop(), stdin ends and we go too.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

export interface S3rverHandle {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly host: string;
  readonly port: number;
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
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--openssl-legacy-provider',
      '-e',
      CHILD,
      createRequire(import.meta.url).resolve('s3rver'),
      directory,
      JSON.stringify(buckets),
      options.verbose ? '1' : '0',
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('{"port"')) resolve((JSON.parse(line) as { port: number }).port);
      else if (options.verbose) process.stdout.write(`s3rver: ${line}\n`);
    });
    child.once('exit', (code) =>
      reject(new Error(`s3rver exited with code ${code} before listening`)),
    );
  });
  const endpoint = `http://127.0.0.1:${port}`;
  let stopped = false;
  return {
    endpoint,
    host: '127.0.0.1',
    port,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    region: 'us-east-1',
    buckets,
    directory,
    objstoreYaml(bucket = buckets[0]!) {
      return [
        'type: S3',
        'config:',
        `  bucket: ${bucket}`,
        `  endpoint: 127.0.0.1:${port}`,
        '  access_key: S3RVER',
        '  secret_key: S3RVER',
        '  region: us-east-1',
        '  insecure: true',
        '',
      ].join('\n');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await rm(directory, { recursive: true, force: true });
    },
  };
}
