/**
 * Differential tests of the block reader against Prometheus 2.42: promtool builds blocks from
 * the seeded OpenMetrics fixture; every sample read back must equal the input, `tsdb dump`
 * output must be byte-identical to `promtool tsdb dump` (with and without time and matcher
 * filters), and PostingsForMatchers must select exactly the series promtool's --match does.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goQuote } from '../../../core/gocompat/quote.ts';
import { newMatcher, type MatchType } from '../../../core/labels/matcher.ts';
import { Block, type BlockDir } from '../../../core/tsdb/block-reader.ts';
import type { ByteSource } from '../../../core/tsdb/source.ts';
import { dumpBlocks, promLabelsString } from '../../../core/tsdb/dump.ts';
import { decodeSeriesSamples } from '../../../core/tsdb/series-samples.ts';
import { FileBlockDir, FileSource } from '../../../sidecar-agent/tsdb/file-source.ts';
import {
  generateOpenMetrics,
  omValue,
  seriesKey,
  type GeneratedOpenMetrics,
} from '../../fixtures/openmetrics-gen.ts';
import { promtoolCreateBlocks, promtoolDump, run } from '../../helpers/promtool.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import { Random } from '../../helpers/random.ts';

let tmp: TmpDir;
let gen: GeneratedOpenMetrics;
let db: string;
let blocks: Block[];
const dirs: FileBlockDir[] = [];

beforeAll(async () => {
  tmp = await makeTmpDir('tsdb-read-');
  gen = generateOpenMetrics({ seed: 42, hours: 3 });
  const made = await promtoolCreateBlocks(gen.text, tmp.path);
  db = made.db;
  blocks = [];
  for (const id of made.blocks) {
    const d = new FileBlockDir(join(db, id));
    dirs.push(d);
    blocks.push(await Block.open(d, { id }));
  }
});

afterAll(async () => {
  await Promise.all(dirs.map((d) => d.close()));
  await tmp?.remove();
});

type M = [MatchType, string, string];
const matchers = (ms: readonly M[]) => ms.map(([t, n, v]) => newMatcher(t, n, v));
/** The selector text promtool parses for the same matchers. */
const selector = (ms: readonly M[]) =>
  `{${ms.map(([t, n, v]) => `${n}${t}${goQuote(v)}`).join(', ')}}`;
const ALL: M[] = [['=~', '__name__', '(?s:.*)']];

async function ourDump(ms: readonly M[], mint = -Infinity, maxt = Infinity): Promise<Buffer> {
  const parts: string[] = [];
  await dumpBlocks(blocks, { mint, maxt, matchers: matchers(ms) }, (s) => void parts.push(s));
  return Buffer.from(parts.join(''));
}

