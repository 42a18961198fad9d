/**
 * Blocks written by Prometheus itself from its head (the snapshot API uses the same path as
 * head compaction): Prometheus scrapes its own /metrics every second — real metric families,
 * histograms, summaries — then the target is removed (stale markers), a snapshot is taken, and
 * our dump of the snapshot must be byte-identical to `promtool tsdb dump` of it.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMatcher } from '../../core/labels/matcher.ts';
import { Block } from '../../core/tsdb/block-reader.ts';
import { dumpBlocks } from '../../core/tsdb/dump.ts';
import { headDataPresent, listBlockDirs } from '../../sidecar-agent/cli/tsdb-dump.ts';
import { FileBlockDir } from '../../sidecar-agent/tsdb/file-source.ts';
import { promtoolDump } from '../helpers/promtool.ts';
import { startPrometheusOnTsdb, type PrometheusHandle } from '../helpers/prometheus-tsdb.ts';
import { makeTmpDir, type TmpDir } from '../helpers/tmp.ts';

let tmp: TmpDir;
let prom: PrometheusHandle | undefined;
let snapshot: string;
let data: string;

beforeAll(async () => {
  tmp = await makeTmpDir('tsdb-snap-');
  data = join(tmp.path, 'data');
  await mkdir(data);
  prom = await startPrometheusOnTsdb(data, tmp.path);
  const target = new URL(prom.url).host;
  await prom.reload(
    `global: {scrape_interval: 1s}\nscrape_configs:\n  - job_name: self\n    static_configs: [{targets: ['${target}']}]\n`,
  );
  await new Promise((r) => setTimeout(r, 12_000));
  await prom.reload('global: {}\n'); // the target goes away: stale markers for all its series
  await new Promise((r) => setTimeout(r, 2_000));
  const r = await fetch(`${prom.url}/api/v1/admin/tsdb/snapshot`, { method: 'POST' });
  const body = (await r.json()) as { data: { name: string } };
  snapshot = join(data, 'snapshots', body.data.name);
  await prom.stop();
  prom = undefined;
  await mkdir(join(snapshot, 'wal'), { recursive: true }); // promtool dump opens the WAL dir
}, 120_000);

afterAll(async () => {
  await prom?.stop();
  await tmp?.remove();
});

describe('blocks Prometheus wrote from its head', () => {
  it('dump is byte-identical to promtool, stale markers included', async () => {
    const ids = await listBlockDirs(snapshot);
    expect(ids.length).toBeGreaterThanOrEqual(1);
    const blocks: Block[] = [];
    const dirs: FileBlockDir[] = [];
    for (const id of ids) {
      const d = new FileBlockDir(join(snapshot, id));
      dirs.push(d);
      blocks.push(await Block.open(d, { id }));
    }
    const parts: string[] = [];
    await dumpBlocks(
      blocks,
      { mint: -Infinity, maxt: Infinity, matchers: [newMatcher('=~', '__name__', '.+')] },
      (s) => void parts.push(s),
    );
    await Promise.all(dirs.map((d) => d.close()));
    const got = parts.join('');
    const want = (await promtoolDump(snapshot)).toString();
    expect(want).toMatch(/\{__name__="prometheus_http_requests_total", .*\} \d+ \d+\n/);
    expect(want).toMatch(/ NaN \d+\n/); // stale markers
    expect(got === want).toBe(true);
  });

  it('the CLI would warn about the live dir (WAL data) but not about the snapshot', async () => {
    expect(await headDataPresent(data)).toBe(join(data, 'wal'));
    expect(await headDataPresent(snapshot)).toBeUndefined();
  });
});
