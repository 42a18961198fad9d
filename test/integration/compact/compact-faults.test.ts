/**
 * The compactor (the CLI, a child process) SIGKILLed at several points of a compaction: before
 * its first object, between the new block's files, after the new block's meta.json, between the
 * inputs' deletion marks. A fake S3 proxy in front of s3rver (a fake only to place the kill: it
 * forwards every request and kills the process when the Nth PUT arrives, before forwarding it)
 * makes each point exact. After every kill the bucket, read through the bucket store and the
 * querier, answers exactly as before compaction (no sample lost, none doubled); the next run
 * finishes the work: one level-2 block plus the newest block, inputs deleted after the delay.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bucket } from '../../../core/objstore/bucket.ts';
import { listAll } from '../../../core/objstore/bucket.ts';
import type { BlockMeta } from '../../../core/tsdb/meta.ts';
import { bucketFromConfigText } from '../../../sidecar-agent/objstore/from-config.ts';
import {
  HOUR,
  T0,
  liveMetas,
  uploadDirBlocks,
  writeRawBlocks,
} from '../../helpers/compact-data.ts';
import { bucketAnswer } from '../../helpers/bucket-answer.ts';
import { runCompact, spawnCompact } from '../../helpers/compact-process.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

/** Kill when this PUT arrives: 1 = first output object, 3 = meta.json, 4 = first mark, 6 = third mark. */
const KILL_AT = [1, 3, 4, 6] as const;
const BUCKETS = ['clean', ...KILL_AT.map((n) => `kill${n}`)];

let tmp: TmpDir;
let s3: S3rverHandle;
let inputs: BlockMeta[];
let srcDir: string;

/** Counts PUTs and kills `victim` when the `killAt`-th arrives (that PUT is never forwarded). */
class KillingProxy {
  readonly server: Server;
  port = 0;
  puts: string[] = [];
  killAt = 0;
  victim: ChildProcess | undefined;

  constructor(target: number) {
    this.server = createServer((req, res) => {
      if (req.method === 'PUT') {
        this.puts.push(req.url ?? '');
        if (this.puts.length === this.killAt) {
          this.victim?.kill('SIGKILL');
          req.socket.destroy();
          return;
        }
      }
      const up = request(
        {
          host: '127.0.0.1',
          port: target,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }
}

let proxy: KillingProxy;

beforeAll(async () => {
  tmp = await makeTmpDir('compact-faults-');
  s3 = await startS3rver({ buckets: BUCKETS });
  proxy = new KillingProxy(s3.port);
  await proxy.start();
  srcDir = join(tmp.path, 'src');
  inputs = await writeRawBlocks(srcDir, { blocks: 5, series: 80 });
});

afterAll(async () => {
  proxy?.server.closeAllConnections();
  await new Promise((r) => proxy?.server.close(r));
  await s3?.stop();
  await tmp?.remove();
});

/** Every raw sample of the bucket's series as the querier answers (range selector over all data). */
function answer(bucket: Bucket): Promise<string[]> {
  return bucketAnswer(bucket, '{__name__=~"test_.+"}[10h]', T0 + 10 * HOUR - 1);
}

async function seed(name: string): Promise<{ bucket: Bucket; yaml: string }> {
  const yaml = s3.objstoreYaml(name);
  const bucket = bucketFromConfigText(yaml);
  await uploadDirBlocks(
    bucket,
    srcDir,
    inputs.map((m) => m.ulid),
    { cluster: 'eu' },
  );
  return { bucket, yaml };
}

const args = (yaml: string, name: string, ...more: string[]): string[] => [
  `--objstore.config=${yaml}`,
  `--data-dir=${join(tmp.path, `data-${name}`)}`,
  '--consistency-delay=0s',
  ...more,
];

describe('compactor killed midway', () => {
  let baseline: string[];

  it('answers the same after an undisturbed compaction (the baseline)', async () => {
    const { bucket, yaml } = await seed('clean');
    baseline = await answer(bucket);
    expect(baseline.length).toBe(80);
    proxy.puts = [];
    proxy.killAt = 0;
    const run = await runCompact(args(yaml.replace(`:${s3.port}`, `:${proxy.port}`), 'clean'));
    expect(run.code, run.stderr).toBe(0);
    // The order the kill points rely on: the block's files, meta.json, then the four marks.
    expect(proxy.puts.map((p) => p.split('/').slice(3).join('/'))).toEqual([
      'chunks/000001',
      'index',
      'meta.json',
      'deletion-mark.json',
      'deletion-mark.json',
      'deletion-mark.json',
      'deletion-mark.json',
    ]);
    expect(await answer(bucket)).toEqual(baseline);
  });

  for (const n of KILL_AT) {
    it(`SIGKILL at PUT #${n}: nothing lost or doubled, the next run finishes`, async () => {
      const name = `kill${n}`;
      const { bucket, yaml } = await seed(name);
      proxy.puts = [];
      proxy.killAt = n;
      const p = spawnCompact(args(yaml.replace(`:${s3.port}`, `:${proxy.port}`), name));
      proxy.victim = p.proc;
      const killed = await p.done;
      proxy.victim = undefined;
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      expect(await answer(bucket)).toEqual(baseline);

      const again = await runCompact(args(yaml, name));
      expect(again.code, again.stderr).toBe(0);
      expect(await answer(bucket)).toEqual(baseline);
      const live = await liveMetas(bucket);
      expect(
        live.map((m) => [(m.minTime - T0) / HOUR, (m.maxTime - T0) / HOUR, m.compaction.level]),
      ).toEqual([
        [0, 8, 2],
        [8, 10, 1],
      ]);

      // After the delay the inputs are gone; what remains answers the same.
      const last = await runCompact(args(yaml, name, '--delete-delay=0s'));
      expect(last.code, last.stderr).toBe(0);
      const keys = await listAll(bucket, '', { recursive: true });
      const withMeta = keys.filter((k) => k.endsWith('/meta.json')).map((k) => k.split('/')[0]);
      expect(withMeta.sort()).toEqual(live.map((m) => m.ulid).sort());
      expect(await answer(bucket)).toEqual(baseline);
    });
  }
});
