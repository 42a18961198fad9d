/**
 * `thanos-edge tsdb create-blocks-from openmetrics` against promtool 2.42 on the same input:
 * the same blocks (same time ranges, byte-identical index, chunk segments and tombstones,
 * meta.json equal but for the ULID), the same printed table, the same `promtool tsdb dump`
 * output, the same errors — including the head's quirks (samples out of order within a
 * 5000-sample batch are dropped, across batches they abort the import; samples before the
 * first aligned window are skipped).
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUlid } from '../../../core/tsdb/meta.ts';
import {
  backfillOpenMetrics,
  parseCreateBlocksArgs,
  type BackfillOptions,
} from '../../../sidecar-agent/cli/tsdb-create-blocks.ts';
import { generateOpenMetrics } from '../../fixtures/openmetrics-gen.ts';
import { Random } from '../../helpers/random.ts';
import { PROMTOOL, run } from '../../helpers/promtool.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

let tmp: TmpDir;
let n = 0;

beforeAll(async () => {
  tmp = await makeTmpDir('create-blocks-');
});
afterAll(async () => {
  await tmp?.remove();
});

interface Outcome {
  db: string;
  stdout: string;
  error?: string;
}

async function promtool(input: string, flags: string[]): Promise<Outcome> {
  const db = join(tmp.path, `p${n++}`);
  const r = await run(PROMTOOL, ['tsdb', 'create-blocks-from', ...flags, 'openmetrics', input, db]);
  return { db, stdout: r.stdout.toString(), error: r.code === 0 ? undefined : r.stderr.trim() };
}

async function ours(input: string, flags: string[], opts: BackfillOptions = {}): Promise<Outcome> {
  const db = join(tmp.path, `o${n++}`);
  const args = parseCreateBlocksArgs([...flags, input, db])!;
  let stdout = '';
  try {
    await backfillOpenMetrics(args, (s) => (stdout += s), opts);
    return { db, stdout };
  } catch (err) {
    return { db, stdout, error: (err as Error).message };
  }
}

async function blocksByMinTime(db: string): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const id of (await readdir(db).catch(() => [] as string[])).filter(isUlid)) {
    const meta = JSON.parse(await readFile(join(db, id, 'meta.json'), 'utf8')) as {
      minTime: number;
    };
    out.set(meta.minTime, id);
  }
  return out;
}

/** Every block of `a` has a byte-identical twin in `b` (meta.json up to the ULID), and vice versa. */
async function expectSameBlocks(a: string, b: string): Promise<number> {
  const pa = await blocksByMinTime(a);
  const pb = await blocksByMinTime(b);
  expect([...pb.keys()].sort()).toEqual([...pa.keys()].sort());
  for (const [mint, ida] of pa) {
    const idb = pb.get(mint)!;
    const da = join(a, ida);
    const db = join(b, idb);
    const files = [
      'index',
      'tombstones',
      ...(await readdir(join(da, 'chunks'))).map((c) => `chunks/${c}`),
    ];
    expect((await readdir(join(db, 'chunks'))).map((c) => `chunks/${c}`).sort()).toEqual(
      files.slice(2).sort(),
    );
    for (const f of files) {
      const x = await readFile(join(da, f));
      const y = await readFile(join(db, f));
      expect(Buffer.compare(x, y), `${f} of block minTime=${mint}`).toBe(0);
    }
    const ma = (await readFile(join(da, 'meta.json'), 'utf8')).replaceAll(ida, 'ULID');
    const mb = (await readFile(join(db, 'meta.json'), 'utf8')).replaceAll(idb, 'ULID');
    expect(mb).toBe(ma);
  }
  return pa.size;
}

