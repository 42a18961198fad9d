/**
 * `thanos-edge tools bucket inspect|verify` as a user runs them (the bin), against real s3rver
 * buckets holding real blocks:
 * - inspect lists every block with the series and samples promtool counts in it, and with its
 *   level, resolution and external labels; --selector, --sort-by and csv output;
 * - verify passes a clean bucket (exit 0), names both blocks and the range of a crafted overlap,
 *   and finds each crafted index fault (test/helpers/crafted-blocks.ts, fault injection) with the
 *   block and file; duplicated compaction;
 * - the `bucket X` alias, --help on stdout, unknown flags (exit 2), ignored Thanos flags, --repair.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bucket } from '../../../core/objstore/bucket.ts';
import { labelsFrom } from '../../../core/labels/labels.ts';
import type { BlockMeta } from '../../../core/tsdb/meta.ts';
import { writeBlock } from '../../../core/tsdb/writer/block-writer.ts';
import { bucketFromConfigText } from '../../../sidecar-agent/objstore/from-config.ts';
import { uploadBlock } from '../../../sidecar-agent/objstore/upload-block.ts';
import { dirSinkFactory } from '../../../sidecar-agent/tsdb/dir-sink.ts';
import {
  BLOCK,
  HOUR,
  T0,
  downloadBlocks,
  uploadDirBlocks,
  writeRawBlocks,
} from '../../helpers/compact-data.ts';
import { runCli } from '../../helpers/compact-process.ts';
import {
  craftBadChunksBlock,
  craftBadSymbolsBlock,
  craftDanglingPostingsBlock,
  samples,
} from '../../helpers/crafted-blocks.ts';
import { promtoolDump } from '../../helpers/promtool.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

let tmp: TmpDir;
let s3: S3rverHandle;
const obj = (bucket: string): string => `--objstore.config=${s3.objstoreYaml(bucket)}`;
const bkt = (name: string): Bucket => bucketFromConfigText(s3.objstoreYaml(name));

/** A level-2 block at 5m resolution as the compactor labels it (its sources need not exist). */
async function writeCompactedBlock(dir: string): Promise<BlockMeta> {
  const series = ['p', 'q'].map((k, i) => samples({ __name__: 'w', k }, T0, T0 + 8 * HOUR, i + 2));
  return (await writeBlock(dirSinkFactory(dir, { fsync: false }), series, {
    minTime: T0,
    maxTime: T0 + 8 * HOUR,
    chunkRange: 8 * HOUR,
    thanos: { labels: {}, downsample: { resolution: 300_000 }, source: 'compactor' },
    compaction: {
      level: 2,
      sources: ['01JAAAAAAAAAAAAAAAAAAAAAAA', '01JBBBBBBBBBBBBBBBBBBBBBBB'],
    },
  }))!;
}

let raw: BlockMeta[];
let compacted: BlockMeta;

beforeAll(async () => {
  tmp = await makeTmpDir('bucket-inspect-');
  s3 = await startS3rver({ buckets: ['clean', 'overlap', 'faults', 'dup'] });
  const dir = join(tmp.path, 'blocks');
  raw = await writeRawBlocks(dir, { blocks: 3, series: 40 });
  await uploadDirBlocks(
    bkt('clean'),
    dir,
    raw.map((m) => m.ulid),
    { cluster: 'eu', replica: 'a' },
  );
  compacted = await writeCompactedBlock(dir);
  await uploadBlock(bkt('clean'), join(dir, compacted.ulid), {
    labels: { cluster: 'us' },
    source: 'compactor',
  });
}, 120_000);

afterAll(async () => {
  await s3?.stop();
  await tmp?.remove();
});

/** Rows of `inspect --output=tsv` as objects keyed by column. */
function parseTsv(text: string): Record<string, string>[] {
  const [head, ...rows] = text.trimEnd().split('\n');
  const cols = head!.split('\t');
  return rows.map((r) => Object.fromEntries(r.split('\t').map((c, i) => [cols[i]!, c])));
}

/** Series and samples of one block as promtool 2.42 counts them (tsdb dump of the block alone). */
async function promtoolCounts(
  bucket: Bucket,
  id: string,
): Promise<{ series: number; samples: number }> {
  const dir = join(tmp.path, `dump-${id}`);
  await downloadBlocks(bucket, [id], dir);
  const lines = (await promtoolDump(dir)).toString().trimEnd().split('\n');
  const series = new Set(lines.map((l) => l.slice(0, l.lastIndexOf('}') + 1)));
  return { series: series.size, samples: lines.length };
}

