/**
 * Memory at bucket scale: the same query over 1x, 2x and 4x as many blocks (2, 4 and 8 days of
 * 2h blocks, ~360 series; the step grows with the range so the answer keeps its size). If the
 * read path buffered blocks, series or samples, the heap would grow with the data read (here
 * ~160 KB of chunks per block). The querier must stay within 1.2x of the 1x case. A store merges
 * all its blocks at once, so each extra block costs it its open state — index header and one
 * small batch of series in flight — but never its data: the store side must stay within 1.2x of
 * the 1x case plus PER_BLOCK for each extra block (and, both, JITTER: readings of one size vary)
 * - in a Node child (the querier and the bucket store in one process, heap sampled by the child),
 * - and in workerd, for the querier's isolate and the store shards' isolate apart (their V8 heap
 *   read through the inspector while the query runs).
 * Heap is measured live: each sample follows a full GC (the child calls gc(); workerd gets
 * HeapProfiler.collectGarbage), so it is what the read path holds, not garbage not yet collected.
 * The block-byte cache and the selection memo are off (STORE_MEMORY_CACHE=0,
 * STORE_SELECTION_MEMO=0): caches with budgets of their own, they would grow with the data up to
 * them; the read path must not.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScaleData } from '../../../scripts/lib/scale-data.ts';
import { connectIsolate } from '../../helpers/inspector.ts';
import { freePort } from '../../helpers/ports.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';
import { scaleBucket, scaleWorker } from '../../helpers/scale-stack.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { QUERIER_WORKER, SHARDS_WORKER } from '../../helpers/worker.ts';

const SIZES = [
  { name: '1x', days: 2 },
  { name: '2x', days: 4 },
  { name: '4x', days: 8 },
] as const;
const QUERY = 'sum by (job) (rate({__name__=~"http_requests_total|node_cpu_seconds_total"}[1h]))';
const POINTS = 48;
const MB = 1024 * 1024;
/** What an open block may hold (its index header in the LRU: measured 30-60 KB), below its data. */
const PER_BLOCK = 64 * 1024;
/** Readings of one isolate at the same size vary by up to ~1 MB (code, WASM, timing of samples). */
const JITTER = 1 * MB;

interface Peak {
  readonly querier: number;
  readonly shards: number;
  readonly node: number;
}

describe('memory of the read path stays flat as the blocks grow', () => {
  let tmp: TmpDir;
  let s3: S3rverHandle;
  const data = new Map<string, ScaleData>();
  const peaks = new Map<string, Peak>();

  beforeAll(async () => {
    tmp = await makeTmpDir('scale-memory-');
    s3 = await startS3rver({ buckets: SIZES.map((s) => `b${s.name}`) });
    for (const s of SIZES) {
      data.set(
        s.name,
        await scaleBucket(s3, join(tmp.path, s.name), {
          days: s.days,
          copies: 2,
          bucket: `b${s.name}`,
        }),
      );
    }
  }, 300_000);

  afterAll(async () => {
    await s3?.stop();
    await tmp?.remove();
  });

  const params = (d: ScaleData) => {
    const step = Math.ceil((d.maxTime - d.minTime) / POINTS / 1000);
    return { start: d.minTime / 1000, end: d.maxTime / 1000 - 1, step };
  };

  async function nodePeak(name: string): Promise<number> {
    const d = data.get(name)!;
    const p = params(d);
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        '--max-semi-space-size=1',
        '--max-old-space-size=128',
        '--import',
        'tsx',
        join(import.meta.dirname, 'scale-memory.child.ts'),
        s3.endpoint,
        `b${name}`,
        s3.region,
        s3.accessKeyId,
        s3.secretAccessKey,
        QUERY,
        String(p.start * 1000),
        String(p.end * 1000),
        String(p.step * 1000),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b));
    child.stderr.on('data', (b: Buffer) => (err += b));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code, err).toBe(0);
    const r = JSON.parse(out.trim().split('\n').pop()!) as { peak: number; series: number };
    expect(r.series).toBeGreaterThan(0);
    return r.peak;
  }

  async function workerdPeaks(name: string): Promise<{ querier: number; shards: number }> {
    const d = data.get(name)!;
    const inspectorPort = await freePort();
    const worker = await scaleWorker(s3, {
      bucket: `b${name}`,
      shards: 4,
      inspectorPort,
      vars: { STORE_MEMORY_CACHE: '0', STORE_SELECTION_MEMO: '0', STORE_CHUNK_BUDGET: '1MiB' },
    });
    try {
      await worker.fetch('/-/healthy');
      const querier = await connectIsolate(inspectorPort, `core:user:${QUERIER_WORKER}`);
      const shards = await connectIsolate(inspectorPort, `core:user:${SHARDS_WORKER}`);
      try {
        const url = `/api/v1/query_range?${new URLSearchParams({
          query: QUERY,
          ...Object.fromEntries(Object.entries(params(d)).map(([k, v]) => [k, String(v)])),
        })}`;
        // Both isolates sampled while the query runs: the shards' inside the querier's window.
        const {
          peak,
          samples,
          result: inner,
        } = await querier.peakLiveDuring(() =>
          shards.peakLiveDuring(async () => {
            const res = await worker.fetch(url);
            return (await res.json()) as { status: string; data: { result: unknown[] } };
          }),
        );
        const result = inner.result;
        expect(samples, 'querier heap samples').toBeGreaterThan(0);
        expect(inner.samples, 'shards heap samples').toBeGreaterThan(0);
        expect(result.status).toBe('success');
        expect(result.data.result.length).toBeGreaterThan(0);
        return { querier: peak, shards: inner.peak };
      } finally {
        querier.close();
        shards.close();
      }
    } finally {
      await worker.stop();
    }
  }

  it('measures each size', async () => {
    for (const s of SIZES) {
      const w = await workerdPeaks(s.name);
      peaks.set(s.name, { ...w, node: await nodePeak(s.name) });
    }
    const rows = SIZES.map((s) => {
      const p = peaks.get(s.name)!;
      return `${s.name} (${data.get(s.name)!.blocks.length} blocks): node ${(p.node / MB).toFixed(1)} MB, querier isolate ${(p.querier / MB).toFixed(1)} MB, shards isolate ${(p.shards / MB).toFixed(1)} MB`;
    });
    console.log(`peak heap for ${QUERY}:\n${rows.join('\n')}`);
  }, 600_000);

  for (const key of ['node', 'querier', 'shards'] as const) {
    // The querier holds no block state; the stores (the Node child is one) hold each block's.
    const perBlock = key === 'querier' ? 0 : PER_BLOCK;
    it(`${key}: 2x and 4x the blocks stay within 1.2x of the 1x peak (+1 MB jitter)${perBlock ? " plus the extra blocks' open state" : ''}`, () => {
      const base = peaks.get('1x')![key];
      const baseBlocks = data.get('1x')!.blocks.length;
      expect(base).toBeGreaterThan(0);
      for (const n of ['2x', '4x']) {
        const p = peaks.get(n)![key];
        const extra = (data.get(n)!.blocks.length - baseBlocks) * perBlock;
        expect(
          p,
          `${key} ${n}: ${(p / MB).toFixed(1)} MB vs 1x ${(base / MB).toFixed(1)} MB (+${(extra / MB).toFixed(1)} MB for the extra blocks)`,
        ).toBeLessThanOrEqual(1.2 * base + extra + JITTER);
      }
    });
  }
});
