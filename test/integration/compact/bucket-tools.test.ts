/**
 * The compactor's steps as bucket tools (CLI, s3rver): `bucket mark` writes and removes markers,
 * `bucket retention` marks only blocks past it, `bucket cleanup` deletes marked blocks after the
 * delay; `compact --help` exits 0, an unknown flag is a usage error (exit 2).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAll, listAll } from '../../../core/objstore/bucket.ts';
import { bucketFromConfigText } from '../../../sidecar-agent/objstore/from-config.ts';
import { HOUR, uploadDirBlocks, writeRawBlocks } from '../../helpers/compact-data.ts';
import { runCli, runCompact } from '../../helpers/compact-process.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

let tmp: TmpDir;
let s3: S3rverHandle;

beforeAll(async () => {
  tmp = await makeTmpDir('bucket-tools-');
  s3 = await startS3rver();
});

afterAll(async () => {
  await s3?.stop();
  await tmp?.remove();
});

describe('bucket tools and compact flags', () => {
  it('compact --help exits 0; unknown flags are an error', async () => {
    const help = await runCompact(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--retention.resolution-raw');
    const bad = await runCompact(['--no-such-flag=1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown long flag '--no-such-flag'");
  });

  it('marks, applies retention and cleans up', async () => {
    const yaml = s3.objstoreYaml();
    const bucket = bucketFromConfigText(yaml);
    const now = Date.now();
    const dir = join(tmp.path, 'src');
    const old = await writeRawBlocks(dir, {
      blocks: 1,
      series: 20,
      start: Math.floor((now - 30 * 24 * HOUR) / (2 * HOUR)) * 2 * HOUR,
    });
    const recent = await writeRawBlocks(dir, {
      blocks: 1,
      series: 20,
      start: Math.floor((now - 5 * HOUR) / (2 * HOUR)) * 2 * HOUR,
    });
    const ids = [...old, ...recent].map((m) => m.ulid);
    await uploadDirBlocks(bucket, dir, ids, { cluster: 'eu' });
    const obj = `--objstore.config=${yaml}`;

    let r = await runCli([
      'bucket',
      'mark',
      obj,
      `--id=${recent[0]!.ulid}`,
      '--marker=no-compact-mark.json',
      '--details=keep as is',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const mark = JSON.parse(
      new TextDecoder().decode(await getAll(bucket, `${recent[0]!.ulid}/no-compact-mark.json`)),
    );
    expect(mark).toMatchObject({
      id: recent[0]!.ulid,
      version: 1,
      reason: 'manual',
      details: 'keep as is',
    });
    r = await runCli([
      'bucket',
      'mark',
      obj,
      `--id=${recent[0]!.ulid}`,
      '--marker=no-compact-mark.json',
      '--remove',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(await bucket.exists(`${recent[0]!.ulid}/no-compact-mark.json`)).toBe(false);

    r = await runCli(['bucket', 'retention', obj, '--retention.resolution-raw=10d']);
    expect(r.code, r.stderr).toBe(0);
    expect(await bucket.exists(`${old[0]!.ulid}/deletion-mark.json`)).toBe(true);
    expect(await bucket.exists(`${recent[0]!.ulid}/deletion-mark.json`)).toBe(false);

    r = await runCli(['bucket', 'cleanup', obj]);
    expect(r.code, r.stderr).toBe(0);
    expect(await bucket.exists(`${old[0]!.ulid}/meta.json`)).toBe(true);
    r = await runCli(['bucket', 'cleanup', obj, '--delete-delay=0s']);
    expect(r.code, r.stderr).toBe(0);
    expect(await listAll(bucket, old[0]!.ulid, { recursive: true })).toEqual([]);
    expect(await bucket.exists(`${recent[0]!.ulid}/meta.json`)).toBe(true);
  });
});
