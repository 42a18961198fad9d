import { describe, expect, it } from 'vitest';
import { BadDataError } from '../../errors.ts';
import { labelsFrom } from '../../labels/labels.ts';
import { newMatcher } from '../../labels/matcher.ts';
import { STALE_NAN, isStaleNaN } from '../../chunkenc/stale.ts';
import { Block } from '../block-reader.ts';
import { decodeSeriesSamples } from '../series-samples.ts';
import { memoryBlockDir } from '../../../test/helpers/block-dir.ts';
import { writeBlock, encodeChunks, EMPTY_TOMBSTONES } from './block-writer.ts';
import { ChunkCutter, computeChunkEndTime, rangeForTimestamp } from './chunk-cutter.ts';
import { HeadBlockBuilder } from './head.ts';
import { IndexWriter } from './index-writer.ts';
import { MemoryBlockSink, type BlockSink, type SinkData } from './sink.ts';
import { Random } from '../../../test/helpers/random.ts';

const H2 = 2 * 3600_000;

function sinkFor(mem: MemoryBlockSink) {
  return () => mem;
}

async function readBack(mem: MemoryBlockSink) {
  const block = await Block.open(memoryBlockDir(mem.files));
  const out = [];
  for await (const s of block.select([newMatcher('=~', '__name__', '.+')], -Infinity, Infinity)) {
    const d = decodeSeriesSamples(s, -Infinity, Infinity, block.id);
    out.push({
      labels: s.labels,
      chunks: s.chunks.length,
      t: Array.from(d.t.subarray(0, d.length)),
      v: d.v.slice(0, d.length),
    });
  }
  return { block, series: out };
}

describe('chunk cutting (head semantics)', () => {
  it('uses Go truncating division', () => {
    expect(rangeForTimestamp(0, H2)).toBe(H2);
    expect(rangeForTimestamp(H2 - 1, H2)).toBe(H2);
    expect(rangeForTimestamp(-1, H2)).toBe(H2); // -1/width truncates to 0
    expect(computeChunkEndTime(0, 29 * 15_000, H2)).toBe(H2 / 4);
  });

  it('cuts 120-sample chunks at 15s and never crosses a chunk range boundary', () => {
    const cutter = new ChunkCutter(H2);
    const starts: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t = 1_000_000 + i * 15_000;
      if (cutter.startsChunk(t)) starts.push(t);
      cutter.appended(t);
    }
    const sizes = starts.map((s, i) => ((starts[i + 1] ?? 1_000_000 + 2000 * 15_000) - s) / 15_000);
    for (let i = 1; i < starts.length; i++) {
      // A chunk never spans two 2h ranges.
      expect(Math.floor(starts[i]! / H2) - Math.floor((starts[i]! - 1) / H2)).toBeLessThanOrEqual(
        1,
      );
      expect(Math.floor((starts[i]! - 15_000) / H2)).toBe(Math.floor(starts[i - 1]! / H2));
    }
    expect(Math.max(...sizes)).toBeLessThanOrEqual(240);
    expect(sizes.filter((s) => s === 120).length).toBeGreaterThan(10);
  });

  it('cuts at 240 samples when the rate goes up after the prediction', () => {
    const ts = new Float64Array(600);
    for (let i = 0; i < 600; i++) ts[i] = i < 31 ? i * 60_000 : 30 * 60_000 + (i - 30);
    const chunks = encodeChunks(ts, new Float64Array(600), 600, H2);
    // 240 samples end the mispredicted chunk; the next one predicts anew for the faster rate.
    expect(chunks.map((c) => c.numSamples)).toEqual([240, 120, 120, 120]);
  });
});

