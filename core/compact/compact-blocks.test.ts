import { describe, expect, it } from 'vitest';
import { memoryBlockDir } from '../../test/helpers/block-dir.ts';
import { newMatcher } from '../labels/matcher.ts';
import { Block } from '../tsdb/block-reader.ts';
import { decodeSeriesSamples } from '../tsdb/series-samples.ts';
import { MemoryBlockSink, writeBlock, type SeriesSamples } from '../tsdb/writer/index.ts';
import { compactBlocks, mergeSortedStrings } from './compact-blocks.ts';

const H = 3600_000;

function series(name: string, from: number, to: number, step: number, base: number): SeriesSamples {
  const n = Math.floor((to - from) / step);
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = from + i * step;
    v[i] = base + i;
  }
  return { labels: [{ name: '__name__', value: name }], timestamps: t, values: v };
}

async function block(ss: SeriesSamples[], minTime: number, maxTime: number): Promise<Block> {
  const sink = new MemoryBlockSink();
  const meta = await writeBlock(() => sink, ss, { minTime, maxTime });
  return Block.open(memoryBlockDir(sink.files), { id: meta!.ulid });
}

async function readAll(b: Block): Promise<Map<string, [number, number][]>> {
  const out = new Map<string, [number, number][]>();
  for await (const s of b.select([newMatcher('=~', '__name__', '.+')], -Infinity, Infinity)) {
    const x = decodeSeriesSamples(s, -Infinity, Infinity, b.id);
    const pts: [number, number][] = [];
    for (let i = 0; i < x.length; i++) pts.push([x.t[i]!, x.v[i]!]);
    out.set(s.labels.map((l) => l.value).join(','), pts);
  }
  return out;
}

async function compact(
  inputs: { block: Block; replica?: string }[],
  penalty = false,
): Promise<{ block: Block; reencoded: number }> {
  const sink = new MemoryBlockSink();
  const res = await compactBlocks(inputs, {
    sink: () => sink,
    penalty,
    thanos: { labels: { a: 'b' }, downsample: { resolution: 0 } },
    batch: 2,
  });
  const b = await Block.open(memoryBlockDir(sink.files), { id: res.meta!.ulid });
  return { block: b, reencoded: res.reencodedSeries };
}

describe('compactBlocks', () => {
  it('merges symbol tables', () => {
    expect([...mergeSortedStrings([['', 'a', 'c'], ['b', 'c', 'd'], []])]).toEqual([
      '',
      'a',
      'b',
      'c',
      'd',
    ]);
  });

  it('joins adjacent blocks copying chunks, with Thanos compaction meta', async () => {
    const b1 = await block(
      [series('x', 0, 2 * H, 15_000, 0), series('y', 0, 2 * H, 60_000, 5)],
      0,
      2 * H,
    );
    const b2 = await block(
      [series('x', 2 * H, 4 * H, 15_000, 1000), series('z', 2 * H, 4 * H, 30_000, 7)],
      2 * H,
      4 * H,
    );
    const { block: out, reencoded } = await compact([{ block: b1 }, { block: b2 }]);
    expect(reencoded).toBe(0);
    expect(out.meta.minTime).toBe(0);
    expect(out.meta.maxTime).toBe(4 * H);
    expect(out.meta.compaction.level).toBe(2);
    expect(out.meta.compaction.sources).toEqual([b1.id, b2.id].sort());
    expect(out.meta.compaction.parents?.map((p) => p.ulid)).toEqual([b1.id, b2.id]);
    expect(out.meta.thanos?.source).toBe('compactor');
    expect(out.meta.thanos?.labels).toEqual({ a: 'b' });
    const got = await readAll(out);
    const want = new Map([...(await readAll(b1))]);
    for (const [k, v] of await readAll(b2)) want.set(k, [...(want.get(k) ?? []), ...v]);
    expect([...got.keys()]).toEqual(['x', 'y', 'z']);
    expect(got).toEqual(want);
  });

  it('merges overlapping blocks, keeping a shared timestamp once', async () => {
    const b1 = await block([series('x', 0, 2 * H, 30_000, 0)], 0, 2 * H);
    const b2 = await block([series('x', H, 3 * H, 30_000, 120)], H, 3 * H);
    const { block: out, reencoded } = await compact([{ block: b1 }, { block: b2 }]);
    expect(reencoded).toBe(1);
    const x = (await readAll(out)).get('x')!;
    expect(x.length).toBe(360);
    expect(x[0]).toEqual([0, 0]);
    expect(x[359]).toEqual([3 * H - 30_000, 120 + 239]);
  });

  it('deduplicates replicas with the penalty algorithm', async () => {
    // Replica b scrapes the same series 5s later; penalty dedup stays on one replica.
    const a = await block([series('x', 0, 2 * H, 30_000, 0)], 0, 2 * H);
    const b = await block([series('x', 5_000, 2 * H, 30_000, 0)], 0, 2 * H);
    const { block: out } = await compact(
      [
        { block: a, replica: 'a' },
        { block: b, replica: 'b' },
      ],
      true,
    );
    const x = (await readAll(out)).get('x')!;
    expect(x.length).toBe(240);
    expect(x.every(([t]) => t % 30_000 === 0)).toBe(true);
  });
});
