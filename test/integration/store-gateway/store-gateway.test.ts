/**
 * The store gateway in workerd against promtool: blocks made by real promtool, put into
 * Miniflare's R2 and into s3rver, served by the real Worker's StoreAPI; every answer must equal
 * `promtool tsdb dump` (series, samples) for the same matchers and time range.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareStrings } from '../../../core/labels/labels.ts';
import { newMatcher, type Matcher } from '../../../core/labels/matcher.ts';
import { parseSeriesSelector } from '../../../core/labels/selector.ts';
import { R2Bucket, type R2BucketLike } from '../../../core/objstore/r2.ts';
import { S3Bucket } from '../../../core/objstore/s3.ts';
import { tsBatchDecoder } from '../../../core/query/decoder.ts';
import { readSeries } from '../../../core/query/series-reader.ts';
import { allSeries } from '../../../core/promql/storage/queryable.ts';
import { HttpStore } from '../../../core/storeapi/http-client.ts';
import type { SeriesRequest } from '../../../core/storeapi/store.ts';
import { promLabelsString } from '../../../core/tsdb/dump.ts';
import { goFormatFloat } from '../../../core/gocompat/strconv.ts';
import { uploadBlock } from '../../../sidecar-agent/objstore/upload-block.ts';
import { generateOpenMetrics } from '../../fixtures/openmetrics-gen.ts';
import { promtoolCreateBlocks, promtoolDump } from '../../helpers/promtool.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';
import { seriesRequest } from '../../helpers/series-request.ts';

const TOKEN = 'test-token';
const EXTERNAL = { cluster: 'test' };
const data = generateOpenMetrics({ seed: 7, hours: 5 });

/** Selectors covering regex, negative, empty-matching, several matchers on one label, none matching. */
const SELECTORS = [
  '{__name__="node_temperature_celsius"}',
  '{__name__=~"rpc_.*"}',
  '{__name__="rpc_duration_seconds_bucket", le=~"0.0.+|\\\\+Inf"}',
  '{__name__!="", instance="host-3:9100"}',
  '{__name__=~".+", instance!~"host-[0-5]:9100"}',
  '{__name__=~"edge_.*", path=""}',
  '{__name__=~"edge_.*", path!=""}',
  '{__name__=~".+", service=~"auth|cart", service!="cart"}',
  '{__name__=~".+", instance=~"host-1:9100|host-2:9100", instance!="host-2:9100"}',
  '{__name__="does_not_exist"}',
  '{__name__=~".+", path=~"/api.*|"}',
  '{__name__=~".+", path="/über"}',
  '{__name__="http_requests_total", code=~"5..", method!="GET"}',
];

const TIME_RANGES: Array<[number | undefined, number | undefined]> = [
  [undefined, undefined],
  [data.minTime + 3_600_000, data.minTime + 2 * 3_600_000 + 17_000],
  [data.maxTime - 600_000, data.maxTime + 1_000_000],
  [data.minTime - 10_000, data.minTime],
];

function dumpFromFrames(
  series: Array<{
    labels: Parameters<typeof promLabelsString>[0];
    t: Float64Array;
    v: Float64Array;
  }>,
): string {
  let out = '';
  for (const s of series) {
    const prefix = `${promLabelsString(s.labels)} `;
    for (let i = 0; i < s.t.length; i++)
      out += `${prefix}${goFormatFloat(s.v[i]!, 'g', -1)} ${s.t[i]!}\n`;
  }
  return out;
}

function request(
  matchers: Matcher[],
  minTime: number,
  maxTime: number,
  skipChunks = false,
): SeriesRequest {
  return seriesRequest(matchers, minTime, maxTime, { skipChunks });
}

async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

/** Long enough that a query's writes are still queued when /metrics is read right after it. */
const WRITE_DELAY = '3s';

/** The store's Cache API writes: done, failed, and bytes queued. */
async function sharedWrites(
  w: WorkerHandle,
): Promise<{ written: number; failed: number; queued: number }> {
  const text = await (await w.fetch('/metrics')).text();
  const value = (re: RegExp): number => {
    const m = re.exec(text);
    if (!m) throw new Error(`not in /metrics: ${re}`);
    return Number(m[1]);
  };
  return {
    written: value(
      /^thanos_edge_range_cache_shared_writes_total\{[^}]*result="written"[^}]*\} (\d+)$/m,
    ),
    failed: value(
      /^thanos_edge_range_cache_shared_writes_total\{[^}]*result="failed"[^}]*\} (\d+)$/m,
    ),
    queued: value(/^thanos_edge_range_cache_shared_write_queue_bytes(?:\{[^}]*\})? (\d+)$/m),
  };
}

