/**
 * The bucket store's selection memo (core/block/selection-memo.ts): a store that keeps decoded
 * index answers across requests answers every request exactly as one that keeps none, for other
 * time ranges and other matchers over the same blocks too, and a repeated small selection reads
 * no postings and no series entries at all.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockSet } from '../../../core/block/block-set.ts';
import { BucketStore } from '../../../core/block/bucket-store.ts';
import { MetaFetcher } from '../../../core/block/meta-fetcher.ts';
import { DEFAULT_MEMO_BYTES, SelectionMemo } from '../../../core/block/selection-memo.ts';
import { labelsFrom, type Labels } from '../../../core/labels/labels.ts';
import { newMatcher } from '../../../core/labels/matcher.ts';
import type { StoreStats } from '../../../core/storeapi/stats.ts';
import type { SeriesRequest } from '../../../core/storeapi/store.ts';
import { FilesystemBucket } from '../../../sidecar-agent/objstore/filesystem.ts';
import { seriesBucket, type SeriesBucket } from '../../helpers/bucket-blocks.ts';
import { seriesRequest } from '../../helpers/series-request.ts';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const BLOCKS = 3;
const WIDE = new SelectionMemo(DEFAULT_MEMO_BYTES).maxSelection + 44;

function series(hour: number) {
  const t = Float64Array.from({ length: 240 }, (_, i) => T0 + hour * HOUR + i * 15_000);
  const out = ['a', 'b', 'c'].map((job) => ({
    labels: labelsFrom({ __name__: 'up', job }),
    timestamps: t,
    values: t.map((x) => (x / 15_000) % 7),
  }));
  // A series only in the first half of each block, and a selection too wide to keep entries of.
  const half = t.subarray(0, 120);
  out.push({
    labels: labelsFrom({ __name__: 'up', job: 'early' }),
    timestamps: half,
    values: half.map((x) => x % 5),
  });
  for (let i = 0; i < WIDE; i++) {
    out.push({
      labels: labelsFrom({ __name__: 'wide', i: String(i).padStart(4, '0') }),
      timestamps: t,
      values: t.map((x) => x + i),
    });
  }
  return out;
}

interface Answer {
  series: string[];
  stats: StoreStats | undefined;
}

const show = (ls: Labels): string => ls.map((l) => `${l.name}=${l.value}`).join(',');

async function answer(store: BucketStore, request: SeriesRequest): Promise<Answer> {
  const out: Answer = { series: [], stats: undefined };
  for await (const f of store.series(request)) {
    if (f.type === 'series') {
      const c = f.chunks.map((x) => `${x.minTime}-${x.maxTime}:${x.raw?.data.length}`);
      out.series.push(`${show(f.labels)} ${c.join(',')}`);
    } else if (f.type === 'hints') out.stats = f.stats;
  }
  return out;
}

const request = seriesRequest;

describe('selection memo', () => {
  let data: SeriesBucket;
  let fs: FilesystemBucket;

  beforeAll(async () => {
    const blocks = Array.from({ length: BLOCKS }, (_, hour) => ({
      series: series(hour),
      minTime: T0 + hour * HOUR,
      maxTime: T0 + (hour + 1) * HOUR,
    }));
    data = await seriesBucket(blocks, { cluster: 'x' });
    fs = data.bucket;
  }, 60_000);

  afterAll(async () => {
    await data?.remove();
  });

  const store = (selectionMemoBytes?: number) =>
    new BucketStore(new MetaFetcher(fs), new BlockSet(fs), {
      ...(selectionMemoBytes !== undefined ? { selectionMemoBytes } : {}),
    });

  const requests = [
    request([newMatcher('=', '__name__', 'up')], T0, T0 + BLOCKS * HOUR),
    // Only the first half of each block's hour: the `early` series and the first chunks.
    ...Array.from({ length: BLOCKS }, (_, h) =>
      request([newMatcher('=', '__name__', 'up')], T0 + h * HOUR, T0 + h * HOUR + HOUR / 4),
    ),
    // The second half: `early` has nothing there.
    request([newMatcher('=', '__name__', 'up')], T0 + HOUR / 2 + 60_000, T0 + HOUR - 1),
    request(
      [newMatcher('=', 'job', 'b'), newMatcher('=', '__name__', 'up')],
      T0,
      T0 + BLOCKS * HOUR,
    ),
    request([newMatcher('=~', 'job', 'a|early')], T0 + HOUR, T0 + 2 * HOUR),
    request([newMatcher('!=', 'job', 'a'), newMatcher('=', '__name__', 'up')], T0, T0 + HOUR),
    request([newMatcher('=', '__name__', 'wide')], T0 + HOUR, T0 + BLOCKS * HOUR),
    request([newMatcher('=', 'cluster', 'x'), newMatcher('=', 'job', 'c')], T0, T0 + 2 * HOUR),
  ];

  it('answers every request, again and in any order, as a store without one', async () => {
    const plain = store(0);
    const kept = store();
    expect(plain.selectionMemo).toBeUndefined();
    for (const round of [requests, [...requests].reverse(), requests]) {
      for (const r of round) {
        const want = await answer(plain, r);
        const got = await answer(kept, r);
        expect(got.series).toEqual(want.series);
        expect(got.series.length).toBeGreaterThan(0);
      }
    }
    expect(kept.selectionMemo!.bytes).toBeGreaterThan(0);
  });

  it('reads no postings and no series entries for a small selection asked again', async () => {
    const kept = store();
    const r = requests[5]!;
    const first = await answer(kept, r);
    expect(first.stats!.postings.reads).toBeGreaterThan(0);
    expect(first.stats!.series.reads).toBeGreaterThan(0);
    const again = await answer(kept, r);
    expect(again.series).toEqual(first.series);
    expect(again.stats!.postings.reads).toBe(0);
    expect(again.stats!.series.reads).toBe(0);
    // Chunks are still read (from the range cache or the bucket) every time.
    expect(again.stats!.chunks.reads).toBeGreaterThan(0);
  });

  it('keeps the refs of a wide selection but reads its series entries each time', async () => {
    const kept = store();
    const r = requests.find((x) => x.matchers[0]!.value === 'wide')!;
    const first = await answer(kept, r);
    expect(first.series.length).toBe(WIDE);
    const again = await answer(kept, r);
    expect(again.series).toEqual(first.series);
    expect(again.stats!.postings.reads).toBe(0);
    expect(again.stats!.series.reads).toBeGreaterThan(0);
  });
});
