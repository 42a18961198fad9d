/**
 * Blocks written by core/tsdb/writer are read by the real Prometheus 2.42 tools: `promtool tsdb
 * analyze` accepts them, `promtool tsdb dump` returns exactly the written samples (NaN, ±Inf, -0,
 * stale markers, extreme values, unicode labels, several chunk segments), and a Prometheus server
 * started on a copy of the directory answers instant queries with the exact values (and hides a
 * series at its stale marker, which tells a stale NaN from an ordinary NaN).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STALE_NAN, isStaleNaN } from '../../../core/chunkenc/stale.ts';
import { compareLabels, labelsFrom, type Labels } from '../../../core/labels/labels.ts';
import { goFormatFloat, goParseFloat } from '../../../core/gocompat/strconv.ts';
import { readGoString } from '../../../core/gocompat/unquote.ts';
import { parseMeta, type BlockMeta } from '../../../core/tsdb/meta.ts';
import { writeBlock, type SeriesSamples } from '../../../core/tsdb/writer/block-writer.ts';
import { dirSinkFactory } from '../../../sidecar-agent/tsdb/dir-sink.ts';
import { bucketSinkFactory } from '../../../core/block/bucket-sink.ts';
import { FilesystemBucket } from '../../../sidecar-agent/objstore/filesystem.ts';
import { run, PROMTOOL } from '../../helpers/promtool.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { Random } from '../../helpers/random.ts';
import { freePort } from '../../helpers/ports.ts';

const PROMETHEUS = process.env.PROMETHEUS ?? '/usr/bin/prometheus';
const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

interface Expected {
  labels: Labels;
  t: Float64Array;
  v: Float64Array;
}

/** Parses `promtool tsdb dump` lines: `{a="b", c="d"} <%g value> <ms>`. */
export function parseDump(text: string): { labels: Labels; v: number; t: number }[] {
  const out: { labels: Labels; v: number; t: number }[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const pairs: [string, string][] = [];
    let i = 1;
    while (line[i] !== '}') {
      const eq = line.indexOf('=', i);
      const name = line.slice(i, eq);
      const { value, end } = readGoString(line, eq + 1);
      pairs.push([name, value]);
      i = end;
      if (line[i] === ',') i += 2;
    }
    const [v, t] = line.slice(i + 2).split(' ');
    out.push({ labels: labelsFrom(pairs), v: goParseFloat(v!), t: Number(t) });
  }
  return out;
}

/**
 * Prometheus's JSON sample value (util/jsonutil MarshalValue): strconv.AppendFloat with 'f', or
 * 'e' when 0 < |v| < 1e-6 or |v| >= 1e21; NaN, +Inf, -Inf spelled out.
 */
function promValue(v: number): string {
  const a = Math.abs(v);
  return goFormatFloat(v, a !== 0 && (a < 1e-6 || a >= 1e21) ? 'e' : 'f', -1);
}

function sameValue(a: number, b: number): boolean {
  return Number.isNaN(a) ? Number.isNaN(b) : Object.is(a, b);
}

function buildSeries(): Expected[] {
  const rnd = new Random(42);
  const out: Expected[] = [];
  const add = (labels: Record<string, string>, t: number[], v: number[]) =>
    out.push({ labels: labelsFrom(labels), t: Float64Array.from(t), v: Float64Array.from(v) });
  // Long regular series: many chunks (120-sample cuts) across chunk-range boundaries.
  for (let s = 0; s < 20; s++) {
    const t: number[] = [];
    const v: number[] = [];
    let x = 0;
    for (let i = 0; i < 1500; i++) {
      t.push(T0 + s * 1000 + i * 15_000);
      x += rnd.int(100);
      v.push(s % 2 ? x : rnd.next() * 1e6 - 5e5);
    }
    add({ __name__: s % 2 ? 'req_total' : 'temp', job: 'api', instance: `host-${s}` }, t, v);
  }
  // Special values; the stale marker must be stored bit-exactly (set through the typed array).
  const specials = [
    1,
    NaN,
    Infinity,
    -Infinity,
    -0,
    0,
    5e-324,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    0.1 + 0.2,
    1e21,
    1.5e-7,
    42,
    0,
    7,
  ];
  const sp: Expected = {
    labels: labelsFrom({ __name__: 'special', kind: 'values' }),
    t: Float64Array.from(specials, (_, i) => T0 + i * 60_000),
    v: Float64Array.from(specials),
  };
  sp.v[12] = STALE_NAN;
  out.push(sp);
  // Irregular timestamps with long gaps (beyond the 2h chunk range) and millisecond steps.
  const it: number[] = [];
  let tt = T0 - 5 * HOUR;
  for (let i = 0; i < 700; i++) {
    tt += rnd.chance(0.02) ? Math.floor(rnd.next() * 3 * HOUR) : 1 + rnd.int(20_000);
    it.push(tt);
  }
  add(
    { __name__: 'irregular', path: '/a"b\\c\nd', uni: 'héllo ✓ 𝄞 \u00ad' },
    it,
    it.map((x) => (x % 1000) / 7),
  );
  // Many one-sample series (postings with many values).
  for (let s = 0; s < 300; s++)
    add({ __name__: 'tiny', id: String(s).padStart(3, '0'), zone: `z${s % 3}` }, [T0 + s], [s]);
  return out;
}