describe('block reader vs promtool-written blocks', () => {
  it('opens the blocks promtool wrote with their meta', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    let samples = 0;
    for (const b of blocks) samples += b.meta.stats.numSamples ?? 0;
    expect(samples).toBe(gen.samples);
    expect(gen.series.size).toBeGreaterThanOrEqual(1000);
  });

  it('reads back every sample bit-exactly (NaN equals NaN)', async () => {
    const got = new Map<string, { t: number[]; v: number[] }>();
    for (const b of blocks) {
      for await (const s of b.select(matchers(ALL), -Infinity, Infinity)) {
        const samples = decodeSeriesSamples(s, -Infinity, Infinity, b.id);
        const key = seriesKey(s.labels);
        let g = got.get(key);
        if (!g) got.set(key, (g = { t: [], v: [] }));
        for (let i = 0; i < samples.length; i++) {
          g.t.push(samples.t[i]!);
          g.v.push(samples.v[i]!);
        }
      }
    }
    expect([...got.keys()].sort()).toEqual([...gen.series.keys()].sort());
    let mismatches = 0;
    for (const [key, want] of gen.series) {
      const g = got.get(key)!;
      expect(g.t, key).toEqual(want.t);
      for (let i = 0; i < want.v.length; i++) {
        const a = g.v[i]!;
        const b = want.v[i]!;
        if (!(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)))) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });

  it('tsdb dump is byte-identical to promtool tsdb dump', async () => {
    const [want, got] = await Promise.all([promtoolDump(db), ourDump(ALL)]);
    expect(want.length).toBeGreaterThan(1_000_000);
    expect(got.equals(want)).toBe(true);
  });

  const timeCases: [string, number, number][] = [
    ['inside the first block', 1_700_000_900_000, 1_700_003_000_000],
    ['across the block boundary', 1_700_006_000_000, 1_700_007_000_123],
    ['a single millisecond', 1_700_006_400_000, 1_700_006_400_000],
    ['before all data', 1_600_000_000_000, 1_600_000_100_000],
  ];
  for (const [name, mint, maxt] of timeCases) {
    it(`dump with --min-time/--max-time ${name}`, async () => {
      const [want, got] = await Promise.all([
        promtoolDump(db, { minTime: mint, maxTime: maxt }),
        ourDump(ALL, mint, maxt),
      ]);
      expect(got.toString()).toBe(want.toString());
    });
  }

  const matchCases: M[][] = [
    [['=', '__name__', 'edge_special_values']],
    [
      ['=', '__name__', 'http_requests_total'],
      ['=', 'code', '500'],
      ['!=', 'method', 'GET'],
    ],
    [
      ['=~', '__name__', 'rpc_.*'],
      ['=', 'le', '+Inf'],
    ],
    [['=', 'path', '']],
    [
      ['=', '__name__', 'edge_special_values'],
      ['=', 'path', ''],
    ],
    [['!=', 'path', '/']],
    [
      ['=~', 'path', '/.*'],
      ['!~', 'path', '/api.*'],
    ],
    [['=~', 'path', '|/über']],
    [['!~', 'path', '.+']],
    [
      ['=~', 'instance', 'host-[0-3]:9100'],
      ['=~', '__name__', 'node_.*'],
      ['=~', 'sensor', 'temp1.'],
    ],
    [['=', 'nonexistent', 'x']],
    [['=', 'nonexistent', '']],
    [
      ['!=', 'nonexistent', ''],
      ['=~', '__name__', '.+'],
    ],
    [
      ['=~', '__name__', '.+'],
      ['!=', 'code', ''],
    ],
    [['=', 'path', 'line\nbreak']],
    [['=', 'path', '/a"b\\c']],
    [
      ['=~', 'service', 'auth|cart'],
      ['!~', 'le', '0\\.0.*|\\+Inf'],
      ['=~', 'instance', '.*-7:.*'],
    ],
    [
      ['=~', 'kind', 'k0.'],
      ['!=', 'kind', 'k03'],
      ['=~', 'kind', '.*[0-5]'],
    ],
  ];
  for (const ms of matchCases) {
    it(`dump --match=${JSON.stringify(selector(ms))} with a time window`, async () => {
      const flags = { match: selector(ms), minTime: 1_700_005_000_000, maxTime: 1_700_008_000_000 };
      const [want, got] = await Promise.all([
        promtoolDump(db, flags),
        ourDump(ms, flags.minTime, flags.maxTime),
      ]);
      expect(got.toString()).toBe(want.toString());
    });
  }

  it('postingsForMatchers selects exactly the series the matchers accept (absent label = "")', async () => {
    // promtool's --match selection is checked by the dumps above; here every case is checked
    // over the whole time range against the fixture's own label sets.
    for (const ms of matchCases) {
      const ml = matchers(ms);
      const want = new Set<string>();
      for (const s of gen.series.values()) {
        const get = (n: string) => s.labels.find((l) => l.name === n)?.value ?? '';
        if (ml.every((m) => m.matches(get(m.name)))) want.add(promLabelsString(s.labels));
      }
      const got = new Set<string>();
      for (const b of blocks) {
        const refs = await b.index.postingsForMatchers(ml);
        for (const s of await b.index.seriesBatch(refs)) got.add(promLabelsString(s.labels));
      }
      expect([...got].sort(), selector(ms)).toEqual([...want].sort());
    }
  });
});

describe('thanos-edge tsdb dump (the CLI)', () => {
  const bin = join(import.meta.dirname, '../../../sidecar-agent/bin/thanos-edge.mjs');
  const cases: string[][] = [
    [],
    [
      '--min-time=1700003000000',
      '--max-time',
      '1700007200000',
      '--match={__name__=~"rpc.*|edge.*", le!="0.5"}',
    ],
    ['--match', 'http_requests_total{path=~"/a.*"}'],
    ['--match={path=""}', '--min-time=1700010000000'],
  ];
  for (const args of cases) {
    it(`prints what promtool prints for ${JSON.stringify(args)}`, async () => {
      const [want, got] = await Promise.all([
        run('/usr/bin/promtool', ['tsdb', 'dump', ...args, db]),
        run(process.execPath, [bin, 'tsdb', 'dump', ...args, db]),
      ]);
      expect(want.code).toBe(0);
      expect(got.stderr).toBe('');
      expect(got.code).toBe(0);
      expect(want.stdout.length).toBeGreaterThan(0);
      expect(got.stdout.equals(want.stdout)).toBe(true);
    });
  }

  it('rejects a bad selector and a bad time flag like a usage error', async () => {
    const bad = await run(process.execPath, [bin, 'tsdb', 'dump', '--match={a=~"("}', db]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/tsdb dump/);
    const badTime = await run(process.execPath, [bin, 'tsdb', 'dump', '--min-time=abc', db]);
    expect(badTime.code).toBe(2);
  });
});

