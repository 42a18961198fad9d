/**
 * @module core/compact/downsample/block — downsamples one block of a bucket into a new block, as
 * Thanos's `downsample.Downsample`. Entry point for the compactor:
 *
 *   const meta = await downsampleBlock(bucket, input, RES_LEVEL1); // raw → 5m
 *   const meta = await downsampleBlock(bucket, input, RES_LEVEL2); // 5m → 1h
 *
 * (`planDownsample` in plan.ts says which blocks are due.) Series are read from the input block
 * in index order one batch at a time and written as they come, so memory follows one batch of
 * series, not the block. The new block goes to `options.sink` (default: straight into the bucket,
 * meta.json last) with the input's time range, compaction level, sources and parents, external
 * labels, `thanos.downsample.resolution` set and source `compactor`. Returns its meta, or
 * undefined when the input held no samples to aggregate.
 */
import { BadDataError, CorruptBlockError, errorMessage } from '../../errors.ts';
import { ENCODING_AGGR, decodeAggrChunk } from '../../chunkenc/aggr.ts';
import { compareStrings } from '../../labels/labels.ts';
import { newMatcher } from '../../labels/matcher.ts';
import type { Bucket } from '../../objstore/bucket.ts';
import { BucketBlockDir } from '../../block/bucket-block-dir.ts';
import { Block } from '../../tsdb/block-reader.ts';
import { segmentName } from '../../tsdb/chunk-reader.ts';
import { RES_LEVEL0, type BlockMeta } from '../../tsdb/meta.ts';
import { decodeSeriesSamples, type Samples } from '../../tsdb/series-samples.ts';
import { BlockAssembler, type SinkFactory } from '../../tsdb/writer/block-writer.ts';
import { bucketSinkFactory } from '../../block/bucket-sink.ts';
import type { ChunkMeta } from '../../tsdb/writer/chunk-writer.ts';
import { downsampleAggr, downsampleRaw, expandRaw, type InputAggrChunk } from './series.ts';

export interface DownsampleOptions {
  /** Where the new block is written (default: into `bucket`, under `<ulid>/`). */
  readonly sink?: SinkFactory;
  /** ULID of the new block (default: a new one). */
  readonly ulid?: string;
  /** Series per batch of index and chunk reads (default 256). */
  readonly batchSeries?: number;
  readonly signal?: AbortSignal;
}

const ALL_SERIES = newMatcher('=~', '__name__', '.*');

/** Downsamples block `meta` of `bucket` to `resolution` (ms; 300000 or 3600000). */
export async function downsampleBlock(
  bucket: Bucket,
  meta: BlockMeta,
  resolution: number,
  options: DownsampleOptions = {},
): Promise<BlockMeta | undefined> {
  const inRes = meta.thanos?.downsample.resolution ?? RES_LEVEL0;
  if (inRes >= resolution) {
    throw new BadDataError(
      `downsample block ${meta.ulid}: target resolution ${resolution} not lower than its ${inRes}`,
    );
  }
  const block = await Block.open(new BucketBlockDir(bucket, meta.ulid, { meta }), {
    id: meta.ulid,
  });
  const symbols = new Set<string>(['']);
  for (const name of block.index.labelNames()) {
    symbols.add(name);
    for (const v of block.index.labelValues(name)) symbols.add(v);
  }
  const w = new BlockAssembler(options.sink ?? bucketSinkFactory(bucket), {
    ...(options.ulid ? { ulid: options.ulid } : {}),
    tombstones: false,
    thanos: {
      labels: { ...(meta.thanos?.labels ?? {}) },
      downsample: { resolution },
      source: 'compactor',
    },
    compaction: structuredClone(meta.compaction),
  });
  try {
    w.setSymbols([...symbols].sort(compareStrings));
    let buf: Samples | undefined;
    for await (const s of block.select([ALL_SERIES], -Infinity, Infinity, {
      batchSize: options.batchSeries ?? 256,
    })) {
      options.signal?.throwIfAborted();
      let chunks: ChunkMeta[];
      if (inRes === RES_LEVEL0) {
        buf = decodeSeriesSamples(s, -Infinity, Infinity, meta.ulid, buf);
        const n = expandRaw(buf.t, buf.v, buf.length);
        chunks = downsampleRaw(buf.t, buf.v, n, resolution);
      } else {
        const input: InputAggrChunk[] = s.chunks.map((c) => {
          if (c.encoding !== ENCODING_AGGR) {
            throw new CorruptBlockError(
              `downsampled block has a chunk of encoding ${c.encoding}, want an aggregate chunk`,
              locate(meta.ulid, c.ref),
            );
          }
          try {
            return { minTime: c.mint, maxTime: c.maxt, parts: decodeAggrChunk(c.data) };
          } catch (err) {
            throw new CorruptBlockError(errorMessage(err), locate(meta.ulid, c.ref), {
              cause: err,
            });
          }
        });
        chunks = downsampleAggr(input, inRes, resolution);
      }
      await w.addSeries(s.labels, chunks);
    }
  } catch (err) {
    await w.abort(err);
    throw err;
  }
  return w.finish(meta.minTime, meta.maxTime);
}

function locate(block: string, ref: number): { block: string; file: string; offset: number } {
  return {
    block,
    file: segmentName(Math.floor(ref / 0x1_0000_0000)),
    offset: ref % 0x1_0000_0000,
  };
}