describe('writeBlock output read by promtool and Prometheus 2.42', () => {
  let tmp: TmpDir;
  let db: string;
  let meta: BlockMeta;
  let expected: Expected[];
  let prom: ChildProcess | undefined;
  let promUrl = '';

  beforeAll(async () => {
    tmp = await makeTmpDir('tsdb-write-');
    db = join(tmp.path, 'db');
    await mkdir(join(db, 'wal'), { recursive: true });
    expected = buildSeries();
    const series: SeriesSamples[] = expected.map((e) => ({
      labels: e.labels,
      timestamps: e.t,
      values: e.v,
    }));
    // A small segment size forces several chunk files.
    const m = await writeBlock(dirSinkFactory(db), series, {
      segmentSize: 64 * 1024,
      thanos: { labels: { cluster: 'eu1' }, downsample: { resolution: 0 }, source: 'test' },
    });
    expect(m).toBeDefined();
    meta = m!;
  });

  afterAll(async () => {
    if (prom && prom.exitCode === null) {
      const exited = new Promise((r) => prom!.once('exit', r));
      prom.kill('SIGTERM');
      await exited;
    }
    await tmp?.remove();
  });

  it('writes meta.json last-style metadata that matches the files', async () => {
    const dir = join(db, meta.ulid);
    const onDisk = parseMeta(await readFile(join(dir, 'meta.json')), meta.ulid);
    expect(onDisk.minTime).toBe(Math.min(...expected.map((e) => e.t[0]!)));
    expect(onDisk.maxTime).toBe(Math.max(...expected.map((e) => e.t[e.t.length - 1]!)) + 1);
    expect(onDisk.stats.numSeries).toBe(expected.length);
    expect(onDisk.stats.numSamples).toBe(expected.reduce((n, e) => n + e.t.length, 0));
    expect(onDisk.compaction).toEqual({ level: 1, sources: [meta.ulid] });
    const segs = (await readdir(join(dir, 'chunks'))).sort();
    expect(segs.length).toBeGreaterThan(1);
    expect(segs[0]).toBe('000001');
    const files = onDisk.thanos!.files!;
    for (const f of files) {
      if (f.rel_path === 'meta.json') continue;
      expect((await stat(join(dir, f.rel_path))).size, f.rel_path).toBe(f.size_bytes);
    }
    expect(files.map((f) => f.rel_path)).toEqual([
      ...segs.map((s) => `chunks/${s}`),
      'index',
      'meta.json',
    ]);
    // No temporary directory is left behind.
    expect((await readdir(db)).sort()).toEqual([meta.ulid, 'wal'].sort());
  });

  it('promtool tsdb analyze accepts the block', async () => {
    const r = await run(PROMTOOL, ['tsdb', 'analyze', db, meta.ulid]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout.toString();
    expect(out).toContain(`Block ID: ${meta.ulid}`);
    expect(out).toContain(`Series: ${expected.length}`);
  });

  it('promtool tsdb dump returns exactly the written samples', async () => {
    const r = await run(PROMTOOL, ['tsdb', 'dump', db]);
    expect(r.code, r.stderr).toBe(0);
    const got = parseDump(r.stdout.toString());
    const want = [...expected].sort((a, b) => compareLabels(a.labels, b.labels));
    let k = 0;
    for (const e of want) {
      for (let i = 0; i < e.t.length; i++, k++) {
        const g = got[k];
        expect(g, `sample ${k}`).toBeDefined();
        expect(g!.labels).toEqual(e.labels);
        expect(g!.t).toBe(e.t[i]);
        if (!sameValue(g!.v, e.v[i]!))
          expect.fail(`${JSON.stringify(e.labels)} @${e.t[i]}: got ${g!.v}, want ${e.v[i]}`);
      }
    }
    expect(got.length).toBe(k);
  });

  it('a Prometheus 2.42 server on a copy answers instant queries with the exact values', async () => {
    const data = join(tmp.path, 'prom-data');
    await cp(join(db, meta.ulid), join(data, meta.ulid), { recursive: true });
    const cfg = join(tmp.path, 'prometheus.yml');
    await writeFile(cfg, 'global: {}\nscrape_configs: []\n');
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prom = spawn(
      PROMETHEUS,
      [
        `--config.file=${cfg}`,
        `--storage.tsdb.path=${data}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=100y',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    prom.stderr!.on('data', (b: Buffer) => (log += b.toString()));
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`${promUrl}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline || prom.exitCode !== null)
        throw new Error(`prometheus not ready: ${log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const query = async (q: string, t: number) => {
      const u = `${promUrl}/api/v1/query?query=${encodeURIComponent(q)}&time=${t / 1000}`;
      const body = (await (await fetch(u)).json()) as {
        status: string;
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      expect(body.status).toBe('success');
      return body.data.result;
    };
    const rnd = new Random(7);
    const picks: [Expected, number][] = [];
    for (const e of expected) {
      const n = e.labels.some((l) => l.value === 'tiny') ? 0 : 6;
      for (let j = 0; j < n; j++) picks.push([e, rnd.int(e.t.length)]);
    }
    const sp = expected.find((e) => e.labels.some((l) => l.value === 'special'))!;
    for (let i = 0; i < sp.t.length; i++) picks.push([sp, i]);
    picks.push([expected.find((e) => e.labels.some((l) => l.value === 'tiny'))!, 0]);
    for (const [e, i] of picks) {
      const sel = `{${e.labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(',')}}`;
      const res = await query(sel, e.t[i]!);
      if (isStaleNaN(e.v, i)) {
        // A stale marker ends the series: no result at its timestamp.
        expect(res, `${sel} @${e.t[i]}`).toEqual([]);
        continue;
      }
      expect(res.length, `${sel} @${e.t[i]}`).toBe(1);
      expect(res[0]!.value[1], `${sel} @${e.t[i]}`).toBe(promValue(e.v[i]!));
    }
    // After the stale marker, the next sample brings the series back.
    const after = await query('special', sp.t[13]!);
    expect(after.map((r) => r.value[1])).toEqual(['0']);
  });

  it('a block written through a bucket sink (filesystem bucket) is the same block', async () => {
    const root = join(tmp.path, 'bucket');
    await mkdir(root, { recursive: true });
    const bucket = new FilesystemBucket(root);
    const series: SeriesSamples[] = expected.map((e) => ({
      labels: e.labels,
      timestamps: e.t,
      values: e.v,
    }));
    const m = await writeBlock(bucketSinkFactory(bucket), series, {
      segmentSize: 64 * 1024,
      tombstones: false,
      ulid: meta.ulid,
    });
    expect(m!.stats).toEqual(meta.stats);
    // Same ULID and inputs: the bytes equal the directory sink's (meta.json aside: no thanos section).
    for (const f of await readdir(join(db, meta.ulid, 'chunks'))) {
      const a = await readFile(join(db, meta.ulid, 'chunks', f));
      const b = await readFile(join(root, meta.ulid, 'chunks', f));
      expect(Buffer.compare(a, b), f).toBe(0);
    }
    expect(
      Buffer.compare(
        await readFile(join(db, meta.ulid, 'index')),
        await readFile(join(root, meta.ulid, 'index')),
      ),
    ).toBe(0);
    await mkdir(join(root, 'wal'), { recursive: true });
    const r = await run(PROMTOOL, ['tsdb', 'analyze', root, meta.ulid]);
    expect(r.code, r.stderr).toBe(0);
  });
});
