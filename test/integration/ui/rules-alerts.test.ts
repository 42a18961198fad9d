/**
 * The /rules and /alerts pages in headless Chromium against the real Worker in workerd. With rules:
 * /api/v1/rules and /api/v1/alerts are answered by a FAKE (page.route) in Prometheus 2.42's shapes,
 * so every health and state shows at once; groups, rules and alerts must appear with their text
 * and colours. Without rules: the real Worker (no ruler bound) answers, and both pages say so.
 * Screenshots: test-artifacts/ui-rules.png, ui-alerts.png.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page, type Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';
import { ensureUiBuilt } from './ui-build.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const artifacts = join(root, 'test-artifacts');

const NEVER = '0001-01-01T00:00:00Z';
const EVAL = '2026-11-30T12:00:00.5Z';
const FIRING_SINCE = '2026-11-30T11:50:00Z';

const alert = (labels: Record<string, string>, state: string, activeAt: string, value: string) => ({
  labels,
  annotations: { summary: `load on ${labels.instance}` },
  state,
  activeAt,
  value,
});

/** FAKE ruler state: one rule in each health and each alert state. */
const FAKE_GROUPS = [
  {
    name: 'node',
    file: 'rules/node.yml',
    interval: 60,
    limit: 0,
    evaluationTime: 0.0123,
    lastEvaluation: EVAL,
    rules: [
      {
        name: 'instance:load1:avg',
        query: 'avg by (instance) (node_load1)',
        labels: {},
        health: 'ok',
        lastError: '',
        evaluationTime: 0.004,
        lastEvaluation: EVAL,
        type: 'recording',
      },
      {
        state: 'firing',
        name: 'HighLoad',
        query: 'instance:load1:avg > 4',
        duration: 300,
        keepFiringFor: 0,
        labels: { severity: 'page' },
        annotations: { summary: 'load on {{ $labels.instance }}' },
        alerts: [
          alert({ alertname: 'HighLoad', instance: 'a:9100' }, 'firing', FIRING_SINCE, '6.5e+00'),
          alert({ alertname: 'HighLoad', instance: 'b:9100' }, 'pending', EVAL, '4.25e+00'),
        ],
        health: 'ok',
        lastError: '',
        evaluationTime: 0.003,
        lastEvaluation: EVAL,
        type: 'alerting',
      },
    ],
  },
  {
    name: 'disk',
    file: 'rules/disk.yml',
    interval: 300,
    limit: 0,
    evaluationTime: 0,
    lastEvaluation: NEVER,
    rules: [
      {
        state: 'pending',
        name: 'DiskFilling',
        query: 'predict_linear(node_filesystem_free_bytes[1h], 4 * 3600) < 0',
        duration: 600,
        keepFiringFor: 0,
        labels: {},
        annotations: {},
        alerts: [
          alert({ alertname: 'DiskFilling', instance: 'c:9100' }, 'pending', EVAL, '-1e+09'),
        ],
        health: 'err',
        lastError: 'query timed out in expression evaluation',
        evaluationTime: 0.2,
        lastEvaluation: EVAL,
        type: 'alerting',
      },
      {
        state: 'inactive',
        name: 'DiskGone',
        query: 'absent(node_filesystem_size_bytes)',
        duration: 0,
        keepFiringFor: 0,
        labels: {},
        annotations: {},
        alerts: [],
        health: 'unknown',
        lastError: '',
        evaluationTime: 0,
        lastEvaluation: NEVER,
        type: 'alerting',
      },
    ],
  },
];

