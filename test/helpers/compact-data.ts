/**
 * @module test/helpers/compact-data — raw 2h blocks for compactor tests: counters (with resets),
 * gauges (with NaN and stale markers), series that come and go between blocks, written into a
 * local TSDB dir (Prometheus can open it), uploaded with Thanos's meta; and the way back: the
 * blocks a querier would see (meta.json, no deletion mark) downloaded into a dir promtool dumps.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LITTLE_ENDIAN, STALE_NAN_BITS_HI, STALE_NAN_BITS_LO } from '../../core/chunkenc/stale.ts';
import { getAll, listAll, type Bucket } from '../../core/objstore/bucket.ts';
import { DELETION_MARK_FILENAME } from '../../core/block/markers.ts';
import { META_FILENAME, isUlid, parseMeta, type BlockMeta } from '../../core/tsdb/meta.ts';
import { writeBlock, type SeriesSamples } from '../../core/tsdb/writer/block-writer.ts';
import { uploadBlock } from '../../sidecar-agent/objstore/upload-block.ts';
import { dirSinkFactory } from '../../sidecar-agent/tsdb/dir-sink.ts';
import { Random } from './random.ts';

export const HOUR = 3600_000;
export const BLOCK = 2 * HOUR;
/** A fixed start aligned to 2d, so 8h and 2d ranges line up in every test. */
export const T0 = Math.floor(Date.UTC(2026, 9, 1) / (48 * HOUR)) * 48 * HOUR;

export interface RawBlocksOptions {
  /** First block's minTime (default T0); blocks are 2h each, back to back. */
  readonly start?: number;
  readonly blocks: number;
  readonly series: number;
  /** Sample interval, ms (default 30s). */
  readonly step?: number;
  readonly seed?: number;
  /** Timestamp offset of every sample (a replica scraping a bit later). */
  readonly phase?: number;
}

function seriesFor(
  i: number,
  from: number,
  to: number,
  o: RawBlocksOptions,
  rnd: Random,
): SeriesSamples | undefined {
  // Every 7th series exists only in every other block (churn); every 11th has a gap.
  const blockNo = Math.floor((from - (o.start ?? T0)) / BLOCK);
  if (i % 7 === 3 && blockNo % 2 === 1) return undefined;
  const step = o.step ?? 30_000;
  const ts: number[] = [];
  const vs: number[] = [];
  const counter = i % 2 === 0;
  let c = i * 10;
  for (let t = from + (o.phase ?? 0) + (i % 5) * 1000; t < to; t += step) {
    if (i % 11 === 5 && t - from > HOUR / 2 && t - from < HOUR) continue;
    let v: number;
    if (counter) {
      c += rnd.int(100);
      if (rnd.chance(0.003)) c = rnd.int(10);
      v = c;
    } else {
      v = Math.round(rnd.next() * 1e6) / 100;
      if (rnd.chance(0.002)) v = NaN;
    }
    ts.push(t);
    vs.push(v);
  }
  const values = Float64Array.from(vs);
  if (!counter && i % 13 === 6 && ts.length > 2) {
    // The stale marker is a NaN with a payload: written as bits, as a JS number may lose them.
    const dv = new DataView(values.buffer);
    dv.setUint32((vs.length - 1) * 8 + (LITTLE_ENDIAN ? 4 : 0), STALE_NAN_BITS_HI, LITTLE_ENDIAN);
    dv.setUint32((vs.length - 1) * 8 + (LITTLE_ENDIAN ? 0 : 4), STALE_NAN_BITS_LO, LITTLE_ENDIAN);
  }
  return {
    labels: [
      { name: '__name__', value: counter ? 'test_requests_total' : 'test_temperature' },
      { name: 'instance', value: `host-${String(i).padStart(4, '0')}` },
      { name: 'job', value: `job${i % 3}` },
    ],
    timestamps: Float64Array.from(ts),
    values,
  };
}

/** Writes the blocks into `dir`; returns their metas in time order. */
export async function writeRawBlocks(dir: string, o: RawBlocksOptions): Promise<BlockMeta[]> {
  const start = o.start ?? T0;
  const rnd = new Random(o.seed ?? 1);
  const out: BlockMeta[] = [];
  for (let b = 0; b < o.blocks; b++) {
    const from = start + b * BLOCK;
    const ss: SeriesSamples[] = [];
    for (let i = 0; i < o.series; i++) {
      const s = seriesFor(i, from, from + BLOCK, o, rnd);
      if (s) ss.push(s);
    }
    const meta = await writeBlock(dirSinkFactory(dir, { fsync: false }), ss, {
      minTime: from,
      maxTime: from + BLOCK,
    });
    out.push(meta!);
  }
  return out;
}

export async function uploadDirBlocks(
  bucket: Bucket,
  dir: string,
  ids: readonly string[],
  labels: Record<string, string>,
): Promise<void> {
  for (const id of ids) await uploadBlock(bucket, join(dir, id), { labels, source: 'sidecar' });
}

/** Metas of the blocks a store would serve: with meta.json and without a deletion mark. */
export async function liveMetas(bucket: Bucket): Promise<BlockMeta[]> {
  const keys = await listAll(bucket, '', { recursive: true });
  const ids = new Set(keys.map((k) => k.split('/')[0]!).filter(isUlid));
  const out: BlockMeta[] = [];
  for (const id of ids) {
    if (
      !keys.includes(`${id}/${META_FILENAME}`) ||
      keys.includes(`${id}/${DELETION_MARK_FILENAME}`)
    )
      continue;
    out.push(parseMeta(await getAll(bucket, `${id}/${META_FILENAME}`), id));
  }
  return out.sort((a, b) => a.minTime - b.minTime || (a.ulid < b.ulid ? -1 : 1));
}

/** Downloads `ids` (every object) into `<dir>/<ulid>/`, plus an empty `wal/` for promtool. */
export async function downloadBlocks(
  bucket: Bucket,
  ids: readonly string[],
  dir: string,
): Promise<void> {
  await mkdir(join(dir, 'wal'), { recursive: true });
  for (const id of ids) {
    for (const key of await listAll(bucket, id, { recursive: true })) {
      const path = join(dir, ...key.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, await getAll(bucket, key));
    }
  }
}
