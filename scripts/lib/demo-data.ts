/**
 * @module scripts/lib/demo-data — a week of realistic node and HTTP metrics from an HA pair of
 * Prometheus replicas, written as TSDB blocks by our block writer and uploaded as Thanos's
 * shipper would, so the query API and UI answer at once on a fresh checkout. Daily traffic
 * cycles, counter resets at restarts, a scrape outage on one replica (dedup fills it), and
 * classic latency histograms.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelsFrom, type Labels } from '../../core/labels/labels.ts';
import type { Bucket } from '../../core/objstore/bucket.ts';
import { writeBlock, type SeriesSamples } from '../../core/tsdb/writer/block-writer.ts';
import { uploadBlock } from '../../sidecar-agent/objstore/upload-block.ts';
import { dirSinkFactory } from '../../sidecar-agent/tsdb/dir-sink.ts';
import { Random } from '../../test/helpers/random.ts';

export const DEMO_CLUSTER = 'demo';
const DAY = 24 * 3600_000;
const SCRAPE = 30_000;
const LES = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, Infinity];

export interface DemoOptions {
  /** End of the data, ms (default now). */
  readonly end?: number;
  readonly days?: number;
  readonly onBlock?: (info: {
    replica: string;
    ulid: string;
    series: number;
    samples: number;
  }) => void;
}

/** Deterministic PRNG so every checkout gets the same demo. */
/** Traffic shape: a daily cycle peaking mid-afternoon UTC, quieter at weekends. */
function load(t: number): number {
  const day = (t % DAY) / DAY;
  const weekday = new Date(t).getUTCDay();
  const weekend = weekday === 0 || weekday === 6 ? 0.6 : 1;
  return weekend * (0.55 + 0.45 * Math.sin(2 * Math.PI * (day - 0.35)));
}

interface Builder {
  readonly labels: Labels;
  readonly v: Float64Array;
}

