import { describe, expect, it } from 'vitest';
import { XorAppender } from '../chunkenc/xor.ts';
import { labelsFrom } from '../labels/labels.ts';
import type { AggrChunk, SeriesFrame } from '../storeapi/store.ts';
import { tsBatchDecoder, type BatchDecoder } from './decoder.ts';
import { readSeries } from './series-reader.ts';
import { STALE_NAN } from '../chunkenc/stale.ts';
import { QueryLimits } from '../promql/engine/limits.ts';
import { selectVector } from '../promql/engine/selector.ts';
import type { RawSeries } from '../promql/storage/queryable.ts';
import { Random } from '../../test/helpers/random.ts';

function chunk(points: readonly (readonly [number, number])[]): AggrChunk {
  const app = new XorAppender();
  for (const [t, v] of points) app.append(t, v);
  return {
    minTime: points[0]![0],
    maxTime: points.at(-1)![0],
    raw: { encoding: 'XOR', data: app.bytes() },
  };
}

async function read(chunks: AggrChunk[]) {
  async function* frames(): AsyncGenerator<SeriesFrame> {
    yield { type: 'series', labels: labelsFrom({ __name__: 'x' }), chunks };
  }
  const out: { t: number[]; v: number[] }[] = [];
  for await (const batch of readSeries(frames(), { mint: 0, maxt: 1e9, decoder: tsBatchDecoder }))
    for (const s of batch) out.push({ t: [...s.t], v: [...s.v] });
  return out;
}

describe('readSeries: chunk runs of one series', () => {
  it('in order: concatenated as they are', async () => {
    const got = await read([
      chunk([
        [1, 1],
        [2, 2],
      ]),
      chunk([
        [3, 3],
        [5, 5],
      ]),
    ]);
    expect(got).toEqual([{ t: [1, 2, 3, 5], v: [1, 2, 3, 5] }]);
  });
  it('overlapping at a seam only: merged by time, the first run winning equal timestamps', async () => {
    const got = await read([
      chunk([
        [1, 1],
        [4, 4],
        [6, 6],
      ]),
      chunk([
        [2, 20],
        [4, 40],
        [5, 50],
      ]),
      chunk([[7, 7]]),
    ]);
    expect(got).toEqual([{ t: [1, 2, 4, 5, 6, 7], v: [1, 20, 4, 50, 6, 7] }]);
  });
  it('a later chunk starting at the previous one last timestamp is a duplicate, dropped', async () => {
    const got = await read([
      chunk([
        [1, 1],
        [3, 3],
      ]),
      chunk([
        [3, 30],
        [4, 4],
      ]),
    ]);
    expect(got).toEqual([{ t: [1, 3, 4], v: [1, 3, 4] }]);
  });
});

/**
 * A decoder that, like the WASM codec, answers in memory it reuses: every call overwrites the
 * previous answer (with NaN first), so a series still pointing at it afterwards reads garbage.
 */
function reusingDecoder(): BatchDecoder {
  let t = new Float64Array(0);
  let v = new Float64Array(0);
  return {
    decode(chunks, mint, maxt) {
      t.fill(NaN);
      v.fill(NaN);
      const d = tsBatchDecoder.decode(chunks, mint, maxt);
      if (t.length < d.count) {
        t = new Float64Array(d.count * 2);
        v = new Float64Array(d.count * 2);
      }
      t.set(d.t.subarray(0, d.count));
      v.set(d.v.subarray(0, d.count));
      return {
        t: t.subarray(0, d.count),
        v: v.subarray(0, d.count),
        offsets: d.offsets,
        count: d.count,
      };
    },
  };
}

