/**
 * Thanos's `--ignore-deletion-marks-delay`: a block marked for deletion an hour ago is still served
 * under the default delay (24h) and no longer under a 30m one, by the Worker's store gateway
 * (`IGNORE_DELETION_MARKS_DELAY`, with and without store shards) and by `thanos-edge store` (the
 * flag, from the bin). A bad value is a usage error naming the flag.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELETION_MARK_FILENAME, serializeDeletionMark } from '../../../core/block/markers.ts';
import type { BlockMeta } from '../../../core/tsdb/meta.ts';
import { uploadDirBlocks, writeRawBlocks } from '../../helpers/compact-data.ts';
import { runCli } from '../../helpers/compact-process.ts';
import { startEdgeGrpcProcess } from '../../helpers/edge-grpc-process.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';
import { s3Bucket, scaleWorker } from '../../helpers/scale-stack.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

interface BlocksAnswer {
  data: { blocks: { ulid: string }[]; skipped: { id: string; reason: string }[] };
}

describe('ignore-deletion-marks-delay', () => {
  let tmp: TmpDir;
  let s3: S3rverHandle;
  let metas: BlockMeta[];

  beforeAll(async () => {
    tmp = await makeTmpDir('deletion-marks-delay-');
    s3 = await startS3rver();
    const dir = join(tmp.path, 'blocks');
    metas = await writeRawBlocks(dir, { blocks: 2, series: 10 });
    const bucket = s3Bucket(s3);
    await uploadDirBlocks(
      bucket,
      dir,
      metas.map((m) => m.ulid),
      { cluster: 'marks' },
    );
    const marked = metas[0]!.ulid;
    const anHourAgo = Math.floor(Date.now() / 1000) - 3600;
    await bucket.upload(
      `${marked}/${DELETION_MARK_FILENAME}`,
      new TextEncoder().encode(
        serializeDeletionMark({ id: marked, deletion_time: anHourAgo, version: 1 }),
      ),
    );
  }, 120_000);

  afterAll(async () => {
    await s3?.stop();
    await tmp?.remove();
  });

  for (const shards of [0, 2]) {
    it(`the Worker (${shards} store shards) serves the marked block for 24h, not past a 30m delay`, async () => {
      for (const [vars, served] of [
        [{}, 2],
        [{ IGNORE_DELETION_MARKS_DELAY: '30m' }, 1],
      ] as const) {
        const worker = await scaleWorker(s3, { shards, vars }, shards > 0);
        try {
          const { data } = (await (await worker.fetch('/api/v1/blocks')).json()) as BlocksAnswer;
          expect(data.blocks.map((b) => b.ulid).sort(), JSON.stringify(vars)).toEqual(
            metas
              .slice(2 - served)
              .map((m) => m.ulid)
              .sort(),
          );
          expect(data.skipped.map((s) => [s.id, s.reason])).toEqual(
            served === 1 ? [[metas[0]!.ulid, 'marked-for-deletion']] : [],
          );
        } finally {
          await worker.stop();
        }
      }
    }, 120_000);
  }

  it('thanos-edge store serves the marked block for 24h, not past --ignore-deletion-marks-delay=30m', async () => {
    const loaded = async (extra: string[]): Promise<number> => {
      const store = await startEdgeGrpcProcess([
        'store',
        `--objstore.config=${s3.objstoreYaml()}`,
        `--data-dir=${join(tmp.path, 'store-data')}`,
        '--http-address=127.0.0.1:0',
        '--grpc-address=127.0.0.1:0',
        ...extra,
      ]);
      try {
        let ready = false;
        for (let i = 0; i < 100 && !ready; i++) {
          ready = (await fetch(`${store.httpUrl}/-/ready`)).ok;
          if (!ready) await new Promise((r) => setTimeout(r, 100));
        }
        expect(ready, store.log.join('\n')).toBe(true);
        const text = await (await fetch(`${store.httpUrl}/metrics`)).text();
        return Number(/^thanos_bucket_store_blocks_loaded (\d+)$/m.exec(text)![1]);
      } finally {
        await store.stop();
      }
    };
    expect(await loaded([])).toBe(2);
    expect(await loaded(['--ignore-deletion-marks-delay=30m'])).toBe(1);
    const bad = await runCli([
      'store',
      `--objstore.config=${s3.objstoreYaml()}`,
      '--ignore-deletion-marks-delay=soon',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--ignore-deletion-marks-delay: bad duration "soon"');
  }, 120_000);
});
