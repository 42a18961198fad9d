/**
 * Downsampled reads through store-gateway shards (Durable Objects in workerd) answer exactly as
 * one store gateway does, for max_source_resolution raw, 5m, 1h and auto.
 *
 * The bucket is laid out so that every block sits on a different shard from its downsampled
 * copies (ULIDs are picked for their shard): a shard choosing a resolution from its own blocks
 * alone would serve a raw block beside the 5m copy another shard serves (ranges counted twice),
 * or nothing where its coarse copy's shard holds it.
 *
 * - A [0h, 48h): raw, 5m and 1h copies, on shards 0, 1 and 2;
 * - B [48h, 50h): raw only (5m and 1h fall back to raw);
 * - C [50h, 98h): raw and a 5m copy, no 1h copy (1h falls back to 5m), on shards 2 and 0;
 * - D [98h, 102h): two 2h raw blocks and their compacted 4h block still in the bucket (its inputs'
 *   deletion delay), on three shards: only the 4h block is served, its inputs are skipped as
 *   duplicates (Thanos's DeduplicateFilter) by the shards that hold them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../../../core/block/shard.ts';
import { bucketSinkFactory } from '../../../core/block/bucket-sink.ts';
import { downsampleBlock } from '../../../core/compact/downsample/block.ts';
import type { S3Bucket } from '../../../core/objstore/s3.ts';
import { RES_LEVEL1, RES_LEVEL2, type BlockMeta } from '../../../core/tsdb/meta.ts';
import { newUlid } from '../../../core/tsdb/ulid.ts';
import { writeBlock } from '../../../core/tsdb/writer/block-writer.ts';
import {
  HOUR,
  makeRawSeries,
  sliceSeries,
  type RawSeries,
} from '../../helpers/downsample-fixture.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';
import { s3Bucket, scaleWorker } from '../../helpers/scale-stack.ts';
import type { WorkerHandle } from '../../helpers/worker.ts';

const SHARDS = 3;
const START = Date.UTC(2026, 0, 5);
const END = START + 102 * HOUR;
const EXTERNAL = { cluster: 'ds' };

/** A ULID that block sharding puts on `shard`. */
function ulidOn(shard: number): string {
  for (;;) {
    const id = newUlid();
    if (shardOf(id, 0, SHARDS, 'block') === shard) return id;
  }
}

let s3: S3rverHandle;
let bucket: S3Bucket;
let raw: RawSeries[];
let sharded: WorkerHandle;
let single: WorkerHandle;
/** Block ULID → what it is, for the layout check. */
const layout = new Map<string, string>();

async function writeRaw(
  from: number,
  to: number,
  shard: number,
  name: string,
  compaction?: BlockMeta['compaction'],
): Promise<BlockMeta> {
  const meta = await writeBlock(
    bucketSinkFactory(bucket),
    raw.map((s) => {
      const x = sliceSeries(s, START + from * HOUR, START + to * HOUR);
      return { labels: x.labels, timestamps: x.t, values: x.v };
    }),
    {
      ulid: ulidOn(shard),
      minTime: START + from * HOUR,
      maxTime: START + to * HOUR,
      tombstones: false,
      ...(compaction ? { compaction } : {}),
      thanos: { labels: EXTERNAL, downsample: { resolution: 0 }, source: 'test' },
    },
  );
  layout.set(meta!.ulid, name);
  return meta!;
}

async function copy(meta: BlockMeta, res: number, shard: number, name: string) {
  const out = (await downsampleBlock(bucket, meta, res, { ulid: ulidOn(shard) }))!;
  layout.set(out.ulid, name);
  return out;
}

beforeAll(async () => {
  s3 = await startS3rver();
  bucket = s3Bucket(s3);
  raw = makeRawSeries(START, 102, 5, { nan: false });
  const a = await writeRaw(0, 48, 0, 'A raw');
  const a5 = await copy(a, RES_LEVEL1, 1, 'A 5m');
  await copy(a5, RES_LEVEL2, 2, 'A 1h');
  await writeRaw(48, 50, 1, 'B raw');
  const c = await writeRaw(50, 98, 2, 'C raw');
  await copy(c, RES_LEVEL1, 0, 'C 5m');
  const d1 = await writeRaw(98, 100, 0, 'D1 raw');
  const d2 = await writeRaw(100, 102, 1, 'D2 raw');
  await writeRaw(98, 102, 2, 'D compacted', {
    level: 2,
    sources: [d1.ulid, d2.ulid].sort(),
    parents: [d1, d2].map((m) => ({ ulid: m.ulid, minTime: m.minTime, maxTime: m.maxTime })),
  });
  [sharded, single] = await Promise.all([
    scaleWorker(s3, { shards: SHARDS }, true),
    scaleWorker(s3, { shards: 0 }, false),
  ]);
}, 120_000);

afterAll(async () => {
  await sharded?.stop();
  await single?.stop();
  await s3?.stop();
});

type Answer = Map<string, [number, string][]>;

