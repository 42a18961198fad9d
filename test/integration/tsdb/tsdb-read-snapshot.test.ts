/**
 * Data written by Prometheus itself: it scrapes its own /metrics every 200 ms — real metric
 * families, histograms, summaries — then the target is removed (stale markers) and a snapshot
 * is taken (blocks written from the head, as head compaction writes them). Our dump of the
 * snapshot, and of the live data dir (m-mapped head chunks + WAL replay), must be
 * byte-identical to `promtool tsdb dump` of the same directory.
 */
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMatcher } from '../../../core/labels/matcher.ts';
import { Block } from '../../../core/tsdb/block-reader.ts';
import { dumpBlocks } from '../../../core/tsdb/dump.ts';
import { listBlockDirs, runDump } from '../../../sidecar-agent/cli/tsdb-dump.ts';
import { FileBlockDir } from '../../../sidecar-agent/tsdb/file-source.ts';
import { CorruptBlockError } from '../../../core/errors.ts';
import { replayHead } from '../../../core/tsdb/wal/head-replay.ts';
import type { WalSegment } from '../../../core/tsdb/wal/wal-reader.ts';
import { generateOpenMetrics } from '../../fixtures/openmetrics-gen.ts';
import { promtoolCreateBlocks, promtoolDump } from '../../helpers/promtool.ts';
import { startPrometheusOnTsdb, type PrometheusHandle } from '../../helpers/prometheus-tsdb.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { Random } from '../../helpers/random.ts';

let tmp: TmpDir;
let prom: PrometheusHandle | undefined;
let snapshot: string;
let data: string;

beforeAll(async () => {
  tmp = await makeTmpDir('tsdb-snap-');
  // Start from a dir that already holds (old) promtool blocks, so dumps merge blocks and head.
  const gen = generateOpenMetrics({ seed: 3, hours: 1, scale: 0.1 });
  data = (await promtoolCreateBlocks(gen.text, tmp.path)).db;
  prom = await startPrometheusOnTsdb(data, tmp.path);
  const target = new URL(prom.url).host;
  await prom.reload(
    `global: {scrape_interval: 200ms}\nscrape_configs:\n  - job_name: self\n    static_configs: [{targets: ['${target}']}]\n`,
  );
  // 200 ms × 30 s: past 120 samples per series, so full chunks get m-mapped to chunks_head. A
  // loaded machine scrapes less often: wait on until a chunk is there (the file past its header).
  await new Promise((r) => setTimeout(r, 30_000));
  for (let i = 0; ; i++) {
    const files = await readdir(join(data, 'chunks_head')).catch((): string[] => []);
    const sizes = await Promise.all(files.map((f) => stat(join(data, 'chunks_head', f))));
    if (sizes.some((st) => st.size > 8)) break;
    if (i >= 120) throw new Error('Prometheus m-mapped no head chunk within 90 s');
    await new Promise((r) => setTimeout(r, 500));
  }
  await prom.reload('global: {}\n'); // the target goes away: stale markers for all its series
  await new Promise((r) => setTimeout(r, 2_000));
  const r = await fetch(`${prom.url}/api/v1/admin/tsdb/snapshot`, { method: 'POST' });
  const body = (await r.json()) as { data: { name: string } };
  snapshot = join(data, 'snapshots', body.data.name);
  await prom.stop();
  prom = undefined;
  await mkdir(join(snapshot, 'wal'), { recursive: true }); // promtool dump opens the WAL dir
}, 180_000);

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

  it('the live data dir (m-mapped head chunks + WAL) dumps as promtool replays it', async () => {
    const heads = await readdir(join(data, 'chunks_head'));
    expect(heads.length).toBeGreaterThan(0);
    await mkdir(join(data, 'wal'), { recursive: true });
    const want = (await promtoolDump(data)).toString();
    expect(want.split('\n').length).toBeGreaterThan(10_000);
    const parts: string[] = [];
    await runDump(
      { db: data, mint: -Infinity, maxt: Infinity, match: '{__name__=~".+"}' },
      (x) => void parts.push(x),
    );
    const got = parts.join('');
    expect(got.length).toBe(want.length);
    expect(got === want).toBe(true);
  });

  it('and with time and matcher filters (a lone head querier keeps creation order)', async () => {
    const lines = (await promtoolDump(data, { match: 'up' })).toString().trim().split('\n');
    const mid = Number(lines[Math.floor(lines.length / 2)]!.split(' ').at(-1)!);
    const cases: { match?: string; minTime?: number; maxTime?: number }[] = [
      { match: '{__name__=~"prometheus_tsdb.*|up"}', minTime: mid, maxTime: mid + 5000 },
      { minTime: mid },
      { maxTime: mid },
      { match: 'up' },
    ];
    for (const flags of cases) {
      const want = (await promtoolDump(data, flags)).toString();
      const parts: string[] = [];
      await runDump(
        {
          db: data,
          mint: flags.minTime ?? -(2 ** 63),
          maxt: flags.maxTime ?? 2 ** 63,
          match: flags.match ?? "{__name__=~'(?s:.*)'}",
        },
        (x) => void parts.push(x),
      );
      expect(want.length, JSON.stringify(flags)).toBeGreaterThan(100);
      expect(parts.join('') === want, JSON.stringify(flags)).toBe(true);
    }
  });

  it('a corrupted WAL or head chunk file fails with CorruptBlockError only', async () => {
    const load = async (dir: string, label: string): Promise<WalSegment[]> => {
      const names = (await readdir(dir)).filter((n) => /^\d+$/.test(n)).sort();
      return Promise.all(
        names.map(async (n) => ({
          name: `${label}/${n}`,
          bytes: new Uint8Array(await readFile(join(dir, n))),
        })),
      );
    };
    const segments = await load(join(data, 'wal'), 'wal');
    const headChunks = await load(join(data, 'chunks_head'), 'chunks_head');
    expect(
      replayHead({ checkpoint: [], segments, headChunks, minValidTime: -Infinity }).series.length,
    ).toBeGreaterThan(100);
    const rnd = new Random(77);
    let corrupt = 0;
    for (let it = 0; it < 300; it++) {
      const segs = segments.map((s) => ({ ...s, bytes: s.bytes.slice() }));
      const hcs = headChunks.map((s) => ({ ...s, bytes: s.bytes.slice() }));
      const all = [...segs, ...hcs].filter((s) => s.bytes.length > 0);
      const f = all[rnd.int(all.length)]!;
      if (rnd.chance(0.3)) f.bytes = f.bytes.slice(0, rnd.int(f.bytes.length));
      else
        for (let k = 0, n = 1 + rnd.int(4); k < n; k++)
          f.bytes[rnd.int(f.bytes.length)] ^= 1 << rnd.int(8);
      try {
        replayHead({ checkpoint: [], segments: segs, headChunks: hcs, minValidTime: -Infinity });
      } catch (err) {
        if (!(err instanceof CorruptBlockError))
          throw new Error(`iteration ${it}: ${String(err)}`, { cause: err });
        corrupt++;
      }
    }
    expect(corrupt).toBeGreaterThan(100);
  });
});
