/**
 * @module test/helpers/bucket-blocks — a filesystem bucket in a temporary directory holding blocks
 * written from series and uploaded as a sidecar does, for tests of the store over a bucket.
 */
import { join } from 'node:path';
import type { BlockMeta } from '../../core/tsdb/meta.ts';
import {
  writeBlock,
  type SeriesSamples,
  type WriteBlockOptions,
} from '../../core/tsdb/writer/block-writer.ts';
import { FilesystemBucket } from '../../sidecar-agent/objstore/filesystem.ts';
import { uploadBlock } from '../../sidecar-agent/objstore/upload-block.ts';
import { dirSinkFactory } from '../../sidecar-agent/tsdb/dir-sink.ts';
import { makeTmpDir } from './tmp.ts';

export interface BlockSpec extends WriteBlockOptions {
  readonly series: readonly SeriesSamples[];
}

export interface SeriesBucket {
  readonly bucket: FilesystemBucket;
  readonly metas: readonly BlockMeta[];
  remove(): Promise<void>;
}

/** One block per entry of `blocks`, uploaded with external `labels`. */
export async function seriesBucket(
  blocks: readonly BlockSpec[],
  labels: Record<string, string>,
): Promise<SeriesBucket> {
  const tmp = await makeTmpDir();
  try {
    const bucket = new FilesystemBucket(join(tmp.path, 'bucket'));
    const dir = join(tmp.path, 'tsdb');
    const metas: BlockMeta[] = [];
    for (const { series, ...opts } of blocks) {
      const meta = await writeBlock(dirSinkFactory(dir), series, opts);
      if (!meta) throw new Error('block would be empty');
      await uploadBlock(bucket, join(dir, meta.ulid), { labels, source: 'sidecar' });
      metas.push(meta);
    }
    return { bucket, metas, remove: () => tmp.remove() };
  } catch (err) {
    await tmp.remove();
    throw err;
  }
}