const num = (s: string): number => Number(s.replaceAll(',', ''));

describe('tools bucket inspect', () => {
  it('lists every block with promtool’s series and samples, level, resolution and labels', async () => {
    const r = await runCli(['tools', 'bucket', 'inspect', obj('clean'), '--output=tsv']);
    expect(r.code, r.stderr).toBe(0);
    const rows = parseTsv(r.stdout);
    expect(rows.map((x) => x.ULID).sort()).toEqual(
      [...raw.map((m) => m.ulid), compacted.ulid].sort(),
    );
    // Default order: FROM, then the stable order of equal FROMs.
    const froms = rows.map((x) => Date.parse(x.FROM!));
    expect(froms).toEqual([...froms].sort((a, b) => a - b));
    for (const m of raw) {
      const row = rows.find((x) => x.ULID === m.ulid)!;
      const want = await promtoolCounts(bkt('clean'), m.ulid);
      expect(num(row['#SERIES']!)).toBe(want.series);
      expect(num(row['#SAMPLES']!)).toBe(want.samples);
      expect(row).toMatchObject({
        FROM: new Date(m.minTime).toISOString().replace('.000Z', 'Z'),
        UNTIL: new Date(m.maxTime).toISOString().replace('.000Z', 'Z'),
        RANGE: '2h0m0s',
        'UNTIL-DOWN': '38h0m0s',
        'COMP-LEVEL': '1',
        'COMP-FAILED': 'false',
        LABELS: 'cluster=eu,replica=a',
        RESOLUTION: '0s',
        SOURCE: 'sidecar',
      });
    }
    const want = await promtoolCounts(bkt('clean'), compacted.ulid);
    expect(want).toEqual({ series: 2, samples: 2 * 8 * 120 });
    expect(rows.find((x) => x.ULID === compacted.ulid)).toMatchObject({
      '#SERIES': '2',
      '#SAMPLES': '1,920',
      RANGE: '8h0m0s',
      'UNTIL-DOWN': '232h0m0s',
      'COMP-LEVEL': '2',
      LABELS: 'cluster=us',
      RESOLUTION: '5m0s',
      SOURCE: 'compactor',
    });
  });

  it('selects by external label, sorts by columns and writes csv', async () => {
    let r = await runCli(['bucket', 'inspect', obj('clean'), '-l', 'cluster="us"', '--output=tsv']);
    expect(r.code, r.stderr).toBe(0);
    expect(parseTsv(r.stdout).map((x) => x.ULID)).toEqual([compacted.ulid]);
    r = await runCli([
      'tools',
      'bucket',
      'inspect',
      obj('clean'),
      '--sort-by=COMP-LEVEL',
      '--sort-by',
      'UNTIL',
      '--output=csv',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'ULID,FROM,UNTIL,RANGE,UNTIL-DOWN,#SERIES,#SAMPLES,#CHUNKS,COMP-LEVEL,COMP-FAILED,LABELS,RESOLUTION,SOURCE',
    );
    const ids = lines.slice(1).map((l) => l.split(',')[0]);
    expect(ids).toEqual([
      ...[...raw].sort((a, b) => a.maxTime - b.maxTime).map((m) => m.ulid),
      compacted.ulid,
    ]);
    // Labels hold commas: quoted as Go's csv writer quotes them.
    expect(lines[1]).toContain(',"cluster=eu,replica=a",');
    r = await runCli(['tools', 'bucket', 'inspect', obj('clean')]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^\| ULID +\| FROM +\| UNTIL/);
    expect(r.stdout.split('\n').length).toBe(4 + 2 + 1);
    r = await runCli(['tools', 'bucket', 'inspect', obj('clean'), '--sort-by=NOPE']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--sort-by: column NOPE not found');
  });
});

describe('tools bucket verify', () => {
  it('passes a clean bucket', async () => {
    const r = await runCli(['tools', 'bucket', 'verify', obj('clean')]);
    expect(r.stderr).toContain('verify done: 4 blocks, 0 issues');
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });

  it('names both blocks of an overlap and the overlapping range, only within one group', async () => {
    const dir = join(tmp.path, 'overlap');
    const [a] = await writeRawBlocks(dir, { blocks: 1, series: 10 });
    const [b] = await writeRawBlocks(dir, { blocks: 1, series: 10, start: T0 + HOUR, seed: 2 });
    const [c] = await writeRawBlocks(dir, { blocks: 1, series: 10, seed: 3 });
    await uploadDirBlocks(bkt('overlap'), dir, [a!.ulid, b!.ulid], { cluster: 'eu' });
    // Same time as a, other external labels: another group, no overlap.
    await uploadDirBlocks(bkt('overlap'), dir, [c!.ulid], { cluster: 'us' });
    const r = await runCli(['tools', 'bucket', 'verify', obj('overlap')]);
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(
      `overlapped_blocks: block ${a!.ulid} (meta.json): overlaps block ${b!.ulid}`,
    );
    const iso = (t: number): string => new Date(t).toISOString().replace('.000Z', 'Z');
    expect(lines[0]).toContain(`[${iso(T0 + HOUR)}, ${iso(T0 + BLOCK)})`);
    expect(lines[0]).toContain('{cluster="eu"}');
    expect(lines[0]).not.toContain(c!.ulid);
    // The blocks themselves are sound.
    const idx = await runCli(['bucket', 'verify', obj('overlap'), '--issues=index_known_issues']);
    expect(idx.code, idx.stdout).toBe(0);
  });

  it('finds each crafted index fault, naming block and file', async () => {
    const dir = join(tmp.path, 'faults');
    const good = (await writeRawBlocks(dir, { blocks: 1, series: 30 }))[0]!;
    const symbols = await craftBadSymbolsBlock(dir, T0);
    const postings = await craftDanglingPostingsBlock(dir, T0);
    const chunks = await craftBadChunksBlock(dir, T0);
    const labels = ['good', 'symbols', 'postings', 'chunks'];
    for (const [i, m] of [good, symbols, postings, chunks].entries())
      await uploadBlock(bkt('faults'), join(dir, m.ulid), {
        labels: { fault: labels[i]! },
        source: 'sidecar',
      });
    const r = await runCli([
      'tools',
      'bucket',
      'verify',
      obj('faults'),
      '-i',
      'index_known_issues',
    ]);
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    const of = (id: string): string[] => lines.filter((l) => l.includes(`block ${id} `));
    expect(of(good.ulid)).toEqual([]);

    const sym = of(symbols.ulid);
    expect(
      sym.some((l) => /\(index\): duplicate-series: series \{__name__="x", k="a"\}/.test(l)),
    ).toBe(true);
    expect(
      sym.some((l) =>
        /\(index\): series-not-sorted: series \{__name__="x", k="c"\}.* comes after \{__name__="x", k="d"\}/.test(
          l,
        ),
      ),
    ).toBe(true);
    expect(sym.some((l) => /\(index\): postings-mismatch: postings of label "k"/.test(l))).toBe(
      true,
    );

    const post = of(postings.ulid);
    expect(
      post.some((l) =>
        /\(index\): postings-dangling: all-postings ref \d+ .*outside the series section/.test(l),
      ),
    ).toBe(true);

    const ch = of(chunks.ulid);
    expect(
      ch.some((l) =>
        /\(chunks\/000001\): chunks-out-of-order: series \{__name__="y", i="1"\}/.test(l),
      ),
    ).toBe(true);
    expect(
      ch.some((l) =>
        /\(chunks\/000001\): chunk-outside-block: series \{__name__="y", i="2"\}/.test(l),
      ),
    ).toBe(true);
    expect(
      ch.some((l) =>
        /\(chunks\/000001\): chunk-samples: series \{__name__="y", i="3"\}.*outside the chunk's range/.test(
          l,
        ),
      ),
    ).toBe(true);
    // Only y{i="2"} has a chunk past the block (y{i="1"}'s patched chunk moved 30s earlier,
    // so its samples now end past its range too: a chunk-samples finding of its own).
    expect(ch.filter((l) => l.includes('chunk-outside-block')).length).toBe(1);
    expect(ch.some((l) => l.includes('i="2"') && l.includes('chunk-samples'))).toBe(false);
    expect(r.stderr).toContain('verify done: 4 blocks');

    // --id limits the check to the blocks named.
    const one = await runCli(['bucket', 'verify', obj('faults'), `--id=${postings.ulid}`]);
    expect(one.code, one.stderr).toBe(1);
    const oneLines = one.stdout.trimEnd().split('\n');
    expect(oneLines.length).toBeGreaterThan(0);
    expect(oneLines.every((l) => l.includes(`block ${postings.ulid} (index)`))).toBe(true);
    expect(one.stderr).toContain('verify done: 1 blocks');
    const clean = await runCli(['bucket', 'verify', obj('faults'), `--id=${good.ulid}`]);
    expect(clean.code, clean.stdout).toBe(0);
  });

  it('reports a duplicated compaction: a block whose sources another block covers', async () => {
    const dir = join(tmp.path, 'dup');
    const [a, b] = await writeRawBlocks(dir, { blocks: 2, series: 5 });
    const merged = (await writeBlock(
      dirSinkFactory(dir, { fsync: false }),
      [samples({ __name__: 'm', k: 'v' }, T0, T0 + 2 * BLOCK)],
      {
        minTime: T0,
        maxTime: T0 + 2 * BLOCK,
        compaction: { level: 2, sources: [a!.ulid, b!.ulid] },
      },
    ))!;
    await uploadDirBlocks(bkt('dup'), dir, [a!.ulid, merged.ulid], { cluster: 'eu' });
    const r = await runCli([
      'tools',
      'bucket',
      'verify',
      obj('dup'),
      '--issues=duplicated_compaction',
    ]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      `duplicated_compaction: block ${a!.ulid} (meta.json): all 1 sources are also sources of block ${merged.ulid} (level 2)`,
    ]);
    // Marked for deletion (as the compactor marks its inputs), it is no longer an issue.
    const m = await runCli([
      'bucket',
      'mark',
      obj('dup'),
      `--id=${a!.ulid}`,
      '--marker=deletion-mark.json',
      '--details=test',
    ]);
    expect(m.code, m.stderr).toBe(0);
    const again = await runCli(['tools', 'bucket', 'verify', obj('dup')]);
    expect(again.code, again.stdout).toBe(0);
  });
});