describe('readSeries: replicas read in place', () => {
  it('gives what fresh arrays give, whatever the batches and empty replicas', async () => {
    const frames: SeriesFrame[] = [];
    for (let s = 0; s < 30; s++) {
      for (const replica of ['a', 'b']) {
        // Replica b of every third series has nothing in the range; every fifth series has one replica.
        if (replica === 'b' && s % 5 === 0) continue;
        const from = replica === 'b' && s % 3 === 0 ? 5000 : 0;
        const pts: [number, number][] = [];
        for (let i = 0; i < 40; i++)
          pts.push([from + i * 10 + (replica === 'b' ? 3 : 0), s * 100 + i]);
        frames.push({
          type: 'series',
          labels: labelsFrom({ __name__: 'x', replica, s: String(s).padStart(2, '0') }),
          chunks: [chunk(pts.slice(0, 20)), chunk(pts.slice(20))],
        });
      }
    }
    const read = async (decoder: BatchDecoder) => {
      async function* source(): AsyncGenerator<SeriesFrame> {
        yield* frames;
      }
      const out: string[] = [];
      const set = readSeries(source(), {
        mint: 0,
        maxt: 1000,
        decoder,
        replicaLabels: new Set(['replica']),
        batchSamples: 100,
      });
      const batches: (readonly { t: Float64Array; v: Float64Array }[])[] = [];
      for await (const batch of set) batches.push(batch);
      // Read only after every batch was decoded: nothing may still point into the decoder's memory.
      for (const b of batches) for (const s of b) out.push(`${[...s.t]} ${[...s.v]}`);
      return out;
    };
    const want = await read(tsBatchDecoder);
    expect(want).toHaveLength(30);
    expect(await read(reusingDecoder())).toEqual(want);
  });
});

describe('readSeries: only the samples a vector selector picks (pickAt)', () => {
  const limits = () =>
    new QueryLimits({ maxSamples: Infinity, deadline: Infinity, maxBytes: Infinity });

  it('selects at every step exactly as over all samples, with replicas, overlaps and stale markers', async () => {
    const r = new Random(21);
    for (let round = 0; round < 30; round++) {
      const frames: SeriesFrame[] = [];
      for (let s = 0; s < 12; s++) {
        for (const replica of r.int(3) === 0 ? ['a', 'b'] : ['a']) {
          const pts: [number, number][] = [];
          let t = r.int(50_000);
          for (let i = 0, n = 1 + r.int(200); i < n; i++) {
            t += 1 + r.int(r.int(4) === 0 ? 120_000 : 20_000);
            pts.push([t, r.int(20) === 0 ? STALE_NAN : r.int(1000) / 7]);
          }
          // Two chunks that overlap at a random seam.
          const cut = r.int(pts.length);
          const back = Math.max(0, cut - r.int(3));
          const chunks = [pts.slice(0, cut), pts.slice(back)]
            .filter((c) => c.length > 0)
            .map(chunk);
          frames.push({
            type: 'series',
            labels: labelsFrom({ __name__: 'x', replica, s: String(s).padStart(2, '0') }),
            chunks,
          });
        }
      }
      const step = 1 + r.int(60_000);
      const start = r.int(100_000);
      const times = Float64Array.from({ length: 1 + r.int(300) }, (_, i) => start + i * step);
      const offset = r.int(2) ? 0 : r.int(100_000) - 50_000;
      const opts = { offset, lookbackDelta: 1 + r.int(300_000) };
      const instants = times.map((t) => t - offset);
      const select = async (pickAt?: Float64Array, decoder = tsBatchDecoder) => {
        async function* source(): AsyncGenerator<SeriesFrame> {
          yield* frames;
        }
        const set = readSeries(source(), {
          mint: -1e9,
          maxt: 1e12,
          decoder,
          replicaLabels: new Set(['replica']),
          batchSamples: 300,
          ...(pickAt ? { pickAt } : {}),
        });
        const batches: (readonly RawSeries[])[] = [];
        for await (const batch of set) batches.push(batch);
        let samples = 0;
        const out: string[] = [];
        for (const b of batches) {
          for (const s of b) samples += s.t.length;
          for (const s of selectVector(b, times, opts, limits())) {
            out.push(`${s.labels.map((l) => l.value)} ${[...s.values]} ${[...s.present]}`);
          }
        }
        return { out, samples };
      };
      const all = await select();
      const picked = await select(instants, reusingDecoder());
      expect(picked.out).toEqual(all.out);
      expect(picked.samples).toBeLessThanOrEqual(all.samples);
      if (round === 0) expect(all.out.length).toBeGreaterThan(0);
    }
  });
});
