/**
 * `thanos-edge compact` (the CLI, on s3rver) and the bucket's marks: overlapping blocks halt
 * their group naming both blocks (and `thanos_compact_halted` in service mode); no-compact marks
 * are respected without opening gaps; marked blocks are deleted only after `--delete-delay`
 * (meta.json first, mark last); retention marks only blocks past it; a corrupt input block gets
 * `no-compact-mark.json` with the reason and the rest of its group is compacted.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bucket } from '../../../core/objstore/bucket.ts';
import { getAll, listAll } from '../../../core/objstore/bucket.ts';
import {
  HOUR,
  T0,
  liveMetas,
  uploadDirBlocks,
  writeRawBlocks,
} from '../../helpers/compact-data.ts';
import { runCompact, spawnCompact } from '../../helpers/compact-process.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { bucketFromConfigText } from '../../../sidecar-agent/objstore/from-config.ts';
import type { BlockMeta } from '../../../core/tsdb/meta.ts';

const BUCKETS = ['overlap', 'nocompact', 'delay', 'retention', 'corrupt'] as const;
let tmp: TmpDir;
let s3: S3rverHandle;

beforeAll(async () => {
  tmp = await makeTmpDir('compact-marks-');
  s3 = await startS3rver({ buckets: BUCKETS });
});

afterAll(async () => {
  await s3?.stop();
  await tmp?.remove();
});

function setup(name: (typeof BUCKETS)[number]): {
  bucket: Bucket;
  args: (...more: string[]) => string[];
} {
  return {
    bucket: bucketFromConfigText(s3.objstoreYaml(name)),
    args: (...more) => [
      `--objstore.config=${s3.objstoreYaml(name)}`,
      `--data-dir=${join(tmp.path, `data-${name}`)}`,
      '--consistency-delay=0s',
      ...more,
    ],
  };
}

async function blocks(
  bucket: Bucket,
  dirName: string,
  labels: Record<string, string>,
  o: { start?: number; blocks: number; seed?: number },
): Promise<BlockMeta[]> {
  const dir = join(tmp.path, dirName);
  const metas = await writeRawBlocks(dir, { series: 60, ...o });
  await uploadDirBlocks(
    bucket,
    dir,
    metas.map((m) => m.ulid),
    labels,
  );
  return metas;
}

const spans = (ms: BlockMeta[]): number[][] =>
  ms.map((m) => [(m.minTime - T0) / HOUR, (m.maxTime - T0) / HOUR, m.compaction.level]);

describe('compact marks and faults', () => {
  it('halts a group with overlapping blocks, naming both; other groups go on', async () => {
    const { bucket, args } = setup('overlap');
    const a = await blocks(bucket, 'ov-a', { cluster: 'x' }, { blocks: 1 });
    const b = await blocks(bucket, 'ov-b', { cluster: 'x' }, { blocks: 1, start: T0 + HOUR });
    await blocks(bucket, 'ov-c', { cluster: 'y' }, { blocks: 5 });
    const run = await runCompact(args());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/critical error detected; halting: .*overlaps found/);
    expect(run.stderr).toContain(a[0]!.ulid);
    expect(run.stderr).toContain(b[0]!.ulid);
    // The healthy group was compacted; nothing of the halted one was touched.
    const live = await liveMetas(bucket);
    expect(
      live.filter((m) => m.thanos?.labels.cluster === 'y').map((m) => m.compaction.level),
    ).toEqual([2, 1]);
    expect(await bucket.exists(`${a[0]!.ulid}/deletion-mark.json`)).toBe(false);

    // As a service it stays up, halted, and says so in its metrics.
    const svc = spawnCompact(args('--wait', '--wait-interval=1s'));
    try {
      let url: string | undefined;
      let halted = '';
      for (let i = 0; i < 200 && !halted.includes('thanos_compact_halted 1'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        const m = /listening on (http:\/\/[^\s"]+)/.exec(svc.stderr());
        url ??= m?.[1];
        if (url) halted = await (await fetch(`${url}/metrics`)).text();
      }
      expect(halted).toContain('thanos_compact_halted 1');
      expect(halted).toMatch(/thanos_blocks_meta_synced\{state="loaded"\} \d+/);
      expect((await fetch(`${url}/-/healthy`)).status).toBe(200);
      expect((await fetch(`${url}/-/ready`)).status).toBe(200);
    } finally {
      svc.proc.kill('SIGTERM');
    }
    expect((await svc.done).code).toBe(0);
  });

  it('respects no-compact marks without opening gaps', async () => {
    const { bucket, args } = setup('nocompact');
    const ms = await blocks(bucket, 'nc', { cluster: 'x' }, { blocks: 5 });
    const mark = {
      id: ms[1]!.ulid,
      version: 1,
      details: 'test',
      no_compact_time: 1,
      reason: 'manual',
    };
    await bucket.upload(
      `${ms[1]!.ulid}/no-compact-mark.json`,
      new TextEncoder().encode(JSON.stringify(mark)),
    );
    const run = await runCompact(args());
    expect(run.code, run.stderr).toBe(0);
    expect(spans(await liveMetas(bucket))).toEqual([
      [0, 2, 1],
      [2, 4, 1],
      [4, 8, 2],
      [8, 10, 1],
    ]);
    expect(await bucket.exists(`${ms[1]!.ulid}/deletion-mark.json`)).toBe(false);
  });

  it('deletes marked blocks only after the delete delay, meta.json first and the mark last', async () => {
    const { bucket, args } = setup('delay');
    const ms = await blocks(bucket, 'dl', { cluster: 'x' }, { blocks: 2 });
    const id = ms[0]!.ulid;
    const mark = { id, deletion_time: Math.floor(Date.now() / 1000) - 3600, version: 1 };
    await bucket.upload(`${id}/deletion-mark.json`, new TextEncoder().encode(JSON.stringify(mark)));
    let run = await runCompact(args('--delete-delay=2h'));
    expect(run.code, run.stderr).toBe(0);
    expect((await listAll(bucket, id, { recursive: true })).length).toBeGreaterThan(2);
    run = await runCompact(args('--delete-delay=30m'));
    expect(run.code, run.stderr).toBe(0);
    expect(await listAll(bucket, id, { recursive: true })).toEqual([]);
    expect(run.stderr).toContain(`block ${id}: deleted`);
    // The other block is untouched.
    expect(await bucket.exists(`${ms[1]!.ulid}/meta.json`)).toBe(true);

    // A delete interrupted after meta.json went (a partial block with its mark) is finished.
    const other = ms[1]!.ulid;
    await bucket.upload(
      `${other}/deletion-mark.json`,
      new TextEncoder().encode(JSON.stringify({ ...mark, id: other })),
    );
    await bucket.delete(`${other}/meta.json`);
    run = await runCompact(args('--delete-delay=30m'));
    expect(run.code, run.stderr).toBe(0);
    expect(await listAll(bucket, other, { recursive: true })).toEqual([]);
  });

  it('retention marks and then deletes only the blocks past it', async () => {
    const { bucket, args } = setup('retention');
    const now = Date.now();
    const old = await blocks(
      bucket,
      'ret-old',
      { cluster: 'old' },
      {
        blocks: 1,
        start: Math.floor((now - 20 * 24 * HOUR) / (2 * HOUR)) * 2 * HOUR,
      },
    );
    const recent = await blocks(
      bucket,
      'ret-new',
      { cluster: 'new' },
      {
        blocks: 1,
        start: Math.floor((now - 24 * HOUR) / (2 * HOUR)) * 2 * HOUR,
      },
    );
    let run = await runCompact(
      args('--retention.resolution-raw=10d', '--retention.resolution-5m=1d'),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(await bucket.exists(`${old[0]!.ulid}/deletion-mark.json`)).toBe(true);
    expect(await bucket.exists(`${old[0]!.ulid}/meta.json`)).toBe(true);
    expect(await bucket.exists(`${recent[0]!.ulid}/deletion-mark.json`)).toBe(false);
    run = await runCompact(args('--retention.resolution-raw=10d', '--delete-delay=0s'));
    expect(run.code, run.stderr).toBe(0);
    expect(await listAll(bucket, old[0]!.ulid, { recursive: true })).toEqual([]);
    expect((await liveMetas(bucket)).map((m) => m.ulid)).toEqual([recent[0]!.ulid]);
  });

  it('marks a corrupt input no-compact with the reason and compacts the rest', async () => {
    const { bucket, args } = setup('corrupt');
    const ms = await blocks(bucket, 'cor', { cluster: 'x' }, { blocks: 5 });
    const bad = ms[1]!.ulid;
    const seg = await getAll(bucket, `${bad}/chunks/000001`);
    // Flip bytes in the middle of the segment: a chunk's CRC no longer matches.
    for (let i = 0; i < 64; i++) seg[Math.floor(seg.length / 2) + i] ^= 0xff;
    await bucket.upload(`${bad}/chunks/000001`, seg);
    const run = await runCompact(args());
    expect(run.code, run.stderr).toBe(0);
    const mark = JSON.parse(
      new TextDecoder().decode(await getAll(bucket, `${bad}/no-compact-mark.json`)),
    );
    expect(mark).toMatchObject({ id: bad, version: 1, reason: 'block-corrupted' });
    expect(mark.details).toMatch(/checksum mismatch/);
    expect(mark.details).toContain(bad);
    expect(spans(await liveMetas(bucket))).toEqual([
      [0, 2, 1],
      [2, 4, 1],
      [4, 8, 2],
      [8, 10, 1],
    ]);
    // Nothing half-written was left behind.
    const ids = new Set(
      (await listAll(bucket, '', { recursive: true })).map((k) => k.split('/')[0]),
    );
    expect(ids.size).toBe(6);
  });
});