async function bucketStats(w: WorkerHandle): Promise<Record<string, number>> {
  const text = await (await w.fetch('/metrics')).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(
    /^thanos_objstore_bucket_operation(?:s|_bytes)_total\{bucket="[^"]*",operation="([a-z_]+)"\} (\d+)$/gm,
  )) {
    const key =
      text.slice(0, m.index).lastIndexOf('bytes_total') >
      text.slice(0, m.index).lastIndexOf('operations_total')
        ? `${m[1]}_bytes`
        : m[1]!;
    out[key] = Number(m[2]);
  }
  return out;
}

describe.each(['r2', 's3'] as const)('store gateway in workerd over %s', (kind) => {
  let tmp: TmpDir;
  let db: string;
  let blocks: string[];
  let worker: WorkerHandle;
  let s3: S3rverHandle | undefined;
  let store: HttpStore;

  beforeAll(async () => {
    tmp = await makeTmpDir();
    ({ db, blocks } = await promtoolCreateBlocks(data.text, tmp.path));
    if (kind === 's3') {
      s3 = await startS3rver({ buckets: ['blocks'] });
      worker = await startWorker({
        r2: false,
        vars: {
          STORE_TOKEN: TOKEN,
          STORE_CACHE_WRITE_DELAY: WRITE_DELAY,
          S3_ENDPOINT: s3.endpoint,
          S3_BUCKET: 'blocks',
          S3_REGION: s3.region,
          S3_ACCESS_KEY_ID: s3.accessKeyId,
          S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        },
      });
      const bucket = new S3Bucket({
        endpoint: s3.endpoint,
        bucket: 'blocks',
        region: s3.region,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
      });
      for (const b of blocks)
        await uploadBlock(bucket, join(db, b), { labels: EXTERNAL, source: 'sidecar' });
    } else {
      worker = await startWorker({
        vars: { STORE_TOKEN: TOKEN, STORE_CACHE_WRITE_DELAY: WRITE_DELAY },
      });
      const bucket = new R2Bucket(
        (await worker.mf.getR2Bucket('BLOCKS')) as unknown as R2BucketLike,
      );
      for (const b of blocks)
        await uploadBlock(bucket, join(db, b), { labels: EXTERNAL, source: 'sidecar' });
    }
    store = new HttpStore(worker.url.toString(), { token: TOKEN });
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await s3?.stop();
    await tmp?.remove();
  });

  it('made more than one block to serve', () => {
    expect(blocks.length).toBeGreaterThan(1);
  });

  it('answers series equal to promtool tsdb dump for many matchers and time ranges', async () => {
    let compared = 0;
    let nonEmpty = 0;
    const cases = SELECTORS.flatMap((sel) => TIME_RANGES.map(([min, max]) => ({ sel, min, max })));
    const wants = await mapLimit(cases, 2, ({ sel, min, max }) =>
      promtoolDump(db, {
        match: sel,
        ...(min !== undefined ? { minTime: min } : {}),
        ...(max !== undefined ? { maxTime: max } : {}),
      }).then((b) => b.toString()),
    );
    for (const [i, { sel, min, max }] of cases.entries()) {
      const mint = min ?? -9e15;
      const maxt = max ?? 9e15;
      const want = wants[i]!;
      const what = `${sel} [${min}, ${max}]`;
      const series = await allSeries(
        readSeries(store.series(request(parseSeriesSelector(sel), mint, maxt)), {
          mint,
          maxt,
          decoder: tsBatchDecoder,
        }),
      ).catch((err: unknown) => {
        throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`, {
          cause: err,
        });
      });
      // Every series carries the block's external label; promtool's dump has none.
      for (const s of series)
        expect(s.labels.find((l) => l.name === 'cluster')?.value).toBe('test');
      const got = dumpFromFrames(
        series.map((s) => ({ ...s, labels: s.labels.filter((l) => l.name !== 'cluster') })),
      );
      expect(got, what).toBe(want);
      compared++;
      if (want.length > 0) nonEmpty++;
    }
    expect(compared).toBe(SELECTORS.length * TIME_RANGES.length);
    expect(nonEmpty).toBeGreaterThan(SELECTORS.length);
  });

  it('prunes by external labels: a matching one selects, a different one excludes', async () => {
    const sel = '{__name__="rpc_duration_seconds_count"}';
    const want = (await promtoolDump(db, { match: sel })).toString();
    expect(want.length).toBeGreaterThan(0);
    const withExt = [...parseSeriesSelector(sel), newMatcher('=', 'cluster', 'test')];
    const series = await allSeries(
      readSeries(store.series(request(withExt, -9e15, 9e15)), {
        mint: -9e15,
        maxt: 9e15,
        decoder: tsBatchDecoder,
      }),
    );
    expect(
      dumpFromFrames(
        series.map((s) => ({ ...s, labels: s.labels.filter((l) => l.name !== 'cluster') })),
      ),
    ).toBe(want);
    const other = await allSeries(
      readSeries(
        store.series(
          request([...parseSeriesSelector(sel), newMatcher('=', 'cluster', 'other')], -9e15, 9e15),
        ),
        { mint: -9e15, maxt: 9e15, decoder: tsBatchDecoder },
      ),
    );
    expect(other).toHaveLength(0);
  });

  it('answers label names and values as the series in promtool dump give them', async () => {
    const all = (await promtoolDump(db, { match: '{__name__=~".+"}' })).toString();
    const names = new Set<string>();
    const services = new Set<string>();
    for (const s of data.series.values()) {
      for (const l of s.labels) {
        names.add(l.name);
        if (l.name === 'service') services.add(l.value);
      }
    }
    expect(all.length).toBeGreaterThan(0);
    const lr = {
      start: data.minTime,
      end: data.maxTime,
      matchers: [],
      partialResponseStrategy: 'abort' as const,
    };
    names.add('cluster');
    expect((await store.labelNames(lr)).values).toEqual([...names].sort(compareStrings));
    expect((await store.labelValues('service', lr)).values).toEqual(
      [...services].sort(compareStrings),
    );
    // With a matcher: values of series selected by it.
    const sel = '{__name__="node_temperature_celsius", instance="host-2:9100"}';
    const dumped = (await promtoolDump(db, { match: sel })).toString();
    const sensors = new Set([...dumped.matchAll(/sensor="([^"]*)"/g)].map((m) => m[1]!));
    expect(sensors.size).toBeGreaterThan(0);
    const got = await store.labelValues('sensor', { ...lr, matchers: parseSeriesSelector(sel) });
    expect(got.values).toEqual([...sensors].sort(compareStrings));
  });

  it('repeats a query without reading the index again', async () => {
    const matchers = [
      newMatcher('=~', '__name__', 'rpc_.*'),
      newMatcher('=', 'instance', 'host-4:9100'),
    ];
    const run = () =>
      allSeries(
        readSeries(store.series(request(matchers, data.minTime, data.maxTime)), {
          mint: data.minTime,
          maxt: data.maxTime,
          decoder: tsBatchDecoder,
        }),
      );
    const first = await run();
    const before = await bucketStats(worker);
    const second = await run();
    const after = await bucketStats(worker);
    expect(second.length).toBe(first.length);
    expect(first.length).toBeGreaterThan(0);
    expect(after['get_range']).toBe(before['get_range']);
    expect(after['get']).toBe(before['get']);
  });

  it('writes the ranges a query read to the Cache API once reads are quiet, not during the query', async () => {
    const settled = async () => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const w = await sharedWrites(worker);
        if (w.queued === 0 || Date.now() > deadline) return w;
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    const before = await settled();
    expect(before.queued).toBe(0);
    const got = await allSeries(
      readSeries(
        store.series(
          request([newMatcher('=', 'instance', 'host-7:9100')], data.minTime, data.maxTime),
        ),
        { mint: data.minTime, maxt: data.maxTime, decoder: tsBatchDecoder },
      ),
    );
    expect(got.length).toBeGreaterThan(0);
    const during = await sharedWrites(worker);
    expect(during.queued).toBeGreaterThan(0);
    expect(during.written).toBe(before.written);
    const after = await settled();
    expect(after.queued).toBe(0);
    expect(after.written).toBeGreaterThan(before.written);
    expect(after.failed).toBe(before.failed);
  });

  it('rejects StoreAPI calls without the right token', async () => {
    const res = await worker.fetch('/api/v1/store/series', {
      method: 'POST',
      body: new Uint8Array(0),
    });
    expect(res.status).toBe(401);
    const wrong = new HttpStore(worker.url.toString(), { token: 'nope' });
    await expect(wrong.info()).rejects.toThrow(/401/);
  });
});