/** FAKE /api/v1/rules (with its type filter) and /api/v1/alerts over FAKE_GROUPS. */
async function fakeRulesApi(route: Route): Promise<void> {
  const url = new URL(route.request().url());
  const type = url.searchParams.get('type');
  const data =
    url.pathname === '/api/v1/alerts'
      ? {
          alerts: FAKE_GROUPS.flatMap((g) =>
            g.rules.flatMap((r) => ('alerts' in r ? (r.alerts ?? []) : [])),
          ),
        }
      : {
          groups: FAKE_GROUPS.map((g) => ({
            ...g,
            rules: g.rules.filter(
              (r) => !type || (type === 'alert' ? r.type === 'alerting' : r.type === 'recording'),
            ),
          })),
        };
  await route.fulfill({
    contentType: 'application/json',
    body: JSON.stringify({ status: 'success', data }),
  });
}

// The CSS colours of health and state (style.css), as getComputedStyle reports them.
const GREEN_BADGE = 'rgb(211, 242, 220)';
const RED_BADGE = 'rgb(248, 215, 213)';
const YELLOW_BADGE = 'rgb(255, 240, 194)';
const GREY_BADGE = 'rgb(233, 236, 239)';
const FIRING_BG = 'rgb(248, 215, 218)';
const PENDING_BG = 'rgb(255, 243, 205)';
const INACTIVE_BG = 'rgb(212, 237, 218)';

const background = (l: Locator) => l.evaluate((el) => getComputedStyle(el).backgroundColor);

