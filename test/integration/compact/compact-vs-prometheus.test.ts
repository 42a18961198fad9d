/**
 * `thanos-edge compact` against Prometheus 2.42's own compactor: the same 2h blocks are
 * compacted by us (from s3rver, through the CLI) and by a real Prometheus with a larger
 * `--storage.tsdb.max-block-duration`; `promtool tsdb dump` of the blocks a store would then
 * serve equals Prometheus's dump of its compacted dir, and the input's dump.
 */
import { cp, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bucket } from '../../../core/objstore/bucket.ts';
import { getAll } from '../../../core/objstore/bucket.ts';
import { parseMeta, isUlid } from '../../../core/tsdb/meta.ts';
import { bucketFromConfigText } from '../../../sidecar-agent/objstore/from-config.ts';
import {
  BLOCK,
  HOUR,
  T0,
  downloadBlocks,
  liveMetas,
  uploadDirBlocks,
  writeRawBlocks,
} from '../../helpers/compact-data.ts';
import { runCompact } from '../../helpers/compact-process.ts';
import {
  TRIGGER_METRIC,
  triggerCompaction,
  waitCompactionsSettled,
} from '../../helpers/prometheus-compaction.ts';
import { startPrometheusOnTsdb } from '../../helpers/prometheus-tsdb.ts';
import { promtoolDump } from '../../helpers/promtool.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

let tmp: TmpDir;
let s3: S3rverHandle;
let bucket: Bucket;

beforeAll(async () => {
  tmp = await makeTmpDir('compact-vs-prom-');
  s3 = await startS3rver();
  bucket = bucketFromConfigText(s3.objstoreYaml());
});

afterAll(async () => {
  await s3?.stop();
  await tmp?.remove();
});

describe('compact vs Prometheus 2.42 compactor', () => {
  it('compacts 2h blocks into an 8h block whose dump equals Prometheus’s', async () => {
    const src = join(tmp.path, 'src');
    const inputs = await writeRawBlocks(src, { blocks: 5, series: 300 });
    await uploadDirBlocks(
      bucket,
      src,
      inputs.map((m) => m.ulid),
      { cluster: 'eu', prometheus: 'p1' },
    );

    const run = await runCompact([
      `--objstore.config=${s3.objstoreYaml()}`,
      `--data-dir=${join(tmp.path, 'data')}`,
      '--consistency-delay=0s',
      '--log.level=debug',
      '--log.format=json',
      '--hash-func=SHA256',
    ]);
    expect(run.code, run.stderr).toBe(0);
    // --log.format=json: every line a JSON object with Thanos's level; ignored flags still said.
    const lines = run.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    expect(lines.length).toBeGreaterThan(0);
    expect(JSON.parse(lines[0]!)).toHaveProperty('level', 'info');
    expect(run.stderr).toContain('flag --hash-func is accepted for compatibility');

    // The newest 2h block is left alone; the complete 8h range became one level-2 block.
    const live = await liveMetas(bucket);
    expect(live.map((m) => [m.minTime - T0, m.maxTime - T0])).toEqual([
      [0, 8 * HOUR],
      [8 * HOUR, 10 * HOUR],
    ]);
    const out = live[0]!;
    expect(out.compaction.level).toBe(2);
    expect(out.compaction.sources).toEqual(
      inputs
        .slice(0, 4)
        .map((m) => m.ulid)
        .sort(),
    );
    expect(out.compaction.parents?.map((p) => p.ulid)).toEqual(
      inputs.slice(0, 4).map((m) => m.ulid),
    );
    expect(out.thanos?.source).toBe('compactor');
    expect(out.thanos?.labels).toEqual({ cluster: 'eu', prometheus: 'p1' });
    expect(out.thanos?.downsample.resolution).toBe(0);
    expect(out.stats.numSamples).toBe(
      inputs.slice(0, 4).reduce((a, m) => a + m.stats.numSamples!, 0),
    );
    expect(out.thanos?.files?.map((f) => f.rel_path)).toEqual([
      'chunks/000001',
      'index',
      'meta.json',
    ]);
    // Inputs are marked, not gone (delete delay 48h).
    for (const m of inputs.slice(0, 4)) {
      expect(await bucket.exists(`${m.ulid}/deletion-mark.json`)).toBe(true);
      expect(await bucket.exists(`${m.ulid}/meta.json`)).toBe(true);
    }
    expect(parseMeta(await getAll(bucket, `${out.ulid}/meta.json`)).ulid).toBe(out.ulid);

    // Prometheus compacts a copy of the same blocks.
    const promDir = join(tmp.path, 'prom');
    await cp(src, promDir, { recursive: true });
    const promWork = join(tmp.path, 'prom-work');
    await mkdir(promWork);
    const prom = await startPrometheusOnTsdb(promDir, promWork, [
      '--storage.tsdb.min-block-duration=2h',
      '--storage.tsdb.max-block-duration=8h',
      '--web.enable-remote-write-receiver',
    ]);
    try {
      await triggerCompaction(prom.url, T0 + 5 * BLOCK);
      await waitCompactionsSettled(prom.url, 2);
    } finally {
      await prom.stop();
    }
    const promBlocks = (await readdir(promDir)).filter(isUlid);
    // It compacted too: fewer blocks than the 5 inputs + its head block.
    expect(promBlocks.length).toBeLessThan(6);

    const ours = join(tmp.path, 'ours');
    await downloadBlocks(
      bucket,
      live.map((m) => m.ulid),
      ours,
    );
    await mkdir(join(src, 'wal'), { recursive: true });
    const match = `{__name__!="${TRIGGER_METRIC}"}`;
    const [oursDump, promDump, inputDump] = await Promise.all([
      promtoolDump(ours),
      promtoolDump(promDir, { match }),
      promtoolDump(src),
    ]);
    expect(oursDump.length).toBeGreaterThan(100_000);
    expect(oursDump.equals(promDump)).toBe(true);
    expect(oursDump.equals(inputDump)).toBe(true);
  });
});
