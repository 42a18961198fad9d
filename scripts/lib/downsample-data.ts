/**
 * @module scripts/lib/downsample-data — a bucket as a Thanos compactor leaves it after months: the
 * scale data set's series (scripts/lib/scale-data.ts) written as 2d blocks, every 7 of them merged
 * into a 14d block by our compactor's block merge (core/compact/compact-blocks.ts, inputs then
 * deleted), the rest left as 2d blocks; then downsampled by our downsampler by Thanos's plan (a 5m
 * copy of every raw block spanning ≥ 40h, a 1h copy of every 5m block spanning ≥ 10d). So the
 * newest days have no 1h copy and a 1h read falls back to 5m data there.
 */
import { BucketBlockDir } from '../../core/block/bucket-block-dir.ts';
import { bucketSinkFactory } from '../../core/block/bucket-sink.ts';
import { compactBlocks } from '../../core/compact/compact-blocks.ts';
import { downsampleBlock } from '../../core/compact/downsample/block.ts';
import { planDownsample } from '../../core/compact/downsample/plan.ts';
import { getAll, listAll, type Bucket } from '../../core/objstore/bucket.ts';
import { Block } from '../../core/tsdb/block-reader.ts';
import { META_FILENAME, RES_LEVEL0, type BlockMeta } from '../../core/tsdb/meta.ts';
import { writeBlock } from '../../core/tsdb/writer/block-writer.ts';
import { SCALE_END, scaleSeries } from './scale-data.ts';

const DAY = 24 * 3600_000;
/** Written blocks span 2d; the compactor's next level, 14d, merges seven of them. */
export const RAW_BLOCK_RANGE = 2 * DAY;
export const COMPACTED_BLOCKS = 7;

export interface DownsampleDataOptions {
  readonly days: number;
  /** Copies of the demo series (~180 series each). Default 1. */
  readonly copies?: number;
  /** End of the data, ms, aligned down to 2d. Default: scale-data's fixed end. */
  readonly end?: number;
  /** External labels of every block. */
  readonly labels: Record<string, string>;
  readonly progress?: (msg: string) => void;
}

export interface DownsampleData {
  readonly minTime: number;
  readonly maxTime: number;
  /** The bucket's blocks at the end, every resolution. */
  readonly metas: readonly BlockMeta[];
  readonly series: number;
  readonly samples: number;
}

export async function writeDownsampledBucket(
  bucket: Bucket,
  o: DownsampleDataOptions,
): Promise<DownsampleData> {
  const end = Math.floor((o.end ?? SCALE_END) / RAW_BLOCK_RANGE) * RAW_BLOCK_RANGE;
  const start = end - Math.ceil((o.days * DAY) / RAW_BLOCK_RANGE) * RAW_BLOCK_RANGE;
  const thanos = { labels: o.labels, downsample: { resolution: RES_LEVEL0 } };
  const sink = bucketSinkFactory(bucket);
  const total = (end - start) / RAW_BLOCK_RANGE;
  let series = 0;
  let samples = 0;
  const raw: BlockMeta[] = [];
  for (let from = start, i = 1; from < end; from += RAW_BLOCK_RANGE, i++) {
    o.progress?.(`writing 2d block ${i}/${total}`);
    // Scrapes 7s past the 30s grid (the demo's replica 1): no sample on a window boundary, so a
    // range ending on the hour holds the same samples raw as in whole 5m or 1h windows.
    const all = scaleSeries(from, from + RAW_BLOCK_RANGE, o.copies ?? 1, 1);
    const meta = await writeBlock(sink, all, {
      minTime: from,
      maxTime: from + RAW_BLOCK_RANGE,
      tombstones: false,
      thanos: { ...thanos, source: 'sidecar' },
    });
    if (!meta) continue;
    raw.push(meta);
    series = Math.max(series, meta.stats.numSeries ?? 0);
    samples += meta.stats.numSamples ?? 0;
  }
  const metas: BlockMeta[] = [];
  const whole = Math.floor(raw.length / COMPACTED_BLOCKS) * COMPACTED_BLOCKS;
  for (let i = 0; i < whole; i += COMPACTED_BLOCKS) {
    o.progress?.(`compacting 14d block ${i / COMPACTED_BLOCKS + 1}/${whole / COMPACTED_BLOCKS}`);
    const group = raw.slice(i, i + COMPACTED_BLOCKS);
    const inputs = await Promise.all(
      group.map(async (m) => ({
        block: await Block.open(new BucketBlockDir(bucket, m.ulid, { meta: m }), { id: m.ulid }),
      })),
    );
    const { meta } = await compactBlocks(inputs, { sink, thanos });
    metas.push(meta!);
    // The compactor marks its inputs and deletes them after the delay: here, at once.
    for (const m of group)
      for (const key of await listAll(bucket, `${m.ulid}/`, { recursive: true }))
        await bucket.delete(key);
  }
  metas.push(...raw.slice(whole));
  for (let pass = 1; ; pass++) {
    const tasks = planDownsample(metas);
    if (tasks.length === 0) break;
    for (const [i, t] of tasks.entries()) {
      o.progress?.(
        `downsampling pass ${pass}: block ${i + 1}/${tasks.length} to ${t.resolution / 60_000}m`,
      );
      const out = await downsampleBlock(bucket, t.meta, t.resolution);
      if (out) metas.push(out);
    }
  }
  return { minTime: start, maxTime: end, metas, series, samples };
}

/** Copies every object of `from` into `to`, each block's meta.json last (as the shipper does). */
export async function copyBucket(
  from: Bucket,
  to: Bucket,
  progress?: (msg: string) => void,
): Promise<void> {
  const keys = await listAll(from, '', { recursive: true });
  const metasLast = [
    ...keys.filter((k) => !k.endsWith(`/${META_FILENAME}`)),
    ...keys.filter((k) => k.endsWith(`/${META_FILENAME}`)),
  ];
  for (const [i, key] of metasLast.entries()) {
    if (i % 50 === 0) progress?.(`uploading object ${i + 1}/${keys.length}`);
    const body = await getAll(from, key);
    await to.upload(key, body, body.length);
  }
}
