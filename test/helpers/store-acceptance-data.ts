/**
 * @module test/helpers/store-acceptance-data — the fixed data set every Store of the StoreAPI
 * acceptance suite (store-acceptance.ts) is loaded with, and the ways to load it: as memory
 * series, as TSDB blocks written by core/tsdb/writer (into a bucket or a directory), split in time
 * with an overlap. A few dozen series under one external label set, six hours at ~15s, so every
 * series has several chunks; some series live only early or only late, one has a long gap, one
 * carries NaN and infinities, and label values cover the matcher edge cases (absent labels, a
 * value that is a prefix of another, non-ASCII). The data is generated with a seeded Random, so
 * it is the same on every run; the suite computes its expectations from it, never by hand.
 */
import { compareLabels, labelsFrom, type Labels } from '../../core/labels/labels.ts';
import type { AggrChunk } from '../../core/storeapi/store.ts';
import type { MemorySeries } from '../../core/storeapi/memory-store.ts';
import {
  DEFAULT_BLOCK_DURATION,
  encodeChunks,
  writeBlock,
  type SinkFactory,
} from '../../core/tsdb/writer/block-writer.ts';
import type { BlockMeta } from '../../core/tsdb/meta.ts';
import { Random } from './random.ts';

/** One series of the data set: its own labels (no external ones) and samples in time order. */
export interface DataSeries {
  readonly labels: Labels;
  readonly t: Float64Array;
  readonly v: Float64Array;
}