async function rangeQuery(
  w: WorkerHandle,
  query: string,
  res: string,
  from = START + HOUR,
  to = END,
): Promise<Answer> {
  const qs = new URLSearchParams({
    query,
    start: String(from / 1000),
    end: String(to / 1000),
    step: '3600',
    max_source_resolution: res,
    partial_response: 'false',
  });
  const body = (await (await w.fetch(`/api/v1/query_range?${qs}`)).json()) as {
    status: string;
    error?: string;
    data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
  };
  expect(body.status, body.error).toBe('success');
  const out: Answer = new Map();
  for (const r of body.data.result) out.set(JSON.stringify(r.metric), r.values);
  return out;
}

/** The answer's points in [from, to] (seconds in the answer, ms here). */
function within(a: Answer, from: number, to: number): Answer {
  const out: Answer = new Map();
  for (const [k, v] of a)
    out.set(
      k,
      v.filter(([t]) => t * 1000 >= from && t * 1000 <= to),
    );
  return out;
}

const RESOLUTIONS = ['raw', '5m', '1h', 'auto'];
const QUERIES = [
  'count_over_time(ds_requests_total[1h])',
  'sum_over_time(ds_temperature[1h])',
  'min_over_time(ds_temperature[1h])',
  'max_over_time(ds_requests_total[1h])',
  'avg_over_time(ds_temperature[1h])',
  'rate(ds_requests_total[1h])',
  'increase(ds_requests_total[2h])',
  'ds_temperature',
  'sum by (instance) (count_over_time(ds_temperature[1h]))',
];

describe(`downsampled reads over ${SHARDS} store shards`, () => {
  it('serves each block on one shard, and no block on the shard of its downsampled copy', async () => {
    const body = (await (await sharded.fetch('/api/v1/blocks')).json()) as {
      data: {
        blocks: { ulid: string; shard: string }[];
        skipped: { id: string; reason: string; shard: string }[];
      };
    };
    const on = new Map(body.data.blocks.map((b) => [layout.get(b.ulid) ?? b.ulid, b.shard]));
    expect(body.data.blocks).toHaveLength(layout.size - 2);
    expect(on.size).toBe(layout.size - 2);
    expect(on.get('D compacted')).toBe(`2/${SHARDS}`);
    expect(body.data.skipped.map((s) => [layout.get(s.id), s.reason, s.shard]).sort()).toEqual([
      ['D1 raw', 'duplicate', `0/${SHARDS}`],
      ['D2 raw', 'duplicate', `1/${SHARDS}`],
    ]);
    expect(on.get('A raw')).toBe(`0/${SHARDS}`);
    expect(on.get('A 5m')).toBe(`1/${SHARDS}`);
    expect(on.get('A 1h')).toBe(`2/${SHARDS}`);
    expect(on.get('C raw')).toBe(`2/${SHARDS}`);
    expect(on.get('C 5m')).toBe(`0/${SHARDS}`);
  });

  for (const res of RESOLUTIONS) {
    it(`max_source_resolution=${res}: every answer equals one store gateway's`, async () => {
      for (const q of QUERIES) {
        const want = await rangeQuery(single, q, res);
        const got = await rangeQuery(sharded, q, res);
        expect(want.size, q).toBeGreaterThan(0);
        expect(Object.fromEntries(got), `${q} at ${res}`).toEqual(Object.fromEntries(want));
      }
    });
  }

  it('count_over_time on aligned windows equals the raw count at every resolution: nothing counted twice or missed', async () => {
    for (const q of [
      'count_over_time(ds_requests_total[1h])',
      'count_over_time(ds_temperature[1h])',
    ]) {
      const want = Object.fromEntries(await rangeQuery(sharded, q, 'raw'));
      for (const res of ['5m', '1h', 'auto'])
        expect(Object.fromEntries(await rangeQuery(sharded, q, res)), `${q} at ${res}`).toEqual(
          want,
        );
    }
  });

  it('reads 1h data over A, raw over B (no copy), 5m over C (no 1h copy)', async () => {
    const q = 'ds_temperature';
    const [r0, r5, r1] = await Promise.all(
      ['raw', '5m', '1h'].map((res) => rangeQuery(sharded, q, res)),
    );
    const span = (from: number, to: number) => [START + from * HOUR, START + to * HOUR] as const;
    const a = span(1, 47);
    const b = span(49, 50);
    const c = span(51, 97);
    // Over A each resolution reads its own data (averages of 5m and of 1h windows differ).
    expect(within(r1!, ...a)).not.toEqual(within(r5!, ...a));
    expect(within(r5!, ...a)).not.toEqual(within(r0!, ...a));
    // Over B only raw data exists: 5m and 1h fall back to it.
    expect(within(r1!, ...b)).toEqual(within(r0!, ...b));
    expect(within(r5!, ...b)).toEqual(within(r0!, ...b));
    // Over C the 1h copy is missing: 1h falls back to 5m, not to raw.
    expect(within(r1!, ...c)).toEqual(within(r5!, ...c));
    expect(within(r1!, ...c)).not.toEqual(within(r0!, ...c));
  });
});