/** The samples of one replica for [start, end). Replica 1 scrapes 7s later; replica 0 has an outage. */
export function generateDemoSeries(replica: number, start: number, end: number): SeriesSamples[] {
  // Both replicas scrape the same targets: same values, replica 1 seven seconds later.
  const rnd = new Random(1000);
  const offset = replica === 0 ? 0 : 7_000;
  const first = Math.ceil((start - offset) / SCRAPE) * SCRAPE + offset;
  const n = Math.max(0, Math.ceil((end - first) / SCRAPE));
  const times = Float64Array.from({ length: n }, (_, i) => first + i * SCRAPE);
  const all: Builder[] = [];
  const make = (labels: Record<string, string>): Builder => {
    const b = { labels: labelsFrom(labels), v: new Float64Array(n) };
    all.push(b);
    return b;
  };
  const nodes = ['node-1:9100', 'node-2:9100', 'node-3:9100'].map((instance) => ({
    instance,
    up: make({ __name__: 'up', job: 'node', instance }),
    cpu: ['0', '1', '2', '3'].flatMap((cpu) =>
      ['idle', 'user', 'system', 'iowait'].map((mode) => ({
        mode,
        total: 1e5,
        s: make({ __name__: 'node_cpu_seconds_total', job: 'node', instance, cpu, mode }),
      })),
    ),
    mem: make({ __name__: 'node_memory_MemAvailable_bytes', job: 'node', instance }),
    net: ['eth0', 'lo'].map((device) => ({
      device,
      total: 1e9,
      s: make({ __name__: 'node_network_receive_bytes_total', job: 'node', instance, device }),
    })),
  }));
  const handlers = ['/api/v1/orders', '/api/v1/users', '/api/v1/search', '/healthz'];
  const apis = ['api-1:8080', 'api-2:8080'].map((instance) => ({
    instance,
    up: make({ __name__: 'up', job: 'api', instance }),
    handlers: handlers.map((handler) => ({
      handler,
      rps: handler === '/healthz' ? 1 : handler === '/api/v1/search' ? 40 : 15,
      codes: ['200', '404', '500'].map((code) => ({
        share: code === '200' ? 0.95 : code === '404' ? 0.04 : 0.01,
        total: 0,
        s: make({
          __name__: 'http_requests_total',
          job: 'api',
          instance,
          handler,
          method: handler === '/api/v1/orders' ? 'POST' : 'GET',
          code,
        }),
      })),
      counts: LES.map(() => 0),
      sum: 0,
      buckets: LES.map((le) =>
        make({
          __name__: 'http_request_duration_seconds_bucket',
          job: 'api',
          instance,
          handler,
          le: le === Infinity ? '+Inf' : String(le),
        }),
      ),
      sumS: make({ __name__: 'http_request_duration_seconds_sum', job: 'api', instance, handler }),
      countS: make({
        __name__: 'http_request_duration_seconds_count',
        job: 'api',
        instance,
        handler,
      }),
    })),
  }));
  const secs = SCRAPE / 1000;
  for (let i = 0; i < n; i++) {
    const t = times[i]!;
    const l = load(t);
    for (const node of nodes) {
      node.up.v[i] = 1;
      for (const c of node.cpu) {
        const busy =
          c.mode === 'idle'
            ? 1 - 0.7 * l
            : c.mode === 'user'
              ? 0.5 * l
              : c.mode === 'system'
                ? 0.15 * l
                : 0.05 * l;
        c.total += secs * busy * (0.9 + 0.2 * rnd.next());
        c.s.v[i] = Math.round(c.total * 100) / 100;
      }
      node.mem.v[i] = Math.round(16e9 * (0.35 + 0.3 * (1 - l) + 0.05 * rnd.next()));
      for (const d of node.net) {
        d.total += secs * (d.device === 'eth0' ? 5e6 : 2e5) * l * (0.8 + 0.4 * rnd.next());
        d.s.v[i] = Math.round(d.total);
      }
    }
    // api-2 restarts every day at 00:00 UTC: its counters start again from zero.
    const restart = t % DAY < SCRAPE && i > 0;
    for (const api of apis) {
      api.up.v[i] = 1;
      const reset = restart && api.instance === 'api-2:8080';
      for (const h of api.handlers) {
        const rps = h.rps * l;
        for (const c of h.codes) {
          if (reset) c.total = 0;
          c.total += Math.round(rps * c.share * secs * (0.8 + 0.4 * rnd.next()));
          c.s.v[i] = c.total;
        }
        if (reset) {
          h.counts.fill(0);
          h.sum = 0;
        }
        // Latency d = 4ms + k·U⁴ (U uniform): cumulative bucket counts follow its CDF directly.
        const requests = Math.round(rps * secs * (0.9 + 0.2 * rnd.next()));
        const k = (h.handler === '/api/v1/search' ? 2 : 0.6) * (0.5 + l);
        h.sum += requests * (0.004 + k / 5);
        for (let b = 0; b < LES.length; b++) {
          const le = LES[b]!;
          const cdf = le <= 0.004 ? 0 : Math.min(1, ((le - 0.004) / k) ** 0.25);
          h.counts[b]! += Math.round(requests * cdf);
        }
        for (let b = 0; b < LES.length; b++) h.buckets[b]!.v[i] = h.counts[b]!;
        h.sumS.v[i] = Math.round(h.sum * 1000) / 1000;
        h.countS.v[i] = h.counts[LES.length - 1]!;
      }
    }
  }
  // Replica 0 missed an hour of scrapes three days ago; the querier's dedup fills it from replica 1.
  const outage: [number, number] = [end - 3 * DAY + 2 * 3600_000, end - 3 * DAY + 3 * 3600_000];
  let from = n;
  let to = n;
  if (replica === 0) {
    from = times.findIndex((t) => t >= outage[0]);
    if (from < 0) from = n;
    to = from;
    while (to < n && times[to]! < outage[1]) to++;
  }
  const cut = (a: Float64Array): Float64Array => {
    if (from === to) return a;
    const out = new Float64Array(n - (to - from));
    out.set(a.subarray(0, from));
    out.set(a.subarray(to), from);
    return out;
  };
  const ts = cut(times);
  return all.map((b) => ({ labels: b.labels, timestamps: ts, values: cut(b.v) }));
}

/** Writes `days` of daily blocks per replica and uploads them; returns the block count. */
export async function writeDemoBlocks(bucket: Bucket, options: DemoOptions = {}): Promise<number> {
  const end = Math.floor((options.end ?? Date.now()) / SCRAPE) * SCRAPE;
  const days = options.days ?? 7;
  const dir = await mkdtemp(join(tmpdir(), 'thanos-edge-demo-'));
  let n = 0;
  try {
    for (let d = days; d > 0; d--) {
      const from = end - d * DAY;
      const to = from + DAY;
      for (const replica of [0, 1]) {
        const series = generateDemoSeries(replica, from, to);
        const meta = await writeBlock(dirSinkFactory(dir, { fsync: false }), series, {
          minTime: from,
          maxTime: to,
          chunkRange: DAY,
        });
        if (!meta) continue;
        await uploadBlock(bucket, join(dir, meta.ulid), {
          labels: { cluster: DEMO_CLUSTER, replica: String(replica) },
          source: 'sidecar',
        });
        n++;
        options.onBlock?.({
          replica: String(replica),
          ulid: meta.ulid,
          series: meta.stats.numSeries ?? 0,
          samples: meta.stats.numSamples ?? 0,
        });
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return n;
}
