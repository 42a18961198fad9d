/**
 * Downsampling end to end over a real S3 API (s3rver): raw blocks written from samples made in
 * the test, downsampled to 5m and 1h by downsampleBlock, served by the bucket store and read
 * through the Prometheus API (querier + engine, WASM decoder for the aggregates' XOR chunks).
 *
 * Data: four series (two counters with resets, two gauges) every 15s at +7s, so no sample falls on
 * a 5m or 1h boundary; a 3h gap and stale markers; no plain NaN (Thanos's downsampling drops NaN
 * samples, so raw answers over NaN would differ by design). Raw block A spans 48h and has 5m and
 * 1h copies; raw block B (the next 2h) has none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheusApi } from '../../../core/api/api.ts';
import { BlockSet } from '../../../core/block/block-set.ts';
import { BucketStore } from '../../../core/block/bucket-store.ts';
import { MetaFetcher } from '../../../core/block/meta-fetcher.ts';
import { decodeXor, xorSampleCount } from '../../../core/chunkenc/xor.ts';
import { downsampleBlock } from '../../../core/compact/downsample/block.ts';
import { planDownsample } from '../../../core/compact/downsample/plan.ts';
import { newMatcher } from '../../../core/labels/matcher.ts';
import { listAll } from '../../../core/objstore/bucket.ts';
import { S3Bucket } from '../../../core/objstore/s3.ts';
import { storeQuerier } from '../../helpers/bucket-answer.ts';
import type { SeriesFrame } from '../../../core/storeapi/store.ts';
import { RES_LEVEL1, RES_LEVEL2, type BlockMeta } from '../../../core/tsdb/meta.ts';
import { writeBlock } from '../../../core/tsdb/writer/block-writer.ts';
import { bucketSinkFactory } from '../../../core/block/bucket-sink.ts';
import { newXorCodecNode } from '../../../sidecar-agent/wasm.ts';
import {
  HOUR,
  makeRawSeries,
  referenceWindows,
  sliceSeries,
  type RawSeries,
} from '../../helpers/downsample-fixture.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';

const START = Date.UTC(2026, 0, 5);
const A_END = START + 48 * HOUR;
const B_END = START + 50 * HOUR;
const EXTERNAL = { cluster: 'ds' };
/** Where makeRawSeries puts the 3h gap for 50h of data. */
const GAP = [START + 16 * HOUR + 600_000, START + 19 * HOUR + 600_000] as const;
/**
 * rate over downsampled data extrapolates from window ends instead of raw samples; over windows
 * of continuous data it stays within this relative error of the raw answer (measured on this
 * data: 2.9% worst at 5m with a 1h range, 1.4% at 1h with a 6h range).
 */
const RATE_TOLERANCE = 0.05;

let s3: S3rverHandle;
let bucket: S3Bucket;
let store: BucketStore;
let app: ReturnType<typeof prometheusApi<object>>;
let raw: RawSeries[];
let metaA: BlockMeta;
let meta5m: BlockMeta;
let meta1h: BlockMeta;

type Answer = Map<string, [number, number][]>;

async function api(path: string, params: Record<string, string | number>): Promise<Answer> {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const res = await app.request(`${path}?${qs}`);
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data: {
      resultType: string;
      result: {
        metric: Record<string, string>;
        values?: [number, string][];
        value?: [number, string];
      }[];
    };
  };
  expect(body.status, body.error).toBe('success');
  const out: Answer = new Map();
  for (const r of body.data.result) {
    const pts = r.values ?? (r.value ? [r.value] : []);
    out.set(
      JSON.stringify(r.metric),
      pts.map(([t, v]) => [Math.round(t * 1000), Number(v)]),
    );
  }
  return out;
}

function rangeQuery(query: string, start: number, end: number, step: number, res: string) {
  return api('/api/v1/query_range', {
    query,
    start: start / 1000,
    end: end / 1000,
    step: step / 1000,
    max_source_resolution: res,
  });
}

async function writeRaw(series: RawSeries[], minTime: number, maxTime: number): Promise<BlockMeta> {
  const meta = await writeBlock(
    bucketSinkFactory(bucket),
    series.map((s) => ({ labels: s.labels, timestamps: s.t, values: s.v })),
    {
      minTime,
      maxTime,
      tombstones: false,
      thanos: { labels: EXTERNAL, downsample: { resolution: 0 }, source: 'test' },
    },
  );
  return meta!;
}

beforeAll(async () => {
  s3 = await startS3rver();
  bucket = new S3Bucket({
    endpoint: s3.endpoint,
    bucket: 'thanos',
    region: s3.region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
  });
  raw = makeRawSeries(START, 50, 11, { nan: false });
  metaA = await writeRaw(
    raw.map((s) => sliceSeries(s, START, A_END)),
    START,
    A_END,
  );
  await writeRaw(
    raw.map((s) => sliceSeries(s, A_END, B_END)),
    A_END,
    B_END,
  );
  meta5m = (await downsampleBlock(bucket, metaA, RES_LEVEL1))!;
  meta1h = (await downsampleBlock(bucket, meta5m, RES_LEVEL2))!;
  store = new BucketStore(new MetaFetcher(bucket), new BlockSet(bucket));
  await store.sync(true);
  const querier = storeQuerier(store, { decoder: await newXorCodecNode() });
  app = prometheusApi<object>({ querier: () => querier });
}, 50_000);

