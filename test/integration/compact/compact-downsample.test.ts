/**
 * The compactor's downsampling round, through the CLI on s3rver: 50h of 2h blocks are compacted
 * into a 2d block, which spans more than 40h and so gets a 5m copy with the same sources; with
 * `--downsampling.disable` the same bucket gets none. A second run makes nothing new.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RES_LEVEL0, RES_LEVEL1 } from '../../../core/tsdb/meta.ts';
import { bucketFromConfigText } from '../../../sidecar-agent/objstore/from-config.ts';
import { HOUR, liveMetas, uploadDirBlocks, writeRawBlocks } from '../../helpers/compact-data.ts';
import { runCompact } from '../../helpers/compact-process.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

const BUCKETS = ['on', 'off'] as const;

describe('compact downsamples what it compacted', () => {
  let tmp: TmpDir;
  let s3: S3rverHandle;

  beforeAll(async () => {
    tmp = await makeTmpDir('compact-downsample-');
    s3 = await startS3rver({ buckets: BUCKETS });
    const metas = await writeRawBlocks(join(tmp.path, 'raw'), { blocks: 25, series: 20 });
    for (const name of BUCKETS) {
      await uploadDirBlocks(
        bucketFromConfigText(s3.objstoreYaml(name)),
        join(tmp.path, 'raw'),
        metas.map((m) => m.ulid),
        { cluster: 'x' },
      );
    }
  }, 60_000);

  afterAll(async () => {
    await s3?.stop();
    await tmp?.remove();
  });

  const run = (name: (typeof BUCKETS)[number], ...more: string[]) =>
    runCompact([
      `--objstore.config=${s3.objstoreYaml(name)}`,
      `--data-dir=${join(tmp.path, `data-${name}`)}`,
      '--consistency-delay=0s',
      ...more,
    ]);

  it('writes a 5m copy of the 2d block, with its sources and labels', async () => {
    const r = await run('on');
    expect(r.code, r.stderr).toBe(0);
    const live = await liveMetas(bucketFromConfigText(s3.objstoreYaml('on')));
    const raw2d = live.find(
      (m) => m.thanos?.downsample.resolution === RES_LEVEL0 && m.maxTime - m.minTime >= 40 * HOUR,
    );
    expect(raw2d, live.map((m) => `${m.ulid} ${m.maxTime - m.minTime}`).join('\n')).toBeDefined();
    const copies = live.filter((m) => m.thanos?.downsample.resolution === RES_LEVEL1);
    expect(copies).toHaveLength(1);
    const copy = copies[0]!;
    expect([copy.minTime, copy.maxTime]).toEqual([raw2d!.minTime, raw2d!.maxTime]);
    expect(copy.compaction.sources).toEqual(raw2d!.compaction.sources);
    expect(copy.thanos?.labels).toEqual({ cluster: 'x' });
    expect(copy.stats.numSeries).toBe(raw2d!.stats.numSeries);
    expect(r.stderr).toMatch(new RegExp(`block ${raw2d!.ulid}: downsampled to 5m`));

    const again = await run('on');
    expect(again.code, again.stderr).toBe(0);
    const after = await liveMetas(bucketFromConfigText(s3.objstoreYaml('on')));
    expect(after.filter((m) => m.thanos?.downsample.resolution === RES_LEVEL1)).toHaveLength(1);
  }, 120_000);

  it('writes none with --downsampling.disable', async () => {
    const r = await run('off', '--downsampling.disable');
    expect(r.code, r.stderr).toBe(0);
    const live = await liveMetas(bucketFromConfigText(s3.objstoreYaml('off')));
    expect(live.some((m) => m.maxTime - m.minTime >= 40 * HOUR)).toBe(true);
    expect(live.every((m) => m.thanos?.downsample.resolution === RES_LEVEL0)).toBe(true);
  }, 120_000);
});
