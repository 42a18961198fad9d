/**
 * The query UI in a real browser (Debian's headless Chromium via playwright-core) against the real
 * Worker in workerd, with known blocks in its bucket and one dead remote store: autocomplete of a
 * metric, label name and label value; the table shows what /api/v1/query returned; the graph draws
 * one series per /api/v1/query_range result; Thanos's controls reach the API; a bad query shows
 * the API's error and its position; a shared URL restores the panels; /stores lists the stores.
 * Screenshots go to test-artifacts/ui-*.png.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFrom } from '../../../core/labels/labels.ts';
import { R2Bucket, type R2BucketLike } from '../../../core/objstore/r2.ts';
import { writeBlock } from '../../../core/tsdb/writer/block-writer.ts';
import { uploadBlock } from '../../../sidecar-agent/objstore/upload-block.ts';
import { dirSinkFactory } from '../../../sidecar-agent/tsdb/dir-sink.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';
import { ensureUiBuilt } from './ui-build.ts';
import { freePort } from '../../helpers/ports.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const artifacts = join(root, 'test-artifacts');

const ROOMS = { kitchen: 21.5, office: 19.25, garage: 12 } as const;

/** Temperatures every 15s over the last 3 hours (up to a minute ago), a slow wave around a base. */
function demoSeries(now: number) {
  const end = Math.floor(now / 15_000) * 15_000 - 60_000;
  const start = end - 3 * 3_600_000;
  const ts: number[] = [];
  for (let t = start; t <= end; t += 15_000) ts.push(t);
  const timestamps = Float64Array.from(ts);
  const series = Object.entries(ROOMS).map(([room, base], i) => ({
    labels: labelsFrom({ __name__: 'demo_temperature_celsius', room }),
    timestamps,
    values: Float64Array.from(
      ts,
      (t) => Math.round((base + 2 * Math.sin(t / 1_800_000 + i)) * 100) / 100,
    ),
  }));
  series.push({
    labels: labelsFrom({ __name__: 'demo_requests_total', code: '200' }),
    timestamps,
    values: Float64Array.from(ts, (_t, k) => k * 10),
  });
  return series;
}

interface QueryBody {
  status: string;
  data?: {
    resultType: string;
    result: Array<{
      metric: Record<string, string>;
      value?: [number, string];
      values?: Array<[number, string]>;
    }>;
  };
  warnings?: string[];
  error?: string;
}

function seriesText(metric: Record<string, string>): string {
  const { __name__: name, ...rest } = metric;
  const inner = Object.entries(rest)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  return `${name ?? ''}${inner || !name ? `{${inner}}` : ''}`;
}

const isApi = (path: string) => (r: Response) => new URL(r.url()).pathname === path;

