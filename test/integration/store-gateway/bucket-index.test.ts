/**
 * The bucket index and its header pack (core/block/bucket-index.ts): a fresh store reads its
 * blocks' metas and index headers in a couple of reads instead of two per block, answers as a
 * store without an index does, and never lets the index outvote the listing: a deleted block, a
 * new deletion mark, a corrupt index or a vanished pack cost reads, never a wrong answer.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockSet, INDEX_HEADER_OBJECT } from '../../../core/block/block-set.ts';
import { PackedHeaderReader } from '../../../core/block/header-pack.ts';
import {
  BUCKET_INDEX_DIR,
  bucketIndexKey,
  parseBucketIndex,
} from '../../../core/block/bucket-index.ts';
import { BucketStore } from '../../../core/block/bucket-store.ts';
import { DELETION_MARK_FILENAME, serializeDeletionMark } from '../../../core/block/markers.ts';
import { MetaFetcher } from '../../../core/block/meta-fetcher.ts';
import { labelsFrom, type Labels } from '../../../core/labels/labels.ts';
import { newMatcher } from '../../../core/labels/matcher.ts';
import { getAll, listAll } from '../../../core/objstore/bucket.ts';
import { InstrumentedBucket } from '../../../core/objstore/instrumented.ts';
import type { SeriesRequest } from '../../../core/storeapi/store.ts';
import { writeBlock } from '../../../core/tsdb/writer/block-writer.ts';
import { FilesystemBucket } from '../../../sidecar-agent/objstore/filesystem.ts';
import { uploadBlock } from '../../../sidecar-agent/objstore/upload-block.ts';
import { dirSinkFactory } from '../../../sidecar-agent/tsdb/dir-sink.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const BLOCKS = 6;
const SCOPE = 'all';

function series(hour: number) {
  const t = Float64Array.from({ length: 240 }, (_, i) => T0 + hour * HOUR + i * 15_000);
  return ['a', 'b', 'c'].map((job) => ({
    labels: labelsFrom({ __name__: 'up', job }),
    timestamps: t,
    values: t.map((x) => (x / 15_000) % 7),
  }));
}

const request: SeriesRequest = {
  minTime: T0,
  maxTime: T0 + BLOCKS * HOUR,
  matchers: [newMatcher('=', '__name__', 'up')],
  maxResolutionWindow: 0,
  aggregates: ['raw'],
  partialResponseStrategy: 'abort',
  skipChunks: false,
};

interface Answer {
  series: string[];
  blocks: number;
  /** Object-store requests of the query's block opening (index headers). */
  openRequests: number;
  warnings: string[];
}

async function answer(store: BucketStore): Promise<Answer> {
  const out: Answer = { series: [], blocks: 0, openRequests: 0, warnings: [] };
  for await (const f of store.series(request)) {
    if (f.type === 'series') {
      const c = f.chunks.map((x) => `${x.minTime}-${x.maxTime}:${x.raw?.data.length}`);
      out.series.push(`${show(f.labels)} ${c.join(',')}`);
    } else if (f.type === 'warning') out.warnings.push(f.warning);
    else if (f.type === 'hints') {
      out.blocks = f.stats.blocksQueried;
      out.openRequests = f.stats.other.requests;
    }
  }
  return out;
}

const show = (ls: Labels): string => ls.map((l) => `${l.name}=${l.value}`).join(',');

