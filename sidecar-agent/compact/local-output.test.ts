/**
 * The compactor's local output uploads each chunk segment of a new block once written, while the
 * merge writes the next; publishing sends only the rest, and a block that is never published
 * leaves nothing in the bucket. Real parts: a filesystem bucket (its uploads recorded), the
 * compactor, `localInput` and `localOutput` with segments cut small so a test block has several.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NO_COMPACT_MARK_FILENAME } from '../../core/block/markers.ts';
import { Compactor } from '../../core/compact/compactor.ts';
import type { CompactionInput } from '../../core/compact/input.ts';
import type { CompactionOutput } from '../../core/compact/output.ts';
import type { UploadBody } from '../../core/objstore/bucket.ts';
import type { BlockMeta } from '../../core/tsdb/meta.ts';
import { bucketAnswer } from '../../test/helpers/bucket-answer.ts';
import { T0, liveMetas, uploadDirBlocks, writeRawBlocks } from '../../test/helpers/compact-data.ts';
import { makeTmpDir, type TmpDir } from '../../test/helpers/tmp.ts';
import { FilesystemBucket } from '../objstore/filesystem.ts';
import { localInput } from './local-input.ts';
import { localOutput } from './local-output.ts';

const SERIES = 1000;
const QUERY = '{__name__=~"test_.*"}[10h]';
const AT = T0 + 10 * 3600_000 - 1;

/** A filesystem bucket that records when each upload of a key ended. */
class RecordingBucket extends FilesystemBucket {
  readonly uploads: { key: string; at: number }[] = [];

  override async upload(key: string, body: UploadBody, size?: number): Promise<void> {
    await super.upload(key, body, size);
    this.uploads.push({ key, at: performance.now() });
  }
}

let tmp: TmpDir;
let bucket: RecordingBucket;
let inputs: BlockMeta[];

beforeEach(async () => {
  tmp = await makeTmpDir('compact-output-');
  bucket = new RecordingBucket(join(tmp.path, 'bucket'));
  // Five 2h blocks: the first 8h range is complete and compacted; the fifth is left alone.
  inputs = await writeRawBlocks(join(tmp.path, 'src'), { blocks: 5, series: SERIES });
  await uploadDirBlocks(
    bucket,
    join(tmp.path, 'src'),
    inputs.map((m) => m.ulid),
    { cluster: 'a' },
  );
  bucket.uploads.length = 0;
});
afterEach(() => tmp.remove());

/** Input read in small batches, so the merge goes through many (a block is not read at once). */
function smallBatches(dataDir: string): CompactionInput {
  const real = localInput(bucket, dataDir);
  return {
    async open(group, metas) {
      return { ...(await real.open(group, metas)), readBudget: 1024 };
    },
  };
}

async function compact(
  output: CompactionOutput,
  dataDir: string,
): Promise<Awaited<ReturnType<Compactor['iterate']>>> {
  return new Compactor(bucket, {
    output,
    input: smallBatches(dataDir),
    consistencyDelay: 0,
    downsamplingDisabled: true,
  }).iterate();
}

describe('localOutput', () => {
  it('uploads chunk segments while the block is written, each once; answers unchanged', async () => {
    const before = await bucketAnswer(bucket, QUERY, AT);
    expect(before.length).toBeGreaterThan(SERIES * 0.9);
    const dataDir = join(tmp.path, 'data');
    const real = await localOutput(bucket, dataDir, { minSegmentBytes: 1 });
    const publishStarts = new Map<string, number>();
    const output: CompactionOutput = {
      ...real,
      async publish(meta) {
        publishStarts.set(meta.ulid, performance.now());
        return real.publish(meta);
      },
    };
    const res = await compact(output, dataDir);
    expect(res.compactions).toBe(1);
    const made = (await liveMetas(bucket)).filter((m) => m.compaction.level === 2);
    expect(made).toHaveLength(1);
    const block = made[0]!;
    const segments = block.thanos!.segment_files!;
    expect(segments.length).toBeGreaterThanOrEqual(3);

    const keys = bucket.uploads.map((u) => u.key).filter((k) => k.startsWith(`${block.ulid}/`));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort()).toEqual(
      [...segments.map((s) => `chunks/${s}`), 'index', 'meta.json'].map(
        (f) => `${block.ulid}/${f}`,
      ),
    );
    // The first segment was in the bucket before the merge ended (publishing starts after it).
    const first = bucket.uploads.find((u) => u.key === `${block.ulid}/chunks/${segments[0]}`)!;
    expect(first.at).toBeLessThan(publishStarts.get(block.ulid)!);

    expect(block.stats.numSamples).toBe(
      inputs.slice(0, 4).reduce((a, m) => a + m.stats.numSamples!, 0),
    );
    expect(await bucketAnswer(bucket, QUERY, AT)).toEqual(before);
  });

  it('a merge that fails after segments went up leaves none of them in the bucket', async () => {
    // Spoil the last chunk of the first input: found when the merge is nearly done.
    const bad = inputs[0]!;
    const seg = join(tmp.path, 'bucket', bad.ulid, 'chunks', '000001');
    const bytes = await readFile(seg);
    bytes[bytes.length - 6] = bytes[bytes.length - 6]! ^ 0xff;
    await writeFile(seg, bytes);

    const dataDir = join(tmp.path, 'data');
    const res = await compact(await localOutput(bucket, dataDir, { minSegmentBytes: 1 }), dataDir);
    expect(await bucket.exists(`${bad.ulid}/${NO_COMPACT_MARK_FILENAME}`)).toBe(true);
    expect(res.failures).toEqual([]);

    const visible = new Set((await liveMetas(bucket)).map((m) => m.ulid));
    const early = bucket.uploads.filter(
      (u) => u.key.includes('/chunks/') && !visible.has(u.key.split('/')[0]!),
    );
    // Segments of the abandoned output did go up before the corruption was found …
    expect(early.length).toBeGreaterThan(0);
    // … and are gone again.
    for (const u of early) expect(await bucket.exists(u.key)).toBe(false);
  });
});
