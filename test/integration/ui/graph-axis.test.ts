/**
 * The graph's x-axis labels in headless Chromium against the real Worker in workerd: for ranges
 * from 5 minutes to 90 days and chart widths from 400 to 1600 px, no two tick labels uPlot draws on
 * the canvas overlap, and dates are shown. The range query's answer is a FAKE (page.route) made
 * from the request's start/end/step, so every range has data without writing months of blocks.
 * The labels are read from the canvas calls themselves: fillText is recorded per canvas since its
 * last full clear, with the text's measured box. Screenshots: test-artifacts/ui-axis-*.png.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page, type Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';
import { ensureUiBuilt } from './ui-build.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const artifacts = join(root, 'test-artifacts');

interface LabelBox {
  text: string;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Runs in the page before its scripts: records the x-axis texts each canvas draws. */
function recordAxisText(): void {
  type Rec = { text: string; left: number; right: number; top: number; bottom: number };
  const drawn = new WeakMap<HTMLCanvasElement, Rec[]>();
  const proto = CanvasRenderingContext2D.prototype;
  const fillText = proto.fillText;
  const clearRect = proto.clearRect;
  proto.clearRect = function (x, y, w, h) {
    if (x <= 0 && y <= 0 && w >= this.canvas.width && h >= this.canvas.height)
      drawn.set(this.canvas, []);
    clearRect.call(this, x, y, w, h);
  };
  proto.fillText = function (text, x, y, maxWidth) {
    // uPlot draws bottom-axis tick labels centred, hanging from the top; y-axis ones are not.
    if (this.textAlign === 'center' && this.textBaseline === 'top') {
      const m = this.measureText(text);
      const r = devicePixelRatio;
      const list = drawn.get(this.canvas) ?? [];
      list.push({
        text,
        left: (x - m.actualBoundingBoxLeft) / r,
        right: (x + m.actualBoundingBoxRight) / r,
        top: (y - m.actualBoundingBoxAscent) / r,
        bottom: (y + m.actualBoundingBoxDescent) / r,
      });
      drawn.set(this.canvas, list);
    }
    if (maxWidth === undefined) fillText.call(this, text, x, y);
    else fillText.call(this, text, x, y, maxWidth);
  };
  (window as unknown as { axisLabels: (c: HTMLCanvasElement) => Rec[] }).axisLabels = (c) =>
    drawn.get(c) ?? [];
}

/** FAKE /api/v1/query_range: one series with a point at every step of the requested range. */
async function fakeQueryRange(route: Route): Promise<void> {
  const q = new URL(route.request().url()).searchParams;
  const [start, end, step] = ['start', 'end', 'step'].map((k) => Number(q.get(k)));
  const values: Array<[number, string]> = [];
  for (let t = start!; t <= end!; t += step!) values.push([t, String(Math.sin(t / 7200))]);
  await route.fulfill({
    contentType: 'application/json',
    body: JSON.stringify({
      status: 'success',
      data: { resultType: 'matrix', result: [{ metric: { __name__: 'fake_wave' }, values }] },
    }),
  });
}

function overlaps(a: LabelBox, b: LabelBox): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

const RANGES = ['5m', '1h', '1d', '7d', '30d', '90d'];
const WIDTHS = [400, 800, 1600];
// Ends mid-afternoon and early morning: where the first tick's date falls against the next day's.
const ENDS = ['2026-11-30 13:37:00', '2026-11-27 06:00:00'];

describe('graph x-axis labels in headless Chromium', () => {
  let worker: WorkerHandle;
  let browser: Browser;
  let page: Page;
  /** Viewport width minus chart width, measured at the first draw. */
  let chrome = 0;

  beforeAll(async () => {
    // The test drives what the sources build to now, not a stale ui/dist.
    await ensureUiBuilt();
    await mkdir(artifacts, { recursive: true });
    worker = await startWorker({ ui: true, vars: { STORE_TOKEN: 't' } });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    await page.addInitScript(recordAxisText);
    await page.route('**/api/v1/query_range?*', fakeQueryRange);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
  });

  /** Draws `range` ending at `end` with the chart `width` px wide; the x-axis label boxes. */
  async function draw(range: string, width: number, end: string): Promise<LabelBox[]> {
    const params = new URLSearchParams({
      'g0.expr': 'fake_wave',
      'g0.tab': '0',
      'g0.range_input': range,
      'g0.end_input': end,
    });
    await page.setViewportSize({ width: width + chrome, height: 700 });
    await page.goto(new URL(`/graph?${params}`, worker.url).toString());
    // The page caps its width at 1400px; lift the cap to reach the widest chart.
    await page.addStyleTag({ content: 'main { max-width: none; }' });
    const canvas = page.locator('.panel .uplot canvas');
    await canvas.waitFor();
    const canvasWidth = () => canvas.evaluate((el) => Math.round(el.getBoundingClientRect().width));
    if (chrome === 0) {
      chrome = page.viewportSize()!.width - (await canvasWidth());
      return draw(range, width, end);
    }
    await expect.poll(canvasWidth).toBe(width);
    return canvas.evaluate((c) =>
      (window as unknown as { axisLabels: (c: HTMLCanvasElement) => LabelBox[] }).axisLabels(
        c as HTMLCanvasElement,
      ),
    );
  }

  for (const end of ENDS)
    for (const width of WIDTHS)
      for (const range of RANGES)
        it(`${range} to ${end} at ${width}px: no two x-axis labels overlap, dates shown`, async () => {
          const boxes = await draw(range, width, end);
          expect(boxes.length).toBeGreaterThanOrEqual(3);
          for (let i = 0; i < boxes.length; i++)
            for (let j = i + 1; j < boxes.length; j++)
              expect(
                overlaps(boxes[i]!, boxes[j]!),
                `"${boxes[i]!.text}" overlaps "${boxes[j]!.text}"`,
              ).toBe(false);
          // The end's year is on the axis (a date line, or the year under days).
          expect(boxes.some((b) => b.text.includes('2026'))).toBe(true);
          if (width === 800 && end === ENDS[0] && (range === '7d' || range === '30d'))
            await page.screenshot({ path: join(artifacts, `ui-axis-${range}.png`) });
        });
});
