/**
 * `npm run bench:store` — the store gateway (bucket store over a local filesystem bucket, the
 * same core code the Worker runs) against Prometheus 2.42 on the same blocks, same run.
 *
 * Builds BENCH_SERIES series × 24h at 60s (default 10,000) as OpenMetrics, turns them into blocks
 * with `thanos-edge tsdb create-blocks-from openmetrics`, uploads them to a bucket directory, and
 * starts Prometheus on the block directory. For each selector: our object-store requests and
 * bytes (cold), our cold and warm latency for the series (labels only, as /api/v1/series) and
 * for the full chunks, and Prometheus's /api/v1/series latency. Prints medians and ratios.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlockSet } from '../core/block/block-set.ts';
import { BucketStore } from '../core/block/bucket-store.ts';
import { MetaFetcher } from '../core/block/meta-fetcher.ts';
import { MemoryRangeCache } from '../core/block/range-cache.ts';
import { parseSeriesSelector } from '../core/labels/selector.ts';
import { InstrumentedBucket } from '../core/objstore/instrumented.ts';
import { isUlid } from '../core/tsdb/meta.ts';
import { FilesystemBucket } from '../sidecar-agent/objstore/filesystem.ts';
import { uploadBlock } from '../sidecar-agent/objstore/upload-block.ts';

const SERIES = Number(process.env.BENCH_SERIES ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const T0 = 1_700_006_400_000; // 2h-aligned
const SPAN = 24 * 3_600_000;
const SCRAPE = 60_000;

const SELECTORS = [
  '{__name__="svc_requests_total", instance="i-42"}',
  '{__name__="svc_requests_total", service="s7"}',
  '{__name__=~"svc_.*", region="eu", service=~"s1.?"}',
  '{__name__="svc_latency_seconds", instance!~"i-1.*"}',
  '{__name__=~".+", instance="i-999"}',
  '{__name__="svc_requests_total", code=~"5.."}',
];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Writes the OpenMetrics input in pieces (the whole text is larger than a JS string may be). */
async function writeOpenMetrics(path: string): Promise<void> {
  const out = createWriteStream(path);
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()));
  };
  const perName = SERIES / 2;
  for (const name of ['svc_requests_total', 'svc_latency_seconds']) {
    await write(`# TYPE ${name} ${name.endsWith('_total') ? 'counter' : 'gauge'}\n`);
    for (let s = 0; s < perName; s++) {
      const extra = name.endsWith('_total')
        ? `code="${200 + (s % 4) * 100}"`
        : `quantile="${['0.5', '0.9', '0.99'][s % 3]}"`;
      const ls = `instance="i-${s % 1000}",pod="p-${s}",service="s${s % 50}",region="${s % 3 === 0 ? 'eu' : 'us'}",${extra}`;
      const lines: string[] = [];
      let v = s;
      for (let t = T0, i = 0; t < T0 + SPAN; t += SCRAPE, i++) {
        v = name.endsWith('_total') ? v + (s % 13) + 1 : ((s * 7 + i) % 100) / 1000;
        lines.push(`${name}{${ls}} ${v} ${t / 1000}\n`);
      }
      await write(lines.join(''));
    }
  }
  await write('# EOF\n');
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-store-'));
  const prom = { stop: async () => undefined as unknown };
  try {
    process.stdout.write(`writing ${SERIES} series × 24h at 60s…\n`);
    await writeOpenMetrics(join(dir, 'input.om'));
    const db = join(dir, 'db');
    const cli = spawnSync(
      process.execPath,
      [
        'sidecar-agent/bin/thanos-edge.mjs',
        'tsdb',
        'create-blocks-from',
        'openmetrics',
        '-q',
        join(dir, 'input.om'),
        db,
      ],
      { stdio: 'inherit' },
    );
    if (cli.status !== 0) throw new Error('create-blocks-from failed');
    const blocks = (await readdir(db)).filter(isUlid);
    const bucketDir = join(dir, 'bucket');
    for (const b of blocks)
      await uploadBlock(new FilesystemBucket(bucketDir), join(db, b), {
        labels: { cluster: 'bench' },
        source: 'sidecar',
      });
    process.stdout.write(`${blocks.length} blocks\n`);

    await writeFile(join(dir, 'prometheus.yml'), 'global: {}\n');
    const port = 19000 + Math.floor(Math.random() * 1000);
    const p = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${db}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=100y',
      ],
      { stdio: 'ignore' },
    );
    prom.stop = () =>
      new Promise((r) => {
        p.once('exit', r);
        p.kill('SIGTERM');
      });
    for (let i = 0; i < 300; i++) {
      if (
        await fetch(`http://127.0.0.1:${port}/-/ready`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 200));
    }

    const header =
      'selector'.padEnd(58) + 'series  reqs   KiB  cold ms  warm ms  chunks ms  prom ms  warm/prom';
    process.stdout.write(`${header}\n`);
    const ratios: number[] = [];
    for (const sel of SELECTORS) {
      const matchers = parseSeriesSelector(sel);
      const request = (skipChunks: boolean) => ({
        minTime: T0,
        maxTime: T0 + SPAN,
        matchers,
        maxResolutionWindow: 0,
        aggregates: ['raw' as const],
        partialResponseStrategy: 'abort' as const,
        skipChunks,
      });
      const cold: number[] = [];
      let reqs = 0;
      let bytes = 0;
      let count = 0;
      for (let r = 0; r < RUNS; r++) {
        const bucket = new InstrumentedBucket(new FilesystemBucket(bucketDir));
        const store = new BucketStore(
          new MetaFetcher(bucket),
          new BlockSet(bucket, new MemoryRangeCache()),
        );
        await store.sync();
        const before = bucket.stats();
        const [ms, n] = await time(async () => {
          let k = 0;
          for await (const f of store.series(request(true))) if (f.type === 'series') k++;
          return k;
        });
        const after = bucket.stats();
        cold.push(ms);
        reqs =
          after.get_range.requests -
          before.get_range.requests +
          after.get.requests -
          before.get.requests;
        bytes = after.get_range.bytes - before.get_range.bytes + after.get.bytes - before.get.bytes;
        count = n;
      }
      const bucket = new InstrumentedBucket(new FilesystemBucket(bucketDir));
      const store = new BucketStore(
        new MetaFetcher(bucket),
        new BlockSet(bucket, new MemoryRangeCache()),
      );
      for await (const _ of store.series(request(true))) void _;
      const warm: number[] = [];
      const chunks: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        warm.push(
          (
            await time(async () => {
              for await (const _ of store.series(request(true))) void _;
            })
          )[0],
        );
        chunks.push(
          (
            await time(async () => {
              for await (const _ of store.series(request(false))) void _;
            })
          )[0],
        );
      }
      const promMs: number[] = [];
      for (let r = 0; r < RUNS + 1; r++) {
        const [ms] = await time(async () => {
          const res = await fetch(
            `http://127.0.0.1:${port}/api/v1/series?${new URLSearchParams({ 'match[]': sel, start: String(T0 / 1000), end: String((T0 + SPAN) / 1000) })}`,
          );
          await res.json();
        });
        if (r > 0) promMs.push(ms);
      }
      const ratio = median(warm) / median(promMs);
      ratios.push(ratio);
      process.stdout.write(
        `${sel.padEnd(58)}${String(count).padStart(6)}${String(reqs).padStart(6)}${(bytes / 1024).toFixed(0).padStart(6)}` +
          `${median(cold).toFixed(1).padStart(9)}${median(warm).toFixed(1).padStart(9)}${median(chunks).toFixed(1).padStart(11)}` +
          `${median(promMs).toFixed(1).padStart(9)}${ratio.toFixed(2).padStart(10)}x\n`,
      );
    }
    process.stdout.write(
      `median warm/prometheus ratio: ${median(ratios).toFixed(2)}x (labels only, as /api/v1/series; lower is better)\n`,
    );
  } finally {
    await prom.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`bench:store: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
