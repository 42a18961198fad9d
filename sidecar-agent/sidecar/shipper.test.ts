import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bucket, UploadBody } from '../../core/objstore/bucket.ts';
import { getAll } from '../../core/objstore/bucket.ts';
import { parseMeta } from '../../core/tsdb/meta.ts';
import { makeTmpDir, type TmpDir } from '../../test/helpers/tmp.ts';
import { FilesystemBucket } from '../objstore/filesystem.ts';
import { newSidecarMetrics } from './metrics.ts';
import { Shipper } from './shipper.ts';
import { readShipperState, writeShipperState } from './shipper-state.ts';

const IDS = [
  '01H0000000000000000000000A',
  '01H0000000000000000000000B',
  '01H0000000000000000000000C',
  '01H0000000000000000000000D',
];

async function makeBlock(
  tsdb: string,
  id: string,
  opts: { level?: number; samples?: number; meta?: boolean } = {},
): Promise<void> {
  const dir = join(tsdb, id);
  await mkdir(join(dir, 'chunks'), { recursive: true });
  await writeFile(join(dir, 'chunks', '000001'), `chunks of ${id}`);
  await writeFile(join(dir, 'index'), `index of ${id}`);
  if (opts.meta === false) return;
  await writeFile(
    join(dir, 'meta.json'),
    JSON.stringify({
      ulid: id,
      minTime: 0,
      maxTime: 1000,
      stats: { numSamples: opts.samples ?? 10, numSeries: 1, numChunks: 1 },
      compaction: { level: opts.level ?? 1, sources: [id] },
      version: 1,
    }),
  );
}

/** The real filesystem bucket with injected upload failures. */
class FlakyBucket extends FilesystemBucket {
  failures = 0;
  uploads: string[] = [];
  override async upload(key: string, body: UploadBody, size?: number): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      if (body instanceof ReadableStream) await body.cancel();
      throw new Error('injected upload failure');
    }
    this.uploads.push(key);
    return super.upload(key, body, size);
  }
}

let tmp: TmpDir;
let tsdb: string;
let bucket: FlakyBucket;

beforeEach(async () => {
  tmp = await makeTmpDir('shipper-');
  tsdb = join(tmp.path, 'tsdb');
  await mkdir(tsdb);
  bucket = new FlakyBucket(join(tmp.path, 'bucket'));
});
afterEach(() => tmp.remove());

const shipper = (
  b: Bucket = bucket,
  over: Partial<ConstructorParameters<typeof Shipper>[0]> = {},
) =>
  new Shipper({
    bucket: b,
    tsdbPath: tsdb,
    labels: () => ({ cluster: 'c' }),
    retry: { attempts: 3, baseMs: 1 },
    ...over,
  });

