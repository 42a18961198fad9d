/**
 * Tombstones written by the real Prometheus 2.42: promtool builds blocks, Prometheus deletes
 * series ranges through its admin API (writing `tombstones` files), and our reader must then
 * dump exactly what `promtool tsdb dump` prints — deleted samples gone.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMatcher } from '../../../core/labels/matcher.ts';
import { Block } from '../../../core/tsdb/block-reader.ts';
import { dumpBlocks } from '../../../core/tsdb/dump.ts';
import { listBlockDirs } from '../../../sidecar-agent/cli/tsdb-dump.ts';
import { FileBlockDir } from '../../../sidecar-agent/tsdb/file-source.ts';
import { generateOpenMetrics } from '../../fixtures/openmetrics-gen.ts';
import { promtoolCreateBlocks, promtoolDump } from '../../helpers/promtool.ts';
import { startPrometheusOnTsdb, type PrometheusHandle } from '../../helpers/prometheus-tsdb.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

let tmp: TmpDir;
let db: string;
let prom: PrometheusHandle | undefined;

beforeAll(async () => {
  tmp = await makeTmpDir('tsdb-tomb-');
  const gen = generateOpenMetrics({ seed: 5, hours: 3, scale: 0.2 });
  db = (await promtoolCreateBlocks(gen.text, tmp.path)).db;
  prom = await startPrometheusOnTsdb(db, tmp.path);
  const del = async (match: string, start?: number, end?: number) => {
    const q = new URLSearchParams({ 'match[]': match });
    if (start !== undefined) q.set('start', String(start));
    if (end !== undefined) q.set('end', String(end));
    const r = await fetch(`${prom!.url}/api/v1/admin/tsdb/delete_series?${q}`, { method: 'POST' });
    expect(r.status).toBe(204);
  };
  await del('http_requests_total{code="500"}', 1_700_001_000, 1_700_007_000); // across both blocks
  await del('edge_special_values{kind=~"k0[0-4]"}'); // whole series, no bounds
  await del('node_temperature_celsius{sensor="temp3"}', undefined, 1_700_002_000.5); // from the beginning
  await del('rpc_duration_seconds_count', 1_700_009_000); // to the end
  await prom.stop();
  prom = undefined;
});

afterAll(async () => {
  await prom?.stop();
  await tmp?.remove();
});

describe('tombstones written by Prometheus', () => {
  it('dump applies them exactly as promtool does', async () => {
    const blocks: Block[] = [];
    const dirs: FileBlockDir[] = [];
    let stones = 0;
    for (const id of await listBlockDirs(db)) {
      const d = new FileBlockDir(join(db, id));
      dirs.push(d);
      const b = await Block.open(d, { id });
      stones += b.tombstones.intervalCount;
      blocks.push(b);
    }
    expect(stones).toBeGreaterThan(10);
    const parts: string[] = [];
    await dumpBlocks(
      blocks,
      { mint: -Infinity, maxt: Infinity, matchers: [newMatcher('=~', '__name__', '.+')] },
      (s) => void parts.push(s),
    );
    await Promise.all(dirs.map((d) => d.close()));
    const got = parts.join('');
    const want = (await promtoolDump(db)).toString();
    expect(got.length).toBeGreaterThan(100_000);
    expect(got).not.toContain('edge_special_values{kind="k01"');
    expect(got === want).toBe(true);
  });
});