describe('/rules and /alerts in headless Chromium', () => {
  let worker: WorkerHandle;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    // The test drives what the sources build to now, not a stale ui/dist.
    await ensureUiBuilt();
    await mkdir(artifacts, { recursive: true });
    worker = await startWorker({ ui: true, vars: { STORE_TOKEN: 't' } });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
  });

  const url = (path: string) => new URL(path, worker.url).toString();

  it('says there are no rules when the Worker has no ruler (real API)', async () => {
    const api = (await (await worker.fetch('/api/v1/rules')).json()) as {
      data: { groups: unknown[] };
    };
    expect(api.data.groups).toEqual([]);
    for (const path of ['/rules', '/alerts']) {
      await page.goto(url(path));
      await page.locator('.empty-state').waitFor();
      expect(await page.locator('.empty-state').innerText()).toContain('No rules');
      expect(await page.locator(`a[data-nav="${path.slice(1)}"]`).getAttribute('class')).toContain(
        'active',
      );
    }
  });

  it('shows rule groups with their rules, health and errors on /rules (fake API)', async () => {
    await page.route('**/api/v1/{rules,alerts}*', fakeRulesApi);
    try {
      await page.goto(url('/rules'));
      const groups = page.locator('.rule-group');
      await expect.poll(() => groups.count()).toBe(2);
      expect(
        await groups.evaluateAll((els) => els.map((e) => e.getAttribute('data-group'))),
      ).toEqual(['node', 'disk']);
      const node = page.locator('.rule-group[data-group="node"]');
      const meta = await node.locator('.rule-group-meta').innerText();
      expect(meta).toContain('file: rules/node.yml');
      expect(meta).toContain('interval: 1m');
      expect(meta).toContain('evaluation time: 12.3ms');
      const disk = page.locator('.rule-group[data-group="disk"]');
      expect(await disk.locator('.rule-group-meta').innerText()).toContain(
        'last evaluation: never',
      );
      expect(await disk.locator('.rule-group-meta').innerText()).toContain('interval: 5m');

      const rec = node.locator('.rule[data-rule="instance:load1:avg"]');
      expect(await rec.locator('.rule-def').innerText()).toContain(
        'record: instance:load1:avg\nexpr: avg by (instance) (node_load1)',
      );
      const high = node.locator('.rule[data-rule="HighLoad"]');
      const def = await high.locator('.rule-def').innerText();
      for (const line of [
        'alert: HighLoad',
        'expr: instance:load1:avg > 4',
        'for: 5m',
        'severity: page',
        'summary: load on {{ $labels.instance }}',
      ])
        expect(def).toContain(line);

      const health = (rule: string) => page.locator(`.rule[data-rule="${rule}"] .badge`);
      expect(await health('HighLoad').innerText()).toBe('OK');
      expect(await background(health('HighLoad'))).toBe(GREEN_BADGE);
      expect(await health('DiskFilling').innerText()).toBe('ERR');
      expect(await background(health('DiskFilling'))).toBe(RED_BADGE);
      expect(await health('DiskGone').innerText()).toBe('UNKNOWN');
      expect(await background(health('DiskGone'))).toBe(GREY_BADGE);
      expect(await page.locator('.rule[data-rule="DiskFilling"] .last-error').innerText()).toBe(
        'query timed out in expression evaluation',
      );
      expect(await page.locator('.rule[data-rule="DiskGone"] td').nth(3).innerText()).toBe('never');
      await page.screenshot({ path: join(artifacts, 'ui-rules.png'), fullPage: true });
    } finally {
      await page.unroute('**/api/v1/{rules,alerts}*', fakeRulesApi);
    }
  });

  it('shows alerting rules by state, coloured and expandable, on /alerts (fake API)', async () => {
    await page.route('**/api/v1/{rules,alerts}*', fakeRulesApi);
    try {
      const request = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/v1/rules');
      await page.goto(url('/alerts'));
      expect(new URL((await request).url()).searchParams.get('type')).toBe('alert');
      const rules = page.locator('.alert-rule');
      await expect.poll(() => rules.count()).toBe(3);
      // The recording rule is not an alert.
      expect(await page.locator('.alert-rule[data-rule="instance:load1:avg"]').count()).toBe(0);

      const filter = (s: string) => page.locator(`.alert-filter[data-state="${s}"]`);
      expect(await filter('firing').innerText()).toContain('Firing (1)');
      expect(await filter('pending').innerText()).toContain('Pending (1)');
      expect(await filter('inactive').innerText()).toContain('Inactive (1)');
      expect(await background(filter('firing'))).toBe(FIRING_BG);
      expect(await background(filter('pending'))).toBe(PENDING_BG);
      expect(await background(filter('inactive'))).toBe(INACTIVE_BG);

      const summary = (rule: string) => page.locator(`.alert-rule[data-rule="${rule}"] > summary`);
      expect(await background(summary('HighLoad'))).toBe(FIRING_BG);
      expect(await background(summary('DiskFilling'))).toBe(PENDING_BG);
      expect(await background(summary('DiskGone'))).toBe(INACTIVE_BG);
      expect(await summary('HighLoad').innerText()).toContain('HighLoad (2 active)');
      expect(await summary('DiskGone').innerText()).toContain('DiskGone (0 active)');

      // Collapsed until clicked; then the rule's alerts with labels, state, active since, value.
      const high = page.locator('.alert-rule[data-rule="HighLoad"]');
      const rows = high.locator('.alert-row');
      expect(await rows.first().isVisible()).toBe(false);
      await summary('HighLoad').click();
      await expect.poll(() => rows.first().isVisible()).toBe(true);
      const shown = await rows.evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
      );
      expect(shown).toEqual([
        ['alertname="HighLoad"instance="a:9100"', 'FIRING', '2026-11-30 11:50:00 UTC', '6.5e+00'],
        ['alertname="HighLoad"instance="b:9100"', 'PENDING', '2026-11-30 12:00:00 UTC', '4.25e+00'],
      ]);
      expect(await background(rows.nth(0).locator('.badge.state-firing'))).toBe(RED_BADGE);
      expect(await background(rows.nth(1).locator('.badge.state-pending'))).toBe(YELLOW_BADGE);
      expect(await high.locator('.rule-def').innerText()).toContain('for: 5m');
      await page.screenshot({ path: join(artifacts, 'ui-alerts.png'), fullPage: true });

      // The state checkboxes filter the list.
      await filter('inactive').locator('input').uncheck();
      await expect.poll(() => rules.count()).toBe(2);
      expect(await page.locator('.alert-rule[data-rule="DiskGone"]').count()).toBe(0);
    } finally {
      await page.unroute('**/api/v1/{rules,alerts}*', fakeRulesApi);
    }
  });
});