describe('Shipper', () => {
  it('uploads finished level-1 blocks once, meta.json last, and records them', async () => {
    await makeBlock(tsdb, IDS[0]!);
    await makeBlock(tsdb, IDS[1]!, { level: 2 });
    await makeBlock(tsdb, IDS[2]!, { meta: false }); // still being written
    await makeBlock(tsdb, IDS[3]!, { samples: 0 });
    const metrics = newSidecarMetrics({ processMetrics: false });
    const s = shipper(bucket, { metrics });
    expect((await s.sync()).uploaded).toEqual([IDS[0]]);
    expect(bucket.uploads).toEqual([
      `${IDS[0]}/chunks/000001`,
      `${IDS[0]}/index`,
      `${IDS[0]}/meta.json`,
    ]);
    const meta = parseMeta(await getAll(bucket, `${IDS[0]}/meta.json`), IDS[0]);
    expect(meta.thanos?.source).toBe('sidecar');
    expect(meta.thanos?.labels).toEqual({ cluster: 'c' });
    expect((await readShipperState(tsdb)).uploaded).toEqual([IDS[0]]);
    expect((await s.sync()).uploaded).toEqual([]);
    expect(bucket.uploads.length).toBe(3);
    expect((await metrics.uploads.get()).values[0]!.value).toBe(1);
    // A new shipper (restart) reads the state: still nothing twice.
    expect((await shipper().sync()).uploaded).toEqual([]);
  });

  it('uploads compacted blocks with uploadCompacted', async () => {
    await makeBlock(tsdb, IDS[1]!, { level: 3 });
    expect((await shipper(bucket, { uploadCompacted: true }).sync()).uploaded).toEqual([IDS[1]]);
  });

  it('a block already complete in the bucket is recorded, not re-sent', async () => {
    await makeBlock(tsdb, IDS[0]!);
    await bucket.upload(`${IDS[0]}/meta.json`, new TextEncoder().encode('{"marker":1}'));
    bucket.uploads = [];
    expect((await shipper().sync()).uploaded).toEqual([]);
    expect(bucket.uploads).toEqual([]);
    expect((await readShipperState(tsdb)).uploaded).toEqual([IDS[0]]);
  });

  it('retries failed uploads with backoff; gives up after the attempts and tries again next sync', async () => {
    await makeBlock(tsdb, IDS[0]!);
    const metrics = newSidecarMetrics({ processMetrics: false });
    bucket.failures = 2;
    expect((await shipper(bucket, { metrics }).sync()).uploaded).toEqual([IDS[0]]);
    expect((await metrics.uploadFailures.get()).values[0]!.value).toBe(2);
    await makeBlock(tsdb, IDS[1]!);
    bucket.failures = 3;
    const r = await shipper(bucket, { metrics }).sync();
    expect(r.failed).toEqual([IDS[1]]);
    expect(await bucket.exists(`${IDS[1]}/meta.json`)).toBe(false);
    expect((await shipper(bucket).sync()).uploaded).toEqual([IDS[1]]);
  });

  it('forgets blocks deleted locally; a corrupt state file is treated as empty', async () => {
    await makeBlock(tsdb, IDS[0]!);
    await makeBlock(tsdb, IDS[1]!);
    await shipper().sync();
    await rm(join(tsdb, IDS[0]!), { recursive: true });
    await shipper().sync();
    expect((await readShipperState(tsdb)).uploaded).toEqual([IDS[1]]);
    await writeFile(join(tsdb, 'thanos.shipper.json'), '{not json');
    expect((await readShipperState(tsdb)).uploaded).toEqual([]);
    bucket.uploads = [];
    expect((await shipper().sync()).uploaded).toEqual([]); // found in the bucket instead
    expect(bucket.uploads).toEqual([]);
  });

  it('keeps its state in the meta file named (--shipper.meta-file-name), not thanos.shipper.json', async () => {
    await makeBlock(tsdb, IDS[0]!);
    // A default state file that says the block is shipped: the named file must be the one read.
    await writeShipperState(tsdb, [IDS[0]!]);
    await mkdir(join(tsdb, 'state'));
    const s = shipper(bucket, { metaFile: 'state/sidecar-a.json' });
    expect((await s.sync()).uploaded).toEqual([IDS[0]]);
    expect(JSON.parse(await readFile(join(tsdb, 'state', 'sidecar-a.json'), 'utf8'))).toEqual({
      version: 1,
      uploaded: [IDS[0]],
    });
    // Read back: against an empty bucket (no meta.json to find there), only the named file
    // keeps the block from being sent again.
    await rm(join(tsdb, 'thanos.shipper.json'));
    const empty = new FlakyBucket(join(tmp.path, 'bucket-2'));
    expect((await shipper(empty, { metaFile: 'state/sidecar-a.json' }).sync()).uploaded).toEqual(
      [],
    );
    expect(empty.uploads).toEqual([]);
    expect(await stat(join(tsdb, 'thanos.shipper.json')).catch(() => 'absent')).toBe('absent');
  });

  it('writes the state atomically in Thanos format', async () => {
    await writeShipperState(tsdb, [IDS[1]!, IDS[0]!]);
    expect(JSON.parse(await readFile(join(tsdb, 'thanos.shipper.json'), 'utf8'))).toEqual({
      version: 1,
      uploaded: [IDS[0], IDS[1]],
    });
  });
});
