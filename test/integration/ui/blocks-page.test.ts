/**
 * The /blocks page in headless Chromium against the real Worker in workerd, over a small bucket
 * (two adjacent raw 2h blocks of one label set, one 8h level-2 block at 5m resolution of another):
 * one rectangle per block that /api/v1/blocks lists, a row per label set and resolution, each
 * rectangle placed and sized by its time range, level and resolution shown, and a click shows the
 * block's meta.json. Screenshot: test-artifacts/ui-blocks.png.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { R2Bucket, type R2BucketLike } from '../../../core/objstore/r2.ts';
import type { BlockMeta } from '../../../core/tsdb/meta.ts';
import { writeBlock } from '../../../core/tsdb/writer/block-writer.ts';
import { uploadBlock } from '../../../sidecar-agent/objstore/upload-block.ts';
import { dirSinkFactory } from '../../../sidecar-agent/tsdb/dir-sink.ts';
import { samples } from '../../helpers/crafted-blocks.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';
import { ensureUiBuilt } from './ui-build.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const artifacts = join(root, 'test-artifacts');
const H = 3_600_000;

describe('/blocks page in headless Chromium', () => {
  let tmp: TmpDir;
  let worker: WorkerHandle;
  let browser: Browser;
  let page: Page;
  const raw: BlockMeta[] = [];
  let compacted: BlockMeta;

  beforeAll(async () => {
    // The test drives what the sources build to now, not a stale ui/dist.
    await ensureUiBuilt();
    await mkdir(artifacts, { recursive: true });
    tmp = await makeTmpDir();
    worker = await startWorker({ ui: true, vars: { STORE_TOKEN: 't' } });
    const bucket = new R2Bucket((await worker.mf.getR2Bucket('BLOCKS')) as unknown as R2BucketLike);
    const t0 = Math.floor((Date.now() - 24 * H) / (8 * H)) * 8 * H;
    const sink = dirSinkFactory(tmp.path, { fsync: false });
    for (const from of [t0, t0 + 2 * H]) {
      const m = (await writeBlock(
        sink,
        [samples({ __name__: 'up', job: 'a' }, from, from + 2 * H)],
        {
          minTime: from,
          maxTime: from + 2 * H,
        },
      ))!;
      await uploadBlock(bucket, join(tmp.path, m.ulid), {
        labels: { cluster: 'eu', replica: 'a' },
        source: 'sidecar',
      });
      raw.push(m);
    }
    compacted = (await writeBlock(
      sink,
      ['p', 'q'].map((k) => samples({ __name__: 'w', k }, t0, t0 + 8 * H)),
      {
        minTime: t0,
        maxTime: t0 + 8 * H,
        chunkRange: 8 * H,
        thanos: { labels: {}, downsample: { resolution: 300_000 }, source: 'compactor' },
        compaction: { level: 2, sources: raw.map((m) => m.ulid) },
      },
    ))!;
    await uploadBlock(bucket, join(tmp.path, compacted.ulid), {
      labels: { cluster: 'us' },
      source: 'compactor',
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await tmp?.remove();
  });

  it('draws one rectangle per block, a row per label set and resolution, placed by time', async () => {
    const api = (await (await worker.fetch('/api/v1/blocks')).json()) as {
      data: { blocks: BlockMeta[] };
    };
    const ids = api.data.blocks.map((b) => b.ulid).sort();
    expect(ids).toEqual([...raw.map((m) => m.ulid), compacted.ulid].sort());
    for (const b of api.data.blocks) {
      expect(b.thanos?.labels).toBeDefined();
      expect(b.compaction.level).toBeGreaterThan(0);
      expect(b.thanos?.downsample.resolution).toBeTypeOf('number');
    }

    await page.goto(new URL('/blocks', worker.url).toString());
    const rects = page.locator('.block-rect');
    await expect.poll(() => rects.count()).toBe(3);
    expect(
      (await rects.evaluateAll((els) => els.map((e) => e.getAttribute('data-ulid')))).sort(),
    ).toEqual(ids);
    expect(await page.locator('a[data-nav="blocks"]').getAttribute('class')).toContain('active');

    const rows = page.locator('.blocks-row:not(.axis-row)');
    expect(await rows.count()).toBe(2);
    const eu = rows.filter({ hasText: 'cluster="eu"' });
    const us = rows.filter({ hasText: 'cluster="us"' });
    expect(await eu.locator('.block-rect').count()).toBe(2);
    expect(await eu.locator('.row-meta').innerText()).toContain('resolution raw');
    expect(await us.locator('.row-meta').innerText()).toContain('resolution 5m');
    const c = us.locator(`.block-rect[data-ulid="${compacted.ulid}"]`);
    expect(await c.innerText()).toBe('L2 · 5m');
    expect(await eu.locator(`.block-rect[data-ulid="${raw[0]!.ulid}"]`).innerText()).toBe(
      'L1 · raw',
    );

    // Geometry: the 8h block spans the whole axis, each 2h block a quarter, the second after the first.
    const box = async (id: string) =>
      (await page.locator(`.block-rect[data-ulid="${id}"]`).boundingBox())!;
    const [a, b, w] = [await box(raw[0]!.ulid), await box(raw[1]!.ulid), await box(compacted.ulid)];
    expect(Math.abs(w.x - a.x)).toBeLessThan(1.5);
    expect(Math.abs(a.width * 4 - w.width)).toBeLessThan(4);
    expect(Math.abs(a.x + a.width - b.x)).toBeLessThan(1.5);
    expect(Math.abs(a.y - b.y)).toBeLessThan(1);
  });

  it('shows a block’s meta.json on click', async () => {
    await page.locator(`.block-rect[data-ulid="${compacted.ulid}"]`).click();
    const pre = page.locator('.block-details .block-meta');
    await pre.waitFor();
    const meta = JSON.parse(await pre.innerText()) as BlockMeta;
    expect(meta).toMatchObject({
      ulid: compacted.ulid,
      minTime: compacted.minTime,
      maxTime: compacted.maxTime,
      compaction: { level: 2, sources: raw.map((m) => m.ulid) },
      thanos: { labels: { cluster: 'us' }, downsample: { resolution: 300_000 } },
      stats: { numSeries: 2 },
    });
    expect(await page.locator('.block-details h2').innerText()).toContain(compacted.ulid);
    await page.screenshot({ path: join(artifacts, 'ui-blocks.png'), fullPage: true });
    // Another block replaces the details.
    await page.locator(`.block-rect[data-ulid="${raw[1]!.ulid}"]`).click();
    await expect
      .poll(async () => (JSON.parse(await pre.innerText()) as BlockMeta).ulid)
      .toBe(raw[1]!.ulid);
  });
});