describe('writeBlock', () => {
  it('round-trips through the block reader, stale markers and NaN payloads included', async () => {
    const mem = new MemoryBlockSink();
    const t = Float64Array.from({ length: 500 }, (_, i) => 1_700_000_000_000 + i * 10_000);
    const v = Float64Array.from({ length: 500 }, (_, i) => Math.sin(i) * 1e3);
    v[100] = STALE_NAN;
    v[101] = NaN;
    const meta = await writeBlock(sinkFor(mem), [
      { labels: labelsFrom({ __name__: 'b', x: '1' }), timestamps: t, values: v },
      {
        labels: labelsFrom({ __name__: 'a' }),
        timestamps: t.subarray(0, 3),
        values: v.subarray(0, 3),
      },
      {
        labels: labelsFrom({ __name__: 'empty' }),
        timestamps: new Float64Array(0),
        values: new Float64Array(0),
      },
    ]);
    expect(mem.committed).toBe(true);
    expect(meta!.stats).toMatchObject({ numSamples: 503, numSeries: 2 });
    // 500 samples at 10s, 640 before the 2h boundary: the head predicts 128-sample chunks → 4, plus `a`.
    expect(meta!.stats.numChunks).toBe(5);
    expect(meta!.maxTime).toBe(t[499]! + 1);
    expect(mem.files.get('tombstones')).toEqual(EMPTY_TOMBSTONES);
    const { series } = await readBack(mem);
    expect(series.map((s) => s.labels)).toEqual([
      labelsFrom({ __name__: 'a' }),
      labelsFrom({ __name__: 'b', x: '1' }),
    ]);
    const b = series[1]!;
    expect(b.t).toEqual(Array.from(t));
    expect(isStaleNaN(b.v, 100)).toBe(true);
    expect(Number.isNaN(b.v[101]!) && !isStaleNaN(b.v, 101)).toBe(true);
    for (let i = 0; i < 500; i++) if (i !== 100 && i !== 101) expect(b.v[i]).toBe(v[i]);
  });

  it('splits chunk segments at the configured size and the reader follows the refs', async () => {
    const mem = new MemoryBlockSink();
    const rnd = new Random(50);
    const series = Array.from({ length: 50 }, (_, s) => ({
      labels: labelsFrom({ __name__: 'm', s: String(s).padStart(2, '0') }),
      timestamps: Float64Array.from({ length: 400 }, (_, i) => i * 1000 + s),
      values: Float64Array.from({ length: 400 }, () => rnd.next()),
    }));
    await writeBlock(sinkFor(mem), series, { segmentSize: 8 * 1024, tombstones: false });
    const segs = [...mem.files.keys()].filter((k) => k.startsWith('chunks/')).sort();
    expect(segs.length).toBeGreaterThan(3);
    expect(segs[0]).toBe('chunks/000001');
    for (const k of segs) expect(mem.files.get(k)!.length).toBeLessThanOrEqual(8 * 1024);
    expect(mem.files.has('tombstones')).toBe(false);
    const back = await readBack(mem);
    expect(back.series.map((s) => s.t)).toEqual(series.map((s) => Array.from(s.timestamps)));
  });

  it('puts meta.json last, after every other file is complete', async () => {
    const events: string[] = [];
    const sink: BlockSink = {
      async put(name: string, data: SinkData) {
        events.push(`start ${name}`);
        if (!(data instanceof Uint8Array))
          for await (const _ of data as unknown as AsyncIterable<Uint8Array>);
        events.push(`end ${name}`);
      },
    };
    await writeBlock(
      () => sink,
      [
        {
          labels: labelsFrom({ __name__: 'x' }),
          timestamps: Float64Array.of(1, 2),
          values: Float64Array.of(1, 2),
        },
      ],
    );
    expect(events.at(-2)).toBe('start meta.json');
    expect(events.at(-1)).toBe('end meta.json');
    expect(events.filter((e) => e.startsWith('end')).length).toBe(4);
  });

  it('rejects unsorted timestamps and duplicate series', async () => {
    const mem = new MemoryBlockSink();
    const l = labelsFrom({ __name__: 'x' });
    await expect(
      writeBlock(sinkFor(mem), [
        { labels: l, timestamps: Float64Array.of(2, 1), values: Float64Array.of(1, 2) },
      ]),
    ).rejects.toThrow(BadDataError);
    const one = { labels: l, timestamps: Float64Array.of(1), values: Float64Array.of(1) };
    await expect(writeBlock(sinkFor(mem), [one, one])).rejects.toThrow(/duplicate series/);
  });

  it('writes no block without samples', async () => {
    const mem = new MemoryBlockSink();
    expect(await writeBlock(sinkFor(mem), [])).toBeUndefined();
    expect(mem.files.has('meta.json')).toBe(false);
  });
});

describe('IndexWriter', () => {
  it('rejects symbols and series out of order', async () => {
    const w = new IndexWriter(new MemoryBlockSink());
    expect(() => w.addSymbols(['b', 'a'])).toThrow(/out-of-order/);
    const w2 = new IndexWriter(new MemoryBlockSink());
    w2.addSymbols(['', '__name__', 'a', 'b']);
    w2.addSeries(labelsFrom({ __name__: 'b' }), [{ minTime: 0, maxTime: 1, ref: 8 }]);
    expect(() => w2.addSeries(labelsFrom({ __name__: 'a' }), [])).toThrow(/out-of-order series/);
    expect(() => w2.addSeries(labelsFrom({ __name__: 'c' }), [])).toThrow(/symbol entry/);
  });
});

describe('HeadBlockBuilder (promtool backfill head semantics)', () => {
  it('drops out-of-order and duplicate samples within a batch, rejects them across batches', async () => {
    const h = new HeadBlockBuilder({ chunkRange: 2 * H2 });
    const r = h.seriesRef([
      { name: '__name__', value: 'm' },
      { name: 'empty', value: '' },
    ]);
    h.append(r, 10, 1);
    h.append(r, 20, 2);
    h.append(r, 15, 9); // older, same batch: dropped
    h.append(r, 20, 7); // same ts, other value, same batch: dropped
    expect(h.numSamples).toBe(2);
    expect(h.numDropped).toBe(2);
    h.commit();
    h.append(r, 20, 2); // exact duplicate of the committed newest: dropped silently
    expect(() => h.append(r, 20, 3)).toThrow('duplicate sample for timestamp');
    expect(() => h.append(r, 19, 3)).toThrow('out of order sample');
    expect(() =>
      h.seriesRef([
        { name: '__name__', value: 'a' },
        { name: 'x', value: '1' },
        { name: 'x', value: '2' },
      ]),
    ).toThrow(/not unique/);
    // The empty label is gone: the same series as without it.
    expect(h.seriesRef([{ name: '__name__', value: 'm' }])).toBe(r);
    const mem = new MemoryBlockSink();
    const meta = await h.flush(sinkFor(mem));
    expect(meta).toMatchObject({
      minTime: 10,
      maxTime: 21,
      stats: { numSamples: 2, numSeries: 1 },
    });
    const { series } = await readBack(mem);
    expect(series[0]!.t).toEqual([10, 20]);
  });
});
