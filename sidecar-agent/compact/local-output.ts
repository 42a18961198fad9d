/**
 * @module sidecar-agent/compact/local-output — the compactor's output through `--data-dir`, as
 * Thanos does: the block is written to `<data-dir>/compact/<ulid>` (tmp dir renamed when whole),
 * uploaded with meta.json last (sidecar-agent/objstore/upload-block.ts), then removed locally.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompactionOutput } from '../../core/compact/output.ts';
import type { Bucket } from '../../core/objstore/bucket.ts';
import { uploadBlock } from '../objstore/upload-block.ts';
import { DirBlockSink, TMP_FOR_CREATION_SUFFIX } from '../tsdb/dir-sink.ts';

export const COMPACT_DIRNAME = 'compact';

/** Prepares `<dataDir>/compact` (leftovers of an earlier run removed) and returns the output. */
export async function localOutput(
  bucket: Bucket,
  dataDir: string,
  onObject?: (key: string, bytes: number) => void,
): Promise<CompactionOutput> {
  const dir = join(dataDir, COMPACT_DIRNAME);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return {
    // Not fsynced: a block lost to a crash before its upload is simply compacted again.
    sink: (ulid) => new DirBlockSink(dir, ulid, { fsync: false }),
    async publish(meta) {
      const up = await uploadBlock(bucket, join(dir, meta.ulid), {
        labels: meta.thanos?.labels ?? {},
        source: 'compactor',
        ...(onObject ? { onObject } : {}),
      });
      return up.meta;
    },
    async discard(ulid) {
      await rm(join(dir, ulid), { recursive: true, force: true });
      await rm(join(dir, ulid + TMP_FOR_CREATION_SUFFIX), { recursive: true, force: true });
    },
  };
}