describe('tools bucket flags', () => {
  it('help on stdout, unknown flags, ignored Thanos flags, --repair refused', async () => {
    for (const words of [
      ['tools', 'bucket', 'inspect'],
      ['bucket', 'inspect'],
      ['tools', 'bucket', 'verify'],
    ]) {
      const h = await runCli([...words, '--help']);
      expect(h.code).toBe(0);
      expect(h.stdout).toContain(`usage: thanos-edge tools bucket ${words.at(-1)}`);
      expect(h.stdout).toContain('--objstore.config-file');
    }
    for (const words of [['tools', 'bucket'], ['bucket']]) {
      const list = await runCli([...words, '--help']);
      expect(list.code).toBe(0);
      for (const t of ['ls', 'inspect', 'verify', 'mark', 'cleanup', 'retention', 'upload'])
        expect(list.stdout).toContain(`tools bucket ${t} `);
      expect(list.stdout).not.toContain('sidecar');
    }
    const none = await runCli(['tools', 'bucket']);
    expect(none.code).toBe(2);
    const bad = await runCli(['tools', 'bucket', 'verify', obj('clean'), '--no-such-flag']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown long flag '--no-such-flag'");
    const ign = await runCli([
      'tools',
      'bucket',
      'inspect',
      obj('clean'),
      '--log.level=debug',
      '--log.format=json',
      '--tracing.config=',
      '--output=tsv',
    ]);
    expect(ign.code, ign.stderr).toBe(0);
    // --log.format=json: the agent's leveled logger; --tracing.config is said to be ignored.
    const logged = ign.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(logged.map((l) => l.msg)).toContain(
      'flag --tracing.config is accepted for compatibility with Thanos and ignored',
    );
    expect(logged.every((l) => l.level === 'info')).toBe(true);
    const rep = await runCli(['tools', 'bucket', 'verify', obj('clean'), '--repair']);
    expect(rep.code).toBe(2);
    expect(rep.stderr).toContain('--repair is not supported');
    const issue = await runCli(['tools', 'bucket', 'verify', obj('clean'), '--issues=bogus']);
    expect(issue.code).toBe(2);
    expect(issue.stderr).toContain('unknown issue bogus');
  });
});