afterAll(async () => {
  await s3?.stop();
});

describe('downsampled blocks', () => {
  it('carry the resolution, the input compaction and source compactor; the plan sees them done', () => {
    for (const [m, res] of [
      [meta5m, RES_LEVEL1],
      [meta1h, RES_LEVEL2],
    ] as const) {
      expect(m.thanos?.downsample.resolution).toBe(res);
      expect(m.thanos?.source).toBe('compactor');
      expect(m.thanos?.labels).toEqual(EXTERNAL);
      expect(m.compaction).toEqual(metaA.compaction);
      expect([m.minTime, m.maxTime]).toEqual([metaA.minTime, metaA.maxTime]);
      expect(m.stats.numSeries).toBe(4);
    }
    // A 48h raw block with a 5m copy, a 48h 5m block (< 10d): nothing left to do.
    expect(planDownsample([metaA, meta5m, meta1h])).toEqual([]);
    expect(planDownsample([metaA]).map((t) => t.resolution)).toEqual([RES_LEVEL1]);
  });
});

describe('store gateway: blocks by max_resolution_window', () => {
  async function frames(maxResolutionWindow: number, minTime: number, maxTime: number) {
    const out: Extract<SeriesFrame, { type: 'series' }>[] = [];
    for await (const f of store.series({
      minTime,
      maxTime,
      matchers: [newMatcher('=', '__name__', 'ds_temperature'), newMatcher('=', 'instance', 'a')],
      maxResolutionWindow,
      aggregates: ['count', 'sum'],
      partialResponseStrategy: 'abort',
      skipChunks: false,
    })) {
      if (f.type === 'series') out.push(f);
    }
    expect(out).toHaveLength(1);
    return out[0]!.chunks;
  }

  /** Largest raw-sample count of one window in a count aggregate (≤ 20 at 5m, up to 240 at 1h). */
  function widestWindow(count: Uint8Array): number {
    const t = new Float64Array(xorSampleCount(count));
    const v = new Float64Array(t.length);
    decodeXor(count, -Infinity, Infinity, t, v, 0);
    return Math.max(...v);
  }

  it('raw only, 5m or 1h over block A, raw block B filling in where no coarse data exists', async () => {
    const rawOnly = await frames(0, START, B_END);
    expect(rawOnly.every((c) => c.raw && !c.count)).toBe(true);
    for (const [res, windowMs, perWindow] of [
      [RES_LEVEL1, RES_LEVEL1, 20],
      [RES_LEVEL2, RES_LEVEL2, 240],
      [Number.MAX_SAFE_INTEGER, RES_LEVEL2, 240],
    ] as const) {
      const chunks = await frames(res, START, B_END);
      const aggr = chunks.filter((c) => !c.raw);
      const rawChunks = chunks.filter((c) => c.raw);
      expect(aggr.length).toBeGreaterThan(0);
      for (const c of aggr) {
        expect(c.count && c.sum && !c.min && !c.counter).toBeTruthy();
        expect(c.maxTime).toBeLessThan(A_END);
        // Window ends sit on the resolution's grid.
        expect((c.minTime + 1) % windowMs).toBe(0);
        const widest = widestWindow(c.count!.data);
        expect(widest).toBeLessThanOrEqual(perWindow);
        expect(widest).toBeGreaterThan(perWindow / 2);
      }
      // Block B's raw chunks fill the last 2h.
      expect(rawChunks.length).toBeGreaterThan(0);
      for (const c of rawChunks) expect(c.minTime).toBeGreaterThanOrEqual(A_END);
    }
  });
});

/** Reference answers of `ds_temperature{instance="a"}` at T from the raw samples. */
function gauge(): RawSeries {
  return raw.find(
    (s) =>
      s.labels.some((l) => l.value === 'ds_temperature') &&
      s.labels.some((l) => l.name === 'instance' && l.value === 'a'),
  )!;
}

function rawAt(s: RawSeries, t: number): number {
  let i = s.t.length - 1;
  while (s.t[i]! > t) i--;
  expect(t - s.t[i]!).toBeLessThan(300_000);
  expect(Number.isNaN(s.v[i]!)).toBe(false);
  return s.v[i]!;
}

function windowAverage(s: RawSeries, res: number, windowStart: number): number {
  const w = referenceWindows(s, res).find((x) => x.start === windowStart)!;
  return w.sum / w.count;
}

