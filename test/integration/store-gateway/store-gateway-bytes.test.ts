/**
 * How much a cold store-gateway query reads from the bucket compared with what it needs: the
 * same queries through a bucket store with exact reads (no coalescing, no read-ahead) and with
 * the default coalescing; the default may read at most twice the exact bytes (plus the few-KiB gaps
 * it reads through to save a request each), in far fewer requests.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockSet } from '../../../core/block/block-set.ts';
import { BucketStore } from '../../../core/block/bucket-store.ts';
import { MetaFetcher } from '../../../core/block/meta-fetcher.ts';
import { parseSeriesSelector } from '../../../core/labels/selector.ts';
import { InstrumentedBucket } from '../../../core/objstore/instrumented.ts';
import type { BlockOptions } from '../../../core/tsdb/block-reader.ts';
import { CHEAP_GAP } from '../../../core/tsdb/read-planner.ts';
import { FilesystemBucket } from '../../../sidecar-agent/objstore/filesystem.ts';
import { uploadBlock } from '../../../sidecar-agent/objstore/upload-block.ts';
import { generateOpenMetrics } from '../../fixtures/openmetrics-gen.ts';
import { promtoolCreateBlocks } from '../../helpers/promtool.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

const QUERIES = [
  '{__name__="node_temperature_celsius", instance="host-3:9100"}',
  '{__name__=~"rpc_duration_seconds_bucket", service="cart"}',
  '{__name__="http_requests_total", code=~"5.."}',
  '{__name__=~".+", path="/über"}',
];

const EXACT: Pick<BlockOptions, 'index' | 'chunks'> = {
  index: { maxGap: 0, seriesReadAhead: 0 },
  chunks: { maxGap: 0, readAhead: 0 },
};

describe('store gateway read amplification', () => {
  let tmp: TmpDir;
  let dir: string;

  beforeAll(async () => {
    tmp = await makeTmpDir();
    const { db, blocks } = await promtoolCreateBlocks(
      generateOpenMetrics({ seed: 3, hours: 3 }).text,
      tmp.path,
    );
    dir = join(tmp.path, 'bucket');
    const bucket = new FilesystemBucket(dir);
    for (const b of blocks)
      await uploadBlock(bucket, join(db, b), { labels: { cluster: 'x' }, source: 'sidecar' });
  }, 120_000);

  afterAll(async () => {
    await tmp?.remove();
  });

  async function cold(query: string, readers: Pick<BlockOptions, 'index' | 'chunks'>) {
    const bucket = new InstrumentedBucket(new FilesystemBucket(dir));
    const store = new BucketStore(
      new MetaFetcher(bucket),
      new BlockSet(bucket, undefined, { ...readers, writeHeaders: false }),
    );
    await store.sync();
    const before = bucket.stats();
    let chunks = 0;
    for await (const f of store.series({
      minTime: -9e15,
      maxTime: 9e15,
      matchers: parseSeriesSelector(query),
      maxResolutionWindow: 0,
      aggregates: ['raw'],
      partialResponseStrategy: 'abort',
      skipChunks: false,
    })) {
      if (f.type === 'series') chunks += f.chunks.length;
    }
    const after = bucket.stats();
    return {
      bytes: after.get_range.bytes - before.get_range.bytes + after.get.bytes - before.get.bytes,
      requests:
        after.get_range.requests -
        before.get_range.requests +
        after.get.requests -
        before.get.requests,
      chunks,
    };
  }

  it('reads at most twice the bytes a query needs, plus a cheap gap per request it saves', async () => {
    for (const q of QUERIES) {
      const exact = await cold(q, EXACT);
      const coalesced = await cold(q, {});
      expect(exact.chunks, q).toBeGreaterThan(0);
      expect(coalesced.chunks, q).toBe(exact.chunks);
      // Gaps up to CHEAP_GAP are read through whatever the ratio: each saves a request.
      const saved = exact.requests - coalesced.requests;
      expect(
        coalesced.bytes,
        `${q}: ${coalesced.bytes} bytes vs ${exact.bytes} needed, ${saved} requests saved`,
      ).toBeLessThanOrEqual(2 * exact.bytes + CHEAP_GAP * saved);
      expect(coalesced.requests, q).toBeLessThan(exact.requests);
    }
  });
});