describe('query UI in headless Chromium', () => {
  let tmp: TmpDir;
  let worker: WorkerHandle;
  let browser: Browser;
  let page: Page;
  let dead: string;

  beforeAll(async () => {
    // The test drives what the sources build to now, not a stale ui/dist.
    await ensureUiBuilt();
    await mkdir(artifacts, { recursive: true });
    tmp = await makeTmpDir();
    dead = `http://127.0.0.1:${await freePort()}`;
    worker = await startWorker({
      ui: true,
      vars: { STORE_TOKEN: 't', STORES_TOKEN: 't', STORES: dead, STORE_RESPONSE_TIMEOUT: '5s' },
    });
    const bucket = new R2Bucket((await worker.mf.getR2Bucket('BLOCKS')) as unknown as R2BucketLike);
    const meta = await writeBlock(dirSinkFactory(tmp.path), demoSeries(Date.now()));
    await uploadBlock(bucket, `${tmp.path}/${meta!.ulid}`, {
      labels: { cluster: 'eu', prometheus: 'demo' },
      source: 'sidecar',
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await tmp?.remove();
  });

  const url = (path: string) => new URL(path, worker.url).toString();
  const editorText = (p: Page, panel: number) =>
    p.locator('.panel').nth(panel).locator('.cm-content').innerText();

  /** Types `text`, waits for the completion `option` and accepts it with Enter. */
  async function complete(text: string, option: string, screenshot?: string): Promise<void> {
    await page.keyboard.type(text, { delay: 40 });
    const item = page.locator('.cm-tooltip-autocomplete li', { hasText: option }).first();
    await item.waitFor({ timeout: 15_000 });
    if (screenshot) await page.screenshot({ path: join(artifacts, screenshot) });
    // Select exactly this option (it need not be the first), then accept it.
    await item.click();
  }

  it('autocompletes, runs the query and shows the API values in the table', async () => {
    await page.goto(url('/graph'));
    await page.locator('.panel .cm-content').first().click();
    await complete('demo_temp', 'demo_temperature_celsius', 'ui-autocomplete.png');
    await complete('{ro', 'room');
    await complete('!="ga', 'garage');
    expect((await editorText(page, 0)).trim()).toBe('demo_temperature_celsius{room!="garage"}');

    const response = page.waitForResponse(isApi('/api/v1/query'));
    await page.keyboard.press('Enter');
    const body = (await (await response).json()) as QueryBody;
    expect(body.status).toBe('success');
    const result = body.data!.result;
    expect(result.map((r) => r.metric.room).sort()).toEqual(['kitchen', 'office']);

    const rows = page.locator('.panel').first().locator('.result-table tr');
    await expect.poll(() => rows.count()).toBe(result.length);
    const shown = await rows.evaluateAll((trs) =>
      trs.map((tr) => [
        tr.querySelector('.labels')!.textContent,
        tr.querySelector('.value')!.textContent,
      ]),
    );
    expect(shown).toEqual(result.map((r) => [seriesText(r.metric), r.value![1]]));
    for (const r of result)
      expect(
        Math.abs(Number(r.value![1]) - ROOMS[r.metric.room as keyof typeof ROOMS]),
      ).toBeLessThanOrEqual(2.01);
    // The dead remote store is a warning above the result, not an error.
    expect(body.warnings?.length ?? 0).toBeGreaterThan(0);
    await expect
      .poll(() => page.locator('.panel').first().locator('.alert.warning').count())
      .toBe(body.warnings!.length);
    await page.screenshot({ path: join(artifacts, 'ui-table.png'), fullPage: true });
  });

  it('draws one graph series per range-query result, stacked or not, with Thanos controls in the request', async () => {
    const panel = page.locator('.panel').first();
    await panel.locator('.cm-content').click();
    await page.keyboard.press('Control+a');
    await page.keyboard.type('demo_temperature_celsius', { delay: 10 });
    await page.keyboard.press('Escape');
    let response = page.waitForResponse(isApi('/api/v1/query_range'));
    await panel.locator('.tab-graph').click();
    let body = (await (await response).json()) as QueryBody;
    expect(body.data!.resultType).toBe('matrix');
    expect(body.data!.result).toHaveLength(3);
    // uPlot's legend: the time row plus one row per series, each labelled with the series' labels.
    const legend = panel.locator('.u-legend tr.u-series');
    await expect.poll(() => legend.count()).toBe(1 + body.data!.result.length);
    const labels = await legend.locator('.u-label').allInnerTexts();
    expect(labels.slice(1).sort()).toEqual(
      body.data!.result.map((r) => seriesText(r.metric)).sort(),
    );
    expect(await panel.locator('.uplot canvas').count()).toBeGreaterThan(0);
    // Hovering the plot puts the values at the cursor into the legend.
    const over = panel.locator('.u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    const values = await legend.locator('.u-value').allInnerTexts();
    expect(values.slice(1).filter((v) => /^-?\d/.test(v))).toHaveLength(3);
    // …and a tooltip names the series nearest to the cursor, with its value.
    const tip = panel.locator('.chart-tooltip');
    await tip.waitFor();
    expect(body.data!.result.map((r) => seriesText(r.metric))).toContain(
      await tip.locator('.series').innerText(),
    );
    expect(await tip.locator('.tip-value').innerText()).toMatch(/^value: -?\d/);
    await page.screenshot({ path: join(artifacts, 'ui-graph.png'), fullPage: true });

    response = page.waitForResponse(isApi('/api/v1/query_range'));
    await panel.locator('button.stacked').click();
    await response;
    await page.screenshot({ path: join(artifacts, 'ui-graph-stacked.png'), fullPage: true });

    response = page.waitForResponse(isApi('/api/v1/query_range'));
    await panel.locator('select.resolution').selectOption('auto');
    let req = new URL((await response).url());
    expect(req.searchParams.get('max_source_resolution')).toBe('auto');
    response = page.waitForResponse(isApi('/api/v1/query_range'));
    await panel.locator('.dedup input').uncheck();
    req = new URL((await response).url());
    expect(req.searchParams.get('dedup')).toBe('false');
    response = page.waitForResponse(isApi('/api/v1/query_range'));
    await panel.locator('.range-input').fill('2h');
    await panel.locator('.range-input').press('Enter');
    req = new URL((await response).url());
    expect(Number(req.searchParams.get('end')) - Number(req.searchParams.get('start'))).toBe(7200);
    body = (await (await response).json()) as QueryBody;
    expect(body.data!.result).toHaveLength(3);
  });

  it('shows a bad query’s error with its position', async () => {
    await page.locator('.add-panel').click();
    const panel = page.locator('.panel').nth(1);
    await panel.locator('.cm-content').click();
    // The Format button asks /api/v1/format_query (closeBrackets skips the typed closing parens).
    await page.keyboard.type('sum by(room)(demo_temperature_celsius)', { delay: 10 });
    await page.keyboard.press('Escape');
    const formatted = page.waitForResponse(isApi('/api/v1/format_query'));
    await panel.locator('.format').click();
    const fmt = (await (await formatted).json()) as { data: string };
    expect(fmt.data).toBe('sum by (room) (demo_temperature_celsius)');
    await expect.poll(() => editorText(page, 1)).toBe(fmt.data);
    await panel.locator('.cm-content').click();
    await page.keyboard.press('Control+a');
    await page.keyboard.type('1 +* 2', { delay: 10 });
    const response = page.waitForResponse(isApi('/api/v1/query'));
    await panel.locator('.execute').click();
    const body = (await (await response).json()) as QueryBody;
    expect(body.status).toBe('error');
    expect(body.error).toMatch(/1:4: parse error/);
    const alert = panel.locator('.alert.error');
    await alert.waitFor();
    expect(await alert.innerText()).toContain(body.error!);
    expect(await alert.locator('.error-position').innerText()).toContain('line 1, column 4');
    await page.screenshot({ path: join(artifacts, 'ui-error.png'), fullPage: true });
  });

  it('restores the panels from a shared URL', async () => {
    const shared = page.url();
    const params = new URL(shared).searchParams;
    expect(params.get('g0.expr')).toBe('demo_temperature_celsius');
    expect(params.get('g0.tab')).toBe('0');
    expect(params.get('g0.range_input')).toBe('2h');
    expect(params.get('g0.stacked')).toBe('1');
    expect(params.get('g0.dedup')).toBe('0');
    expect(params.get('g0.max_source_resolution')).toBe('auto');
    expect(params.get('g1.expr')).toBe('1 +* 2');
    expect(params.get('g1.tab')).toBe('1');

    const other = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      const range = other.waitForResponse(isApi('/api/v1/query_range'));
      const instant = other.waitForResponse(isApi('/api/v1/query'));
      await other.goto(shared);
      const req = new URL((await range).url());
      expect(req.searchParams.get('query')).toBe('demo_temperature_celsius');
      expect(req.searchParams.get('dedup')).toBe('false');
      expect(req.searchParams.get('max_source_resolution')).toBe('auto');
      await instant;
      await expect.poll(() => other.locator('.panel').count()).toBe(2);
      expect((await editorText(other, 0)).trim()).toBe('demo_temperature_celsius');
      expect((await editorText(other, 1)).trim()).toBe('1 +* 2');
      const p0 = other.locator('.panel').nth(0);
      expect(await p0.locator('.tab-graph').getAttribute('class')).toContain('active');
      expect(await p0.locator('button.stacked').getAttribute('class')).toContain('active');
      expect(await p0.locator('.range-input').inputValue()).toBe('2h');
      expect(await p0.locator('.dedup input').isChecked()).toBe(false);
      expect(await p0.locator('select.resolution').inputValue()).toBe('auto');
      await expect.poll(() => p0.locator('.u-legend tr.u-series').count()).toBe(4);
      await other.locator('.panel').nth(1).locator('.alert.error').waitFor();
      await other.screenshot({ path: join(artifacts, 'ui-shared.png'), fullPage: true });
    } finally {
      await other.close();
    }
  });

  it('lists the stores on /stores', async () => {
    const api = (await (await worker.fetch('/api/v1/stores')).json()) as {
      data: Record<string, Array<{ name: string; healthy: boolean }>>;
    };
    const all = Object.values(api.data).flat();
    await page.goto(url('/stores'));
    const rows = page.locator('.stores-table tbody tr');
    await expect.poll(() => rows.count()).toBe(all.length);
    const endpoints = await rows.locator('.endpoint').allInnerTexts();
    expect(endpoints.sort()).toEqual(all.map((s) => s.name).sort());
    const bucket = rows.filter({ hasText: 'bucket:' });
    expect(await bucket.locator('.badge.up').innerText()).toBe('UP');
    expect(await bucket.locator('.label-sets').innerText()).toContain('cluster="eu"');
    const deadRow = rows.filter({ hasText: dead });
    expect(await deadRow.locator('.badge.down').innerText()).toBe('DOWN');
    expect((await deadRow.locator('.last-error').innerText()).length).toBeGreaterThan(0);
    await page.screenshot({ path: join(artifacts, 'ui-stores.png'), fullPage: true });
  });

  it('serves the UI at / and /graph while the APIs and health endpoints stay with the Worker', async () => {
    await page.goto(url('/'));
    await page.locator('.panel .cm-content').waitFor();
    expect(new URL(page.url()).pathname).toBe('/graph');
    // A browser navigation (Sec-Fetch-Mode: navigate) to an API path must not get index.html.
    const nav = { headers: { 'sec-fetch-mode': 'navigate', accept: 'text/html' } };
    const labels = await worker.fetch('/api/v1/labels', nav);
    expect(labels.headers.get('content-type')).toContain('application/json');
    expect(((await labels.json()) as { data: string[] }).data).toContain('room');
    expect(await (await worker.fetch('/-/healthy', nav)).text()).toContain('Healthy');
    const graph = await worker.fetch('/graph', nav);
    expect(graph.headers.get('content-type')).toContain('text/html');
    expect(await graph.text()).toContain('/app.js');
  });
});