describe('bucket index and header pack', () => {
  let tmp: TmpDir;
  let fs: FilesystemBucket;
  let ids: string[];
  let expected: Answer;
  const logs: string[] = [];

  /** A fresh store over the bucket with the index (a fresh isolate). */
  const fresh = () => {
    const bucket = new InstrumentedBucket(fs);
    const fetcher = new MetaFetcher(bucket, { indexScope: SCOPE, log: (m) => logs.push(m) });
    return { bucket, fetcher, store: new BucketStore(fetcher, new BlockSet(bucket)) };
  };

  beforeAll(async () => {
    tmp = await makeTmpDir();
    fs = new FilesystemBucket(join(tmp.path, 'bucket'));
    ids = [];
    for (let hour = 0; hour < BLOCKS; hour++) {
      const meta = await writeBlock(dirSinkFactory(join(tmp.path, 'tsdb')), series(hour), {
        minTime: T0 + hour * HOUR,
        maxTime: T0 + (hour + 1) * HOUR,
      });
      ids.push(meta!.ulid);
      await uploadBlock(fs, join(tmp.path, 'tsdb', meta!.ulid), {
        labels: { cluster: 'x' },
        source: 'sidecar',
      });
    }
    // The reference answer, from a store that writes no index headers (the bucket stays as uploaded).
    const plain = new InstrumentedBucket(fs);
    expected = await answer(
      new BucketStore(
        new MetaFetcher(plain),
        new BlockSet(plain, undefined, { writeHeaders: false }),
      ),
    );
  }, 60_000);

  afterAll(async () => {
    await tmp?.remove();
  });

  it('is written by the first sync, and again once the blocks have index headers', async () => {
    const { fetcher, store } = fresh();
    await store.sync();
    await fetcher.indexWrite;
    const first = parseBucketIndex(await getAll(fs, bucketIndexKey(SCOPE)));
    expect([...first.blocks.keys()].sort()).toEqual([...ids].sort());
    // No block had an index header yet: nothing to pack.
    expect([...first.blocks.values()].filter((e) => e.header)).toEqual([]);
    // The query builds the headers and writes them beside the blocks.
    expect(await answer(store)).toEqual(expected);
    await store.sync(true);
    await fetcher.indexWrite;
    const second = parseBucketIndex(await getAll(fs, bucketIndexKey(SCOPE)));
    expect([...second.blocks.values()].filter((e) => e.header).length).toBe(BLOCKS);
  });

  it('lets a fresh store open every block from one index read and one pack read', async () => {
    const { bucket, store } = fresh();
    await store.sync();
    // The listing and the index: no meta.json read.
    expect(bucket.stats().get.requests).toBe(1);
    expect(bucket.requests('iter')).toBe(1);
    const got = await answer(store);
    expect(got).toEqual({ ...expected, openRequests: 1 });
    // The pack is smaller than the 4 MiB window: one range read for all six headers.
    expect(expected.openRequests).toBe(BLOCKS);
  });

  it('reads the headers of blocks opened in any order with one read of the pack', async () => {
    const index = parseBucketIndex(await getAll(fs, bucketIndexKey(SCOPE)));
    const located = new Map([...index.blocks].map(([id, e]) => [id, e.header!]));
    const bucket = new InstrumentedBucket(fs);
    const reader = new PackedHeaderReader(bucket, located);
    for (const id of [...ids].reverse()) {
      expect(await reader.get(id)).toEqual(await getAll(fs, `${id}/${INDEX_HEADER_OBJECT}`));
    }
    expect(bucket.requests()).toBe(1);
    // Each header is handed out once; a second ask finds nothing (the block reads its own).
    expect(await reader.get(ids[0]!)).toBeUndefined();
  });

  it('does not serve a block the listing no longer shows, and drops it from the index', async () => {
    const gone = ids[2]!;
    const keys = await listAll(fs, gone, { recursive: true });
    const saved = new Map<string, Uint8Array>();
    for (const k of keys) saved.set(k, await getAll(fs, k));
    for (const k of keys) await fs.delete(k);
    try {
      const { fetcher, store } = fresh();
      const { metas } = await store.sync();
      expect(metas.has(gone)).toBe(false);
      expect(metas.size).toBe(BLOCKS - 1);
      const got = await answer(store);
      expect(got.blocks).toBe(BLOCKS - 1);
      expect(got.warnings).toEqual([]);
      await fetcher.indexWrite;
      const index = parseBucketIndex(await getAll(fs, bucketIndexKey(SCOPE)));
      expect(index.blocks.has(gone)).toBe(false);
    } finally {
      for (const [k, v] of saved) await fs.upload(k, v);
    }
    // Back in the bucket: a fresh store serves it again (its meta read, the index rewritten).
    const { fetcher, store } = fresh();
    expect((await store.sync()).metas.size).toBe(BLOCKS);
    await fetcher.indexWrite;
    expect(parseBucketIndex(await getAll(fs, bucketIndexKey(SCOPE))).blocks.size).toBe(BLOCKS);
  });

  it('honours a deletion mark written after the index', async () => {
    const marked = ids[4]!;
    const key = `${marked}/${DELETION_MARK_FILENAME}`;
    const twoDaysAgo = Math.floor(Date.now() / 1000) - 2 * 24 * 3600;
    await fs.upload(
      key,
      new TextEncoder().encode(
        serializeDeletionMark({ id: marked, deletion_time: twoDaysAgo, version: 1 }),
      ),
    );
    try {
      const { fetcher, store } = fresh();
      const { metas, skipped } = await store.sync();
      expect(metas.has(marked)).toBe(false);
      expect(skipped.map((s) => [s.id, s.reason])).toEqual([[marked, 'marked-for-deletion']]);
      await fetcher.indexWrite;
      // The next fresh store has the mark's time from the index: no mark read.
      const next = fresh();
      const again = await next.store.sync();
      expect(again.metas.has(marked)).toBe(false);
      expect(next.bucket.stats().get.requests).toBe(1);
      await next.fetcher.indexWrite;
    } finally {
      await fs.delete(key);
    }
  });

  it('falls back to the listing when the index is corrupt, and rewrites it', async () => {
    await fs.upload(bucketIndexKey(SCOPE), new TextEncoder().encode('{"version": 1, "blo'));
    logs.length = 0;
    const { bucket, fetcher, store } = fresh();
    const { metas } = await store.sync();
    expect(metas.size).toBe(BLOCKS);
    await fetcher.indexWrite;
    // The index read, every meta.json, and (for the new pack) every block's header object.
    expect(bucket.stats().get.requests).toBe(1 + 2 * BLOCKS);
    expect(logs.some((m) => m.includes(bucketIndexKey(SCOPE)) && m.includes('ignored'))).toBe(true);
    expect(await answer(store)).toEqual(expected);
    const index = parseBucketIndex(await getAll(fs, bucketIndexKey(SCOPE)));
    expect(index.blocks.size).toBe(BLOCKS);
    expect([...index.blocks.values()].every((e) => e.header)).toBe(true);
  });

  it('opens blocks from their own header objects when the pack has gone', async () => {
    const index = parseBucketIndex(await getAll(fs, bucketIndexKey(SCOPE)));
    const pack = [...index.blocks.values()][0]!.header!.pack;
    expect(pack.startsWith(`${BUCKET_INDEX_DIR}/`)).toBe(true);
    await fs.delete(pack);
    const { fetcher, store } = fresh();
    const got = await answer(store);
    expect(got.series).toEqual(expected.series);
    expect(got.warnings).toEqual([]);
    // The failed pack read, then each block's header object.
    expect(got.openRequests).toBe(BLOCKS);
    // The next sync writes a new pack.
    await store.sync(true);
    await fetcher.indexWrite;
    const rewritten = parseBucketIndex(await getAll(fs, bucketIndexKey(SCOPE)));
    const next = [...rewritten.blocks.values()][0]!.header!.pack;
    expect(next).not.toBe(pack);
    expect(await fs.exists(next)).toBe(true);
    expect((await answer(fresh().store)).openRequests).toBe(1);
  });

  describe('standing in for the listing while younger than a sync interval', () => {
    const INTERVAL = 60_000;
    let clock = 0;
    /** A fresh store that trusts an index written less than INTERVAL ago, on the test's clock. */
    const trusting = () => {
      const bucket = new InstrumentedBucket(fs);
      const now = () => clock;
      const fetcher = new MetaFetcher(bucket, {
        indexScope: SCOPE,
        trustIndexFor: INTERVAL,
        now,
        log: (m) => logs.push(m),
      });
      const store = new BucketStore(fetcher, new BlockSet(bucket), { syncInterval: INTERVAL, now });
      return { bucket, fetcher, store };
    };
    /** Lists and writes (or renews) the index at `at`: a store's second sync always lists. */
    const listAt = async (at: number) => {
      clock = at;
      const t = trusting();
      await t.store.sync();
      await t.store.sync(true);
      await t.fetcher.indexWrite;
      return t;
    };

    it('serves a fresh store from the index alone: no listing, the same answer', async () => {
      // Later than the earlier tests' index by more than the interval: listed, renewed at t0.
      const t0 = Date.now() + 2 * INTERVAL;
      const lister = await listAt(t0);
      expect(lister.bucket.requests('iter')).toBe(2);
      expect(parseBucketIndex(await getAll(fs, bucketIndexKey(SCOPE))).updatedAt).toBe(t0);
      const listed = await lister.store.sync();
      clock = t0 + INTERVAL - 1_000;
      const { bucket, store } = trusting();
      const synced = await store.sync();
      expect(bucket.requests('iter')).toBe(0);
      // The index only: no meta.json, no mark.
      expect(bucket.stats().get.requests).toBe(1);
      expect([...synced.metas.keys()].sort()).toEqual([...listed.metas.keys()].sort());
      for (const [id, files] of listed.files) expect(synced.files.get(id)).toEqual(files);
      // Its blocks count as listed when the index was written: it lists one interval after.
      expect(synced.at).toBe(t0);
      expect(await answer(store)).toEqual({ ...expected, openRequests: 1 });
      clock = t0 + INTERVAL;
      await store.sync();
      expect(bucket.requests('iter')).toBe(1);
    });

    it('lists when the index is older than the interval, or does not know the files', async () => {
      const t0 = Date.now() + 4 * INTERVAL;
      await listAt(t0);
      clock = t0 + INTERVAL;
      const old = trusting();
      await old.store.sync();
      expect(old.bucket.requests('iter')).toBe(1);
      await old.fetcher.indexWrite;
      // An index as earlier versions wrote it, without the blocks' files, is not trusted.
      const raw = JSON.parse(new TextDecoder().decode(await getAll(fs, bucketIndexKey(SCOPE)))) as {
        updated_at: number;
        blocks: { files?: string[] }[];
      };
      for (const b of raw.blocks) delete b.files;
      raw.updated_at = clock;
      await fs.upload(bucketIndexKey(SCOPE), new TextEncoder().encode(JSON.stringify(raw)));
      const noFiles = trusting();
      expect((await noFiles.store.sync()).metas.size).toBe(BLOCKS);
      expect(noFiles.bucket.requests('iter')).toBe(1);
      // That listing writes the index again, with the files.
      await noFiles.fetcher.indexWrite;
      const fresh = trusting();
      await fresh.store.sync();
      expect(fresh.bucket.requests('iter')).toBe(0);
    });

    it('renews a true index older than half the interval with one small write', async () => {
      const t0 = Date.now() + 6 * INTERVAL;
      await listAt(t0);
      const before = parseBucketIndex(await getAll(fs, bucketIndexKey(SCOPE)));
      const pack = [...before.blocks.values()][0]!.header!.pack;
      // Younger than half: left as it is.
      const young = await listAt(t0 + INTERVAL / 2 - 1);
      expect(young.bucket.requests('upload')).toBe(0);
      const renewer = await listAt(t0 + INTERVAL / 2);
      // The index object only: the pack is neither read nor written.
      expect(renewer.bucket.requests('upload')).toBe(1);
      expect(renewer.bucket.stats().get_range.requests).toBe(0);
      const after = parseBucketIndex(await getAll(fs, bucketIndexKey(SCOPE)));
      expect(after.updatedAt).toBe(t0 + INTERVAL / 2);
      expect([...after.blocks.values()].map((e) => e.header)).toEqual(
        [...before.blocks.values()].map((e) => e.header),
      );
      expect(await fs.exists(pack)).toBe(true);
      clock = t0 + INTERVAL + 1_000;
      const fresh = trusting();
      expect(await answer(fresh.store)).toEqual({ ...expected, openRequests: 1 });
      expect(fresh.bucket.requests('iter')).toBe(0);
    });

    it('shows a block uploaded after the index within one interval', async () => {
      const t0 = Date.now() + 8 * INTERVAL;
      await listAt(t0);
      const meta = await writeBlock(dirSinkFactory(join(tmp.path, 'tsdb')), series(BLOCKS), {
        minTime: T0 + BLOCKS * HOUR,
        maxTime: T0 + (BLOCKS + 1) * HOUR,
      });
      const added = meta!.ulid;
      await uploadBlock(fs, join(tmp.path, 'tsdb', added), {
        labels: { cluster: 'x' },
        source: 'sidecar',
      });
      try {
        clock = t0 + 1_000;
        const { bucket, fetcher, store } = trusting();
        // The index's view: the new block is not there yet, as for a store that listed at t0.
        expect((await store.sync()).metas.has(added)).toBe(false);
        expect(bucket.requests('iter')).toBe(0);
        // One interval after the index's listing, the store lists and serves it.
        clock = t0 + INTERVAL;
        expect((await store.sync()).metas.has(added)).toBe(true);
        expect(bucket.requests('iter')).toBe(1);
        await fetcher.indexWrite;
        // An index that lacks a block's packed header is not trusted: a fresh store lists.
        const unpacked = trusting();
        expect((await unpacked.store.sync()).metas.has(added)).toBe(true);
        expect(unpacked.bucket.requests('iter')).toBe(1);
        await unpacked.fetcher.indexWrite;
        // A query builds the new block's header; the next listing packs it into the index.
        expect((await answer(store)).blocks).toBe(BLOCKS + 1);
        await store.sync(true);
        await fetcher.indexWrite;
        // The next fresh store has the block without listing.
        const next = trusting();
        expect((await next.store.sync()).metas.has(added)).toBe(true);
        expect(next.bucket.requests('iter')).toBe(0);
      } finally {
        for (const k of await listAll(fs, added, { recursive: true })) await fs.delete(k);
      }
    });

    it('reports a partial upload the index recorded as skipped, without listing', async () => {
      const partial = '01JZZZZZZZZZZZZZZZZZZZZZZZ';
      await fs.upload(`${partial}/chunks/000001`, new Uint8Array(16));
      try {
        const t0 = Date.now() + 9 * INTERVAL;
        const lister = await listAt(t0);
        const listed = await lister.store.sync();
        expect(listed.skipped.map((x) => [x.id, x.reason])).toEqual([[partial, 'partial']]);
        expect(parseBucketIndex(await getAll(fs, bucketIndexKey(SCOPE))).partial).toEqual([
          partial,
        ]);
        clock = t0 + 1_000;
        const { bucket, store } = trusting();
        const { metas, skipped } = await store.sync();
        expect(bucket.requests('iter')).toBe(0);
        expect(skipped).toEqual(listed.skipped);
        expect(metas.size).toBe(BLOCKS);
      } finally {
        await fs.delete(`${partial}/chunks/000001`);
      }
      // Gone from the bucket: the next listing writes the index without it.
      const after = await listAt(Date.now() + 9.5 * INTERVAL);
      expect((await after.store.sync()).skipped).toEqual([]);
      expect(parseBucketIndex(await getAll(fs, bucketIndexKey(SCOPE))).partial).toEqual([]);
    });

    it('skips a block marked for deletion past the delay from the index, reading no mark', async () => {
      const marked = ids[1]!;
      const key = `${marked}/${DELETION_MARK_FILENAME}`;
      const t0 = Date.now() + 10 * INTERVAL;
      const longAgo = Math.floor(t0 / 1000) - 2 * 24 * 3600;
      await fs.upload(
        key,
        new TextEncoder().encode(
          serializeDeletionMark({ id: marked, deletion_time: longAgo, version: 1 }),
        ),
      );
      try {
        await listAt(t0);
        clock = t0 + 1_000;
        const { bucket, store } = trusting();
        const { metas, skipped } = await store.sync();
        expect(metas.has(marked)).toBe(false);
        expect(skipped.map((x) => [x.id, x.reason])).toEqual([[marked, 'marked-for-deletion']]);
        expect(bucket.requests('iter')).toBe(0);
        expect(bucket.stats().get.requests).toBe(1);
      } finally {
        await fs.delete(key);
      }
    });
  });
});