describe('range reads', () => {
  /** A block dir that records every read. */
  function countingDir(path: string) {
    const reads: { file: string; offset: number; length: number }[] = [];
    const sources: FileSource[] = [];
    const dir: BlockDir = {
      async open(name: string): Promise<ByteSource> {
        const f = new FileSource(join(path, name), name);
        sources.push(f);
        return {
          name,
          size: () => f.size(),
          read: async (offset, length) => {
            reads.push({ file: name, offset, length });
            return f.read(offset, length);
          },
        };
      },
    };
    return { dir, reads, close: () => Promise.all(sources.map((s) => s.close())) };
  }

  it('opening reads only the index header; one series costs a few small reads', async () => {
    const id = blocks[0]!.id;
    const c = countingDir(join(db, id));
    const b = await Block.open(c.dir, { id });
    const indexReads = c.reads.filter((r) => r.file === 'index');
    // TOC, then header+symbols and the postings offset table together.
    expect(indexReads.length).toBe(3);
    const openBytes = indexReads.reduce((n, r) => n + r.length, 0);
    expect(openBytes).toBeLessThan(b.index.size / 2);
    expect(c.reads.some((r) => r.file.startsWith('chunks/'))).toBe(false);

    c.reads.length = 0;
    const got = [];
    for await (const s of b.select(
      matchers([
        ['=', '__name__', 'edge_special_values'],
        ['=', 'kind', 'k07'],
      ]),
      -Infinity,
      Infinity,
    ))
      got.push(s);
    expect(got.length).toBe(1);
    const bytes = c.reads.reduce((n, r) => n + r.length, 0);
    // postings ×2, one series, the segment header and one coalesced chunk range.
    expect(c.reads.length).toBeLessThanOrEqual(6);
    expect(bytes).toBeLessThan(64 * 1024);
    console.log(
      `index ${b.index.size} B, open read ${openBytes} B in 3 reads; one series: ${c.reads.length} reads, ${bytes} B`,
    );
    await c.close();
  });
});

describe('overlapping blocks', () => {
  it('a series in several overlapping blocks dumps as promtool merges it (duplicates dropped)', async () => {
    const t = await makeTmpDir('tsdb-overlap-');
    try {
      const rnd = new Random(3);
      let odb = '';
      // Three imports over the same series and overlapping times, same timestamps with other values.
      for (let f = 0; f < 3; f++) {
        let text = '# TYPE ov gauge\n';
        for (let sIdx = 0; sIdx < 20; sIdx++) {
          for (let k = 0; k < 400; k++) {
            if (rnd.chance(0.4))
              text += `ov{s="${sIdx}"} ${omValue(Math.round(rnd.next() * 1e6) / 100)} ${1_700_000_000 + f * 1995 + k * 15}\n`;
          }
        }
        const made = await promtoolCreateBlocks(`${text}# EOF\n`, join(t.path));
        odb = made.db;
      }
      const ids = await (
        await import('../../../sidecar-agent/cli/tsdb-dump.ts')
      ).listBlockDirs(odb);
      expect(ids.length).toBeGreaterThanOrEqual(3);
      const bs: Block[] = [];
      const ds: FileBlockDir[] = [];
      for (const id of ids) {
        const d = new FileBlockDir(join(odb, id));
        ds.push(d);
        bs.push(await Block.open(d, { id }));
      }
      const parts: string[] = [];
      await dumpBlocks(
        bs,
        { mint: -Infinity, maxt: Infinity, matchers: matchers(ALL) },
        (x) => void parts.push(x),
      );
      await Promise.all(ds.map((d) => d.close()));
      const want = (await promtoolDump(odb)).toString();
      expect(want.length).toBeGreaterThan(10_000);
      expect(parts.join('')).toBe(want);
    } finally {
      await t.remove();
    }
  });
});
