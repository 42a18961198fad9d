/**
 * Offline deduplication: two HA replicas' blocks (external label `replica`, replica b scraping 5s
 * later) form one group once `--deduplication.replica-label=replica` drops the label; their blocks
 * overlap, so without `--compact.enable-vertical-compaction` the group halts, and with it they
 * are merged with the querier's penalty algorithm. The compacted bucket answers, without
 * deduplication, exactly what the querier answered over the replicas with deduplication.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bucket } from '../../../core/objstore/bucket.ts';
import { bucketFromConfigText } from '../../../sidecar-agent/objstore/from-config.ts';
import { bucketAnswer } from '../../helpers/bucket-answer.ts';
import {
  HOUR,
  T0,
  liveMetas,
  uploadDirBlocks,
  writeRawBlocks,
} from '../../helpers/compact-data.ts';
import { runCompact } from '../../helpers/compact-process.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

let tmp: TmpDir;
let s3: S3rverHandle;
let bucket: Bucket;

beforeAll(async () => {
  tmp = await makeTmpDir('compact-vertical-');
  s3 = await startS3rver();
  bucket = bucketFromConfigText(s3.objstoreYaml());
});

afterAll(async () => {
  await s3?.stop();
  await tmp?.remove();
});

const QUERY = '{__name__=~"test_.+"}[4h]';
const AT = T0 + 4 * HOUR - 1;

describe('vertical compaction with replica deduplication', () => {
  it('halts without the flag, merges replicas with it', async () => {
    for (const [replica, phase] of [
      ['a', 0],
      ['b', 5000],
    ] as const) {
      const dir = join(tmp.path, replica);
      const ms = await writeRawBlocks(dir, { blocks: 2, series: 60, seed: 7, phase });
      await uploadDirBlocks(
        bucket,
        dir,
        ms.map((m) => m.ulid),
        { cluster: 'eu', replica },
      );
    }
    const deduped = await bucketAnswer(bucket, QUERY, AT, ['replica']);
    const replicaA = (await bucketAnswer(bucket, `{__name__=~"test_.+",replica="a"}[4h]`, AT)).map(
      (l) => l.replace(',replica=a', ''),
    );
    expect(deduped).toEqual(replicaA);

    const base = [
      `--objstore.config=${s3.objstoreYaml()}`,
      `--data-dir=${join(tmp.path, 'data')}`,
      '--consistency-delay=0s',
      '--deduplication.replica-label=replica',
    ];
    const halted = await runCompact(base);
    expect(halted.code).toBe(1);
    expect(halted.stderr).toContain('overlaps found');

    const run = await runCompact([...base, '--compact.enable-vertical-compaction']);
    expect(run.code, run.stderr).toBe(0);
    const live = await liveMetas(bucket);
    expect(
      live.map((m) => [(m.minTime - T0) / HOUR, (m.maxTime - T0) / HOUR, m.compaction.level]),
    ).toEqual([
      [0, 2, 2],
      [2, 4, 2],
    ]);
    for (const m of live) {
      expect(m.thanos?.labels).toEqual({ cluster: 'eu' });
      expect(m.compaction.sources?.length).toBe(2);
    }
    const cleaned = await runCompact([
      ...base,
      '--compact.enable-vertical-compaction',
      '--delete-delay=0s',
    ]);
    expect(cleaned.code, cleaned.stderr).toBe(0);
    expect(await bucketAnswer(bucket, QUERY, AT)).toEqual(deduped);
  });
});
