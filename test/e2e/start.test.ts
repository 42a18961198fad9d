/**
 * `npm start` on a fresh data directory without Prometheus: within a minute or two the Worker
 * (wrangler dev) answers `up` and a `rate(...)` over the demo data through /api/v1/query_range,
 * and one SIGINT stops the whole stack.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTmpDir, type TmpDir } from '../helpers/tmp.ts';
import { freePort } from '../helpers/ports.ts';
import { remoteWriteBody, remoteWriteHeaders } from '../helpers/remote-write.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface RangeBody {
  status: string;
  data: {
    resultType: string;
    result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;
  };
}

describe('npm start (local stack, --no-prometheus)', () => {
  let tmp: TmpDir;
  let child: ChildProcess;
  let port: number;
  let output = '';
  let exited: Promise<number | null>;

  beforeAll(async () => {
    tmp = await makeTmpDir('thanos-edge-start-');
    port = await freePort();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      join(tmp.path, 'demo-rules.yml'),
      'groups:\n  - name: demo\n    interval: 5s\n    rules:\n      - record: job:up:count\n        expr: count by (job) (up)\n',
    );
    child = spawn(
      process.execPath,
      [
        join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        join(root, 'scripts', 'start.ts'),
        '--data-dir',
        tmp.path,
        '--port',
        String(port),
        '--s3-port',
        '0',
        '--no-prometheus',
        '--rules',
        join(tmp.path, 'demo-rules.yml'),
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    exited = new Promise((r) => child.once('exit', (code) => r(code)));
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    const until = Date.now() + 240_000;
    while (!output.includes('thanos-edge querier at')) {
      if (Date.now() > until || child.exitCode !== null)
        throw new Error(`stack did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 300_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGINT');
      await exited;
    }
    await tmp?.remove();
  });

  const rangeQuery = async (query: string): Promise<RangeBody> => {
    const end = Date.now() / 1000;
    const params = new URLSearchParams({
      query,
      start: String(end - 6 * 3600),
      end: String(end),
      step: '5m',
    });
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/query_range?${params}`);
    expect(res.status).toBe(200);
    return (await res.json()) as RangeBody;
  };

  it('answers up over the demo data, deduplicated across the HA pair', async () => {
    const body = await rangeQuery('up');
    expect(body.status).toBe('success');
    const instances = body.data.result.map((r) => r.metric.instance).sort();
    expect(instances).toEqual([
      'api-1:8080',
      'api-2:8080',
      'node-1:9100',
      'node-2:9100',
      'node-3:9100',
    ]);
    expect(
      body.data.result.every((r) => r.metric.replica === undefined && r.metric.cluster === 'demo'),
    ).toBe(true);
    expect(body.data.result[0]!.values.length).toBeGreaterThan(60);
  });

  it('answers a rate over the demo counters', async () => {
    const body = await rangeQuery('sum by (handler) (rate(http_requests_total[5m]))');
    expect(body.data.result.map((r) => r.metric.handler).sort()).toEqual([
      '/api/v1/orders',
      '/api/v1/search',
      '/api/v1/users',
      '/healthz',
    ]);
    for (const r of body.data.result)
      for (const [, v] of r.values) expect(Number(v)).toBeGreaterThan(0);
  });

  it('prints a remote-write URL that stores pushed samples, queryable beside the rest', async () => {
    const { readFile } = await import('node:fs/promises');
    const url = /remote write .*: (http:\/\/\S+\/api\/v1\/receive)/.exec(output)?.[1];
    expect(url).toBe(`http://127.0.0.1:${port}/api/v1/receive`);
    const token = (await readFile(join(tmp.path, 'store.token'), 'utf8')).trim();
    const now = Date.now();
    const pushed = await fetch(url!, {
      method: 'POST',
      headers: remoteWriteHeaders(token),
      body: remoteWriteBody([
        { labels: { __name__: 'pushed_total', job: 'push' }, samples: [[now - 1000, 42]] },
      ]),
    });
    expect(pushed.status).toBe(204);
    const res = await fetch(
      `http://127.0.0.1:${port}/api/v1/query?query=pushed_total&time=${now / 1000}`,
    );
    const body = (await res.json()) as {
      data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    expect(body.data.result.map((r) => [r.metric.tenant_id, r.value[1]])).toEqual([
      ['local-prometheus', '42'],
    ]);
  });

  it('runs the rule files given with --rules in the ruler', async () => {
    let rules: Array<{ name: string; rules: Array<{ name: string; health: string }> }> = [];
    for (let i = 0; i < 60; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/rules`);
      expect(res.status).toBe(200);
      rules = ((await res.json()) as { data: { groups: typeof rules } }).data.groups;
      if (rules[0]?.rules[0]?.health === 'ok') break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(rules.map((g) => [g.name, g.rules.map((r) => [r.name, r.health])])).toEqual([
      ['demo', [['job:up:count', 'ok']]],
    ]);
  });

  it('passes no secret on any command line (ps shows them to every user)', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const token = (await readFile(join(tmp.path, 'store.token'), 'utf8')).trim();
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    let checked = 0;
    for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
      const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (!cmd.includes(tmp.path)) continue;
      checked++;
      expect(cmd).not.toContain(token);
      expect(cmd).not.toContain('S3RVER');
    }
    // The launcher and wrangler dev at least carry the data directory.
    expect(checked).toBeGreaterThanOrEqual(2);
  });

  it('stops everything on one SIGINT', async () => {
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/-/healthy`)).rejects.toThrow();
  });
});
