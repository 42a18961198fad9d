/**
 * @module scripts/lib/scale-data — a bucket a real user has: `days` of 2h blocks from one
 * Prometheus (the demo's node and HTTP metrics, `copies` times over with a `pod` label, ~180
 * series per copy at 30s), written once into a local TSDB directory (Prometheus can open it as
 * is) and uploaded with Thanos's meta. The benchmark and the scale tests share it.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bucket } from '../../core/objstore/bucket.ts';
import { writeBlock, type SeriesSamples } from '../../core/tsdb/writer/block-writer.ts';
import { uploadBlock } from '../../sidecar-agent/objstore/upload-block.ts';
import { dirSinkFactory } from '../../sidecar-agent/tsdb/dir-sink.ts';
import { generateDemoSeries } from './demo-data.ts';

export const BLOCK_RANGE = 2 * 3600_000;

/** Long-range dashboard queries over the scale data (bench:scale's, profile-query's). */
export const SCALE_QUERIES = [
  'sum(rate(http_requests_total[1h]))',
  'sum by (job) (rate(node_cpu_seconds_total[1h]))',
  'count({__name__=~".+"})',
  'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[1h])))',
  'sum by (code) (increase(http_requests_total[1d]))',
  'avg by (instance) (node_memory_MemAvailable_bytes)',
  'topk(3, sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[1h])))',
  'max_over_time(sum(rate(node_network_receive_bytes_total[5m]))[1h:5m])',
  'sum(rate(http_request_duration_seconds_sum[1h])) / sum(rate(http_request_duration_seconds_count[1h]))',
  'quantile(0.9, rate(node_network_receive_bytes_total{device="eth0"}[1h]))',
  'sum(up) by (job)',
  'avg_over_time(node_memory_MemAvailable_bytes{instance="node-1:9100"}[1h])',
];

const DAY = 24 * 3600_000;

export interface ScaleDataOptions {
  /** Days of data ending at `end`. */
  readonly days: number;
  /** End of the data, ms; aligned down to 2h. Default: a fixed time, so runs compare. */
  readonly end?: number;
  /** Copies of the demo series (each ~180 series, told apart by `pod`). Default 2. */
  readonly copies?: number;
  /** External labels of the uploaded blocks. */
  readonly labels?: Record<string, string>;
  readonly onBlock?: (done: number, total: number) => void;
}

export interface ScaleData {
  readonly minTime: number;
  readonly maxTime: number;
  readonly blocks: readonly string[];
  readonly series: number;
}

/** The default end: 2026-11-01T00:00Z, so every run writes the same blocks. */
export const SCALE_END = Date.UTC(2026, 10, 1);

/** Writes the blocks into `tsdbDir` (one directory per block, as Prometheus keeps them). */
export async function writeScaleBlocks(tsdbDir: string, o: ScaleDataOptions): Promise<ScaleData> {
  const end = Math.floor((o.end ?? SCALE_END) / BLOCK_RANGE) * BLOCK_RANGE;
  const start = end - o.days * DAY;
  const copies = o.copies ?? 2;
  const total = (end - start) / BLOCK_RANGE;
  const blocks: string[] = [];
  let series = 0;
  for (let from = start, i = 0; from < end; from += BLOCK_RANGE, i++) {
    const all = scaleSeries(from, from + BLOCK_RANGE, copies);
    const meta = await writeBlock(dirSinkFactory(tsdbDir, { fsync: false }), all, {
      minTime: from,
      maxTime: from + BLOCK_RANGE,
      chunkRange: BLOCK_RANGE,
    });
    if (meta) blocks.push(meta.ulid);
    series = Math.max(series, all.length);
    o.onBlock?.(i + 1, total);
  }
  return { minTime: start, maxTime: end, blocks, series };
}

/**
 * The demo series of one Prometheus over [from, to), `copies` times over (told apart by `pod`).
 * Replica 0 scrapes on the 30s grid; replica 1 seven seconds later (no sample on a 5m boundary).
 */
export function scaleSeries(
  from: number,
  to: number,
  copies: number,
  replica = 0,
): SeriesSamples[] {
  const base = generateDemoSeries(replica, from, to);
  const all: SeriesSamples[] = [];
  for (let c = 0; c < copies; c++) {
    for (const s of base) {
      all.push({ ...s, labels: [...s.labels, { name: 'pod', value: `p${c}` }].sort(byName) });
    }
  }
  return all;
}

/** Uploads every block of `tsdbDir` with Thanos's meta (external labels, source sidecar). */
export async function uploadScaleBlocks(
  bucket: Bucket,
  tsdbDir: string,
  labels: Record<string, string>,
  onBlock?: (done: number, total: number) => void,
): Promise<void> {
  const ids = (await readdir(tsdbDir)).filter((n) => /^[0-9A-Z]{26}$/.test(n));
  let done = 0;
  for (const id of ids) {
    await uploadBlock(bucket, join(tsdbDir, id), { labels, source: 'sidecar' });
    onBlock?.(++done, ids.length);
  }
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
