/**
 * @module scripts/lib/s3rver — runs the local S3 API server (npm `s3rver`) in a child process on
 * loopback. A child process because s3rver signs list continuation tokens with DES, which Node 20's
 * OpenSSL 3 offers only with `--openssl-legacy-provider`; it also keeps its event loop apart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

const CHILD = `
const [modulePath, directory, buckets, port, verbose] = process.argv.slice(1);
const S3rver = require(modulePath);
const server = new S3rver({
  address: '127.0.0.1', port: Number(port), silent: verbose !== '1', directory,
  vhostBuckets: false,
  configureBuckets: JSON.parse(buckets).map((name) => ({ name })),
});
server.run().then((addr) => console.log(JSON.stringify({ port: addr.port })), (err) => { console.error(String(err)); process.exit(1); });
process.on('SIGTERM', () => { server.httpServer.closeAllConnections(); server.close().then(() => process.exit(0)); });
// The parent holds our stdin: when it dies without stop(), stdin ends and we go too.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

export interface LocalS3 {
  readonly endpoint: string;
  readonly port: number;
  /** The s3rver process (its CPU time, for benchmarks). */
  readonly pid: number;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  /** Thanos objstore YAML (type: S3) for `bucket`. */
  objstoreYaml(bucket: string): string;
  stop(): Promise<void>;
}

export interface LocalS3Options {
  readonly directory: string;
  readonly buckets: readonly string[];
  /** 0 = any free port. */
  readonly port?: number;
  readonly verbose?: boolean;
}

export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--openssl-legacy-provider',
      '-e',
      CHILD,
      createRequire(import.meta.url).resolve('s3rver'),
      options.directory,
      JSON.stringify(options.buckets),
      String(options.port ?? 0),
      options.verbose ? '1' : '0',
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{"port"')) resolve((JSON.parse(line) as { port: number }).port);
      else if (options.verbose) process.stdout.write(`s3rver: ${line}\n`);
    });
    child.once('exit', (code) =>
      reject(new Error(`s3rver exited with code ${code} before listening`)),
    );
  });
  let stopped = false;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    region: 'us-east-1',
    objstoreYaml: (bucket) =>
      [
        'type: S3',
        'config:',
        `  bucket: ${bucket}`,
        `  endpoint: 127.0.0.1:${port}`,
        '  access_key: S3RVER',
        '  secret_key: S3RVER',
        '  region: us-east-1',
        '  insecure: true',
        '',
      ].join('\n'),
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