describe('querier: max_source_resolution', () => {
  const T = START + 10 * HOUR + 120_000;
  const q = 'ds_temperature{instance="a"}';
  const one = async (res: string, step: number, at = T): Promise<number> => {
    const a = await rangeQuery(q, at, at, step, res);
    expect(a.size).toBe(1);
    return [...a.values()][0]![0]![1];
  };

  it('raw | 5m | 1h read raw samples, 5m averages, 1h averages', async () => {
    const s = gauge();
    expect(await one('raw', 60_000)).toBe(rawAt(s, T));
    expect(await one('5m', 60_000)).toBe(
      windowAverage(s, RES_LEVEL1, START + 10 * HOUR - RES_LEVEL1),
    );
    expect(await one('1h', 60_000)).toBe(windowAverage(s, RES_LEVEL2, START + 9 * HOUR));
  });

  it('auto is step/5: raw at a 1m step, 5m at 1h, 1h at 5h', async () => {
    const s = gauge();
    expect(await one('auto', 60_000)).toBe(rawAt(s, T));
    expect(await one('auto', HOUR)).toBe(
      windowAverage(s, RES_LEVEL1, START + 10 * HOUR - RES_LEVEL1),
    );
    expect(await one('auto', 5 * HOUR)).toBe(windowAverage(s, RES_LEVEL2, START + 9 * HOUR));
  });

  it('falls back to raw data where no downsampled block exists', async () => {
    const at = START + 49 * HOUR + 120_000;
    expect(await one('1h', 60_000, at)).toBe(rawAt(gauge(), at));
  });
});

describe('querier: functions over aggregates equal the raw answers', () => {
  const cases = [
    { res: '5m', resMs: RES_LEVEL1, range: '30m', rangeMs: 30 * 60_000, step: 30 * 60_000 },
    { res: '1h', resMs: RES_LEVEL2, range: '3h', rangeMs: 3 * HOUR, step: 3 * HOUR },
  ];
  for (const c of cases) {
    it(`${c.res}: count/sum/min/max_over_time exactly, avg_over_time to 1e-12`, async () => {
      const from = START + c.rangeMs;
      for (const metric of ['ds_requests_total', 'ds_temperature'])
        for (const fn of [
          'count_over_time',
          'sum_over_time',
          'min_over_time',
          'max_over_time',
          'avg_over_time',
        ]) {
          const query = `${fn}({__name__=~"ds_.*", __name__=~"${metric}"}[${c.range}])`;
          const want = await rangeQuery(query, from, A_END, c.step, 'raw');
          const got = await rangeQuery(query, from, A_END, c.step, c.res);
          expect([...got.keys()]).toEqual([...want.keys()]);
          for (const [k, w] of want) {
            const g = got.get(k)!;
            expect(
              g.map((p) => p[0]),
              `${fn} ${k}`,
            ).toEqual(w.map((p) => p[0]));
            if (fn === 'avg_over_time') {
              for (let i = 0; i < w.length; i++)
                expect(Math.abs(g[i]![1] - w[i]![1])).toBeLessThanOrEqual(
                  1e-12 * Math.abs(w[i]![1]) + 1e-12,
                );
            } else {
              expect(
                g.map((p) => p[1]),
                `${fn} ${k}`,
              ).toEqual(w.map((p) => p[1]));
            }
          }
        }
    });
  }

  for (const c of [
    { res: '5m', range: '1h', rangeMs: HOUR },
    { res: '1h', range: '6h', rangeMs: 6 * HOUR },
  ]) {
    it(`${c.res}: rate within ${RATE_TOLERANCE * 100}% of raw over windows clear of the gap`, async () => {
      const query = `rate(ds_requests_total[${c.range}])`;
      const from = START + c.rangeMs;
      const want = await rangeQuery(query, from, A_END, HOUR, 'raw');
      const got = await rangeQuery(query, from, A_END, HOUR, c.res);
      expect([...got.keys()]).toEqual([...want.keys()]);
      let checked = 0;
      let worst = 0;
      for (const [k, w] of want) {
        const g = new Map(got.get(k)!);
        for (const [t, v] of w) {
          if (t - c.rangeMs < GAP[1] && t > GAP[0]) continue;
          const x = g.get(t);
          expect(x, `${k} at ${t}`).toBeDefined();
          worst = Math.max(worst, Math.abs(x! - v) / v);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(40);
      expect(worst).toBeLessThan(RATE_TOLERANCE);
    });
  }
});

describe('missing coarse data', () => {
  it('1h falls back to 5m once the 1h block is gone', async () => {
    for (const k of await listAll(bucket, `${meta1h.ulid}/`, { recursive: true }))
      await bucket.delete(k);
    await store.sync(true);
    const T = START + 10 * HOUR + 120_000;
    const a = await rangeQuery('ds_temperature{instance="a"}', T, T, 60_000, '1h');
    expect([...a.values()][0]![0]![1]).toBe(
      windowAverage(gauge(), RES_LEVEL1, START + 10 * HOUR - RES_LEVEL1),
    );
  });
});