async function dump(db: string): Promise<string> {
  await mkdir(join(db, 'wal'), { recursive: true });
  const r = await run(PROMTOOL, ['tsdb', 'dump', db]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.toString();
}

const maskUlids = (s: string) => s.replace(/\b[0-7][0-9A-HJKMNP-TV-Z]{25}\b/g, '<ULID>');

async function input(text: string): Promise<string> {
  const path = join(tmp.path, `in${n++}.om`);
  await writeFile(path, text);
  return path;
}

/**
 * Interleaved series (as a scrape dump would be): fractional-second timestamps, steps from
 * 100 ms to minutes, specials, escapes, empty label values, reordered labels, and — when
 * `oooEvery` is set — samples repeated or sent out of order right after a newer one (the same
 * batch), which the head drops.
 */
function interleaved(seed: number, samples: number, oooEvery = 0): string {
  const rnd = new Random(seed);
  const series = Array.from({ length: 40 }, (_, i) => ({
    text: [
      `x:rate5m{job="j${i % 3}",instance="i${i}"}`,
      `up{instance="i${i}",job="j${i % 3}",empty=""}`,
      `weird_total{path="/a\\"b\\\\c\\nd",uni="héllo ✓ 𝄞"${i % 2 ? `,n="${i}"` : ''}}`,
      `g{i="${i}"}`,
    ][i % 4]!.replace('weird_total{', `weird_total{k="${i}",`),
    t: 1_699_999_000_000 + rnd.int(600_000),
    step: [100, 1_500, 15_000, 60_000, 7_321][i % 5]!,
    v: 0,
  }));
  const lines: string[] = ['# TYPE up gauge', '# HELP up 1 if up.'];
  for (let k = 0; k < samples; k++) {
    const s = rnd.pick(series);
    s.t += s.step * (rnd.chance(0.01) ? 200 : 1);
    const r = rnd.next();
    const v =
      r < 0.02
        ? 'NaN'
        : r < 0.03
          ? '+Inf'
          : r < 0.04
            ? '-Inf'
            : r < 0.5
              ? String((s.v += rnd.int(9)))
              : (rnd.next() * 2e6 - 1e6).toPrecision(1 + rnd.int(17));
    lines.push(`${s.text} ${v} ${(s.t / 1000).toFixed(3)}`);
    if (oooEvery && k % oooEvery === 0) {
      lines.push(`${s.text} ${v} ${(s.t / 1000).toFixed(3)}`); // exact duplicate: dropped
      lines.push(`${s.text} 1 ${((s.t - s.step) / 1000).toFixed(3)}`); // older: dropped
    }
  }
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}

describe('create-blocks-from openmetrics matches promtool 2.42', () => {
  it('on the seeded fixture (1,085 series, several 2h windows): same blocks, table and dump', async () => {
    const gen = generateOpenMetrics({ seed: 3, hours: 5, start: 1_700_003_600_000 + 1234_000 });
    const file = await input(gen.text);
    const [p, o] = await Promise.all([promtool(file, []), ours(file, [])]);
    expect(p.error).toBeUndefined();
    expect(o.error).toBeUndefined();
    const blocks = await expectSameBlocks(p.db, o.db);
    expect(blocks).toBeGreaterThanOrEqual(3);
    expect(maskUlids(o.stdout)).toBe(maskUlids(p.stdout));
    const [dp, dour] = await Promise.all([dump(p.db), dump(o.db)]);
    expect(dour.split('\n').length - 1).toBe(gen.samples);
    expect(dour === dp).toBe(true);
  });

  it('on interleaved input with duplicates and out-of-order samples within a batch', async () => {
    const file = await input(interleaved(11, 4000, 50));
    const [p, o] = await Promise.all([promtool(file, ['-r']), ours(file, ['-r'])]);
    expect(o.error).toBe(p.error);
    expect(p.error).toBeUndefined();
    expect(await expectSameBlocks(p.db, o.db)).toBeGreaterThanOrEqual(2);
    expect(maskUlids(o.stdout)).toBe(maskUlids(p.stdout));
    expect(await dump(o.db)).toBe(await dump(p.db));
  });

  it('when windows are built in several passes under a small memory budget', async () => {
    const file = await input(interleaved(23, 20_000));
    const [p, o] = await Promise.all([
      promtool(file, []),
      ours(file, [], { maxSamplesPerPass: 3000 }),
    ]);
    expect(o.error).toBe(p.error);
    expect(await expectSameBlocks(p.db, o.db)).toBeGreaterThanOrEqual(5);
    expect(maskUlids(o.stdout)).toBe(maskUlids(p.stdout));
  });

  it('on a larger interleaved input with --max-block-duration=24h (18h windows)', async () => {
    const file = await input(interleaved(5, 60_000));
    const [p, o] = await Promise.all([
      promtool(file, ['--max-block-duration=24h', '-q']),
      ours(file, ['--max-block-duration=24h', '-q']),
    ]);
    expect(p.error).toBeUndefined();
    expect(o.error).toBeUndefined();
    expect(o.stdout).toBe('');
    expect(await expectSameBlocks(p.db, o.db)).toBeGreaterThanOrEqual(1);
  });

  it('fails like promtool on out-of-order samples across batches, after the same earlier blocks', async () => {
    // Window 1 is clean; in window 2 a sample older than one committed 5000 samples earlier.
    const lines: string[] = [];
    for (let i = 0; i < 100; i++) lines.push(`a{i="${i}"} ${i} ${1_600_000_000 + i}`);
    // [1600005600, 1600012800) is one 2h window: 7000 samples span two 5000-sample batches.
    for (let i = 0; i < 7000; i++) lines.push(`b ${i} ${1_600_005_600 + i}`);
    lines.push(`b 1 ${1_600_005_600 + 10}`);
    const file = await input(lines.join('\n') + '\n# EOF\n');
    const [p, o] = await Promise.all([
      promtool(file, []),
      ours(file, [], { maxSamplesPerPass: 1 }),
    ]);
    expect(p.error).toBe('block creation: process blocks: add sample: out of order sample');
    expect(o.error).toBe(p.error);
    expect(await expectSameBlocks(p.db, o.db)).toBe(1);
    expect(maskUlids(o.stdout)).toBe(maskUlids(p.stdout));
  });

  it('skips samples before the first aligned window as promtool does (negative timestamps)', async () => {
    const file = await input('m 1 -10\nm 2 -0.5\nm 3 1\nm 4 7300\n# EOF\n');
    const [p, o] = await Promise.all([promtool(file, []), ours(file, [])]);
    expect(o.error).toBe(p.error);
    expect(await expectSameBlocks(p.db, o.db)).toBe(
      await blocksByMinTime(p.db).then((m) => m.size),
    );
    expect(await dump(o.db)).toBe(await dump(p.db));
  });

  const invalid: [string, string][] = [
    ['no EOF', 'a 1 1\n'],
    ['data after EOF', 'a 1 1\n# EOF\na 1 2\n'],
    ['missing timestamp', 'a 1\n# EOF\n'],
    ['plain comment', '# hello\na 1 1\n# EOF\n'],
    ['blank line', 'a 1 1\n\n# EOF\n'],
    ['bad value', 'a x 1\n# EOF\n'],
    ['hex value', 'a 0x10 1\n# EOF\n'],
    ['NaN timestamp', 'a 1 NaN\n# EOF\n'],
    ['trailing comma', 'a{b="c",} 1 1\n# EOF\n'],
    ['duplicate label', 'a{b="c",b="d"} 1 1\n# EOF\n'],
    ['unknown type', '# TYPE a bogus\na 1 1\n# EOF\n'],
    ['exemplar on gauge', 'a 1 1 # {t="x"} 1\n# EOF\n'],
    ['bad utf-8', 'a{b="\xff"} 1 1\n# EOF\n'],
    [
      'duplicate timestamp, other value, across batches',
      `${Array.from({ length: 5000 }, (_, i) => `a ${i} ${i + 1}`).join('\n')}\na 7 5000\n# EOF\n`,
    ],
  ];
  it.each(invalid)('rejects invalid input like promtool: %s', async (_name, text) => {
    const path = join(tmp.path, `in${n++}.om`);
    await writeFile(path, text.includes('\xff') ? Buffer.from(text, 'latin1') : text);
    const [p, o] = await Promise.all([promtool(path, []), ours(path, [])]);
    expect(p.error).toBeDefined();
    expect(o.error).toBeDefined();
    expect(await blocksByMinTime(o.db).then((m) => m.size)).toBe(
      await blocksByMinTime(p.db).then((m) => m.size),
    );
  });

  it('accepts what promtool accepts at the edges of the syntax', async () => {
    const text =
      '# HELP a_seconds help with \\n escape and ünïcode\n# TYPE a_seconds gauge\n# UNIT a_seconds seconds\n' +
      'a_seconds{} 1 1.0001\na_seconds{x="1"} -0 2e0\nb_total 5 3 # {trace="t"} 1 3.5\nb_total 6 4 # {} 2\n' +
      'c Inf 5\nc -infinity 6\nc .5 7\nc 5. 8\n# EOF';
    const file = await input(text);
    const [p, o] = await Promise.all([promtool(file, []), ours(file, [])]);
    expect(p.error).toBeUndefined();
    expect(o.error).toBeUndefined();
    await expectSameBlocks(p.db, o.db);
    expect(await dump(o.db)).toBe(await dump(p.db));
  });

  it('accepts and rejects exactly what promtool does on seeded random mutations', async () => {
    const base = [
      '# HELP foo_total Help \\n text.',
      '# TYPE foo_total counter',
      '# UNIT foo_seconds seconds',
      'foo_total{a="b",c="d\\"e"} 1.5 1600000000.5',
      'foo_total 2 1600000001 # {t="x"} 1 1600000000',
      'bar{x="y"} -Inf 1600000002',
      'h_bucket{le="+Inf"} 3 1600000005 # {} 0.5',
      'e{} .5 1600000006.001',
      'q:r_s{z="1"} NaN 1600000004',
    ];
    const alphabet = [
      ' ',
      '\t',
      '#',
      '{',
      '}',
      '"',
      '\\',
      ',',
      '=',
      'e',
      '.',
      '-',
      '+',
      'n',
      'N',
      'I',
      'f',
      '\n',
      '0',
      '_',
      ':',
      'é',
      'E',
      'p',
      '\r',
      '',
    ];
    const rnd = new Random(2024);
    const counts = async (db: string) => {
      const out: number[] = [];
      for (const [, id] of [...(await blocksByMinTime(db))].sort((x, y) => x[0] - y[0])) {
        out.push(
          (
            JSON.parse(await readFile(join(db, id, 'meta.json'), 'utf8')) as {
              stats: { numSamples: number };
            }
          ).stats.numSamples,
        );
      }
      return out;
    };
    let accepted = 0;
    for (let k = 0; k < 40; k++) {
      let text = base.filter(() => rnd.chance(0.7)).join('\n') + '\n# EOF\n';
      for (let j = 1 + rnd.int(3); j > 0; j--) {
        const pos = rnd.int(text.length);
        const ch = rnd.pick(alphabet);
        const op = rnd.next();
        text = text.slice(0, pos) + (op < 0.66 ? ch : '') + text.slice(op < 0.33 ? pos : pos + 1);
      }
      const file = await input(text);
      const [p, o] = await Promise.all([promtool(file, ['-q']), ours(file, ['-q'])]);
      expect(
        o.error === undefined,
        `${JSON.stringify(text)}: promtool ${p.error ?? 'ok'}, ours ${o.error ?? 'ok'}`,
      ).toBe(p.error === undefined);
      if (p.error === undefined) {
        accepted++;
        expect(await counts(o.db)).toEqual(await counts(p.db));
      }
    }
    expect(accepted).toBeGreaterThan(3);
  });
});