export interface StoreDataSet {
  /** The external labels every store of the suite serves the data under. */
  readonly externalLabels: Labels;
  /** Sorted by labels (own labels; no series' own labels clash with the external ones). */
  readonly series: readonly DataSeries[];
  /** First and last sample time over all series (ms, both inclusive). */
  readonly minTime: number;
  readonly maxTime: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** A round time in the past: Prometheus serves these blocks, and nothing is "now"-dependent. */
export const DATA_START = 1_700_000_000_000;
export const DATA_SPAN = 6 * HOUR;

function series(
  rnd: Random,
  labels: Record<string, string>,
  from: number,
  to: number,
  value: (i: number, t: number) => number,
  step = 15_000,
): DataSeries {
  const t: number[] = [];
  // Scrapes with a little jitter, strictly increasing, so chunks get varied timestamp deltas.
  for (let ts = DATA_START + from; ts < DATA_START + to; ts += step) t.push(ts + rnd.int(1000));
  return {
    labels: labelsFrom(labels),
    t: Float64Array.from(t),
    v: Float64Array.from(t, (ts, i) => value(i, ts)),
  };
}

function makeDataSet(): StoreDataSet {
  const rnd = new Random(20_260_101);
  const out: DataSeries[] = [];
  const all = (labels: Record<string, string>, value: (i: number) => number, step?: number) =>
    out.push(series(rnd, labels, 0, DATA_SPAN, value, step));
  for (const job of ['api', 'api-2', 'db'])
    for (const instance of ['h1:9090', 'h2:9090'])
      for (const code of ['200', '500']) {
        let c = rnd.int(1000);
        all({ __name__: 'http_requests_total', job, instance, code }, () => (c += rnd.int(20)));
      }
  for (const room of ['attic', 'cellar', 'kitchen', 'küche'])
    all({ __name__: 'temperature', room }, () => Math.round((rnd.next() * 40 - 10) * 100) / 100);
  for (const job of ['api', 'db'])
    for (const a of ['x', 'y', ''])
      all({ __name__: 'queue_depth', job, a }, () => rnd.int(50), 30_000);
  for (const job of ['api', 'db']) {
    out.push(series(rnd, { __name__: 'early_only', job }, 0, 90 * MINUTE, (i) => i));
    out.push(
      series(rnd, { __name__: 'late_only', job }, DATA_SPAN - 90 * MINUTE, DATA_SPAN, (i) => -i),
    );
  }
  // Two bursts with a gap longer than a chunk range in between.
  const sparse = [
    series(rnd, { __name__: 'sparse', job: 'api' }, 0, 30 * MINUTE, (i) => i / 4),
    series(rnd, { __name__: 'sparse', job: 'api' }, 4 * HOUR, 4 * HOUR + 30 * MINUTE, (i) => i / 2),
  ];
  out.push({
    labels: sparse[0]!.labels,
    t: Float64Array.from([...sparse[0]!.t, ...sparse[1]!.t]),
    v: Float64Array.from([...sparse[0]!.v, ...sparse[1]!.v]),
  });
  const specials = [NaN, Infinity, -Infinity, -0, Number.MAX_VALUE, Number.MIN_VALUE, 1.5];
  all({ __name__: 'special', kind: 'edge values' }, (i) => specials[i % specials.length]!, 60_000);
  out.sort((a, b) => compareLabels(a.labels, b.labels));
  let minTime = Infinity;
  let maxTime = -Infinity;
  for (const s of out) {
    minTime = Math.min(minTime, s.t[0]!);
    maxTime = Math.max(maxTime, s.t[s.t.length - 1]!);
  }
  return {
    externalLabels: labelsFrom({ cluster: 'eu-1', env: 'prod' }),
    series: out,
    minTime,
    maxTime,
  };
}

/** The data set (built once per process; treat as read-only). */
export const STORE_DATA: StoreDataSet = makeDataSet();

/** The part of every series with samples in [from, to] (ms, inclusive); empty series are left out. */
export function sliceData(data: StoreDataSet, from: number, to: number): DataSeries[] {
  const out: DataSeries[] = [];
  for (const s of data.series) {
    let i = 0;
    while (i < s.t.length && s.t[i]! < from) i++;
    let j = i;
    while (j < s.t.length && s.t[j]! <= to) j++;
    if (j > i) out.push({ labels: s.labels, t: s.t.slice(i, j), v: s.v.slice(i, j) });
  }
  return out;
}

/** Series chunked as Prometheus's head cuts them (2h ranges, ~120 samples), for a MemoryStore. */
export function memorySeries(series: readonly DataSeries[]): MemorySeries[] {
  return series.map((s) => ({
    labels: s.labels,
    chunks: encodeChunks(s.t, s.v, s.t.length, DEFAULT_BLOCK_DURATION).map((c): AggrChunk => ({
      minTime: c.minTime,
      maxTime: c.maxTime,
      raw: { encoding: 'XOR', data: c.data },
    })),
  }));
}

/**
 * Writes the series as one block through `sink` (a bucket or a directory). With `thanos`, the
 * block carries the data set's external labels in meta.json as a sidecar would ship it.
 */
export async function writeDataBlock(
  sink: SinkFactory,
  data: StoreDataSet,
  series: readonly DataSeries[],
  opts: { thanos: boolean },
): Promise<BlockMeta> {
  const ext: Record<string, string> = {};
  for (const l of data.externalLabels) ext[l.name] = l.value;
  const meta = await writeBlock(
    sink,
    series.map((s) => ({ labels: s.labels, timestamps: s.t, values: s.v })),
    opts.thanos
      ? {
          tombstones: false,
          thanos: { labels: ext, downsample: { resolution: 0 }, source: 'sidecar' },
        }
      : {},
  );
  if (!meta) throw new Error('writeDataBlock: no samples');
  return meta;
}

/**
 * Two time ranges over the data that overlap by 1h30m (like a block still in Prometheus and one
 * already in the bucket, or two blocks before vertical compaction): every series with samples in
 * the overlap is in both halves.
 */
export function overlappingHalves(data: StoreDataSet): [DataSeries[], DataSeries[]] {
  const cut = DATA_START + 3 * HOUR;
  return [
    sliceData(data, data.minTime, cut + 45 * MINUTE),
    sliceData(data, cut - 45 * MINUTE, data.maxTime),
  ];
}
