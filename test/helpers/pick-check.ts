/**
 * @module test/helpers/pick-check — readSeries with SelectHints.pickAt against readSeries
 * without, through the engine's selectVector: random series (HA replicas, chunks overlapping at a
 * seam, stale markers, gaps past the lookback), random steps, offsets and lookbacks; every step
 * must select the same, from no more samples. Used with the JS decoders and the WASM codec.
 */
import { expect } from 'vitest';
import { XorAppender } from '../../core/chunkenc/xor.ts';
import { STALE_NAN } from '../../core/chunkenc/stale.ts';
import { labelsFrom } from '../../core/labels/labels.ts';
import { QueryLimits } from '../../core/promql/engine/limits.ts';
import { selectVector } from '../../core/promql/engine/selector.ts';
import type { RawSeries } from '../../core/promql/storage/queryable.ts';
import { tsBatchDecoder, type BatchDecoder } from '../../core/query/decoder.ts';
import { readSeries } from '../../core/query/series-reader.ts';
import type { AggrChunk, SeriesFrame } from '../../core/storeapi/store.ts';
import { Random } from './random.ts';

/** A raw XOR chunk of `points` as a store sends it. */
export function chunk(points: readonly (readonly [number, number])[]): AggrChunk {
  const app = new XorAppender();
  for (const [t, v] of points) app.append(t, v);
  return {
    minTime: points[0]![0],
    maxTime: points.at(-1)![0],
    raw: { encoding: 'XOR', data: app.bytes() },
  };
}

export async function checkPickAt(decoder: BatchDecoder, rounds = 30): Promise<void> {
  const r = new Random(21);
  for (let round = 0; round < rounds; round++) {
    const frames: SeriesFrame[] = [];
    for (let s = 0; s < 12; s++) {
      for (const replica of r.int(3) === 0 ? ['a', 'b'] : ['a']) {
        const pts: [number, number][] = [];
        let t = r.int(50_000);
        for (let i = 0, n = 1 + r.int(200); i < n; i++) {
          t += 1 + r.int(r.int(4) === 0 ? 120_000 : 20_000);
          pts.push([t, r.int(20) === 0 ? STALE_NAN : r.int(1000) / 7]);
        }
        const cut = r.int(pts.length);
        const back = Math.max(0, cut - r.int(3));
        frames.push({
          type: 'series',
          labels: labelsFrom({ __name__: 'x', replica, s: String(s).padStart(2, '0') }),
          chunks: [pts.slice(0, cut), pts.slice(back)].filter((c) => c.length > 0).map(chunk),
        });
      }
    }
    const step = 1 + r.int(60_000);
    const start = r.int(100_000);
    const times = Float64Array.from({ length: 1 + r.int(300) }, (_, i) => start + i * step);
    const offset = r.int(2) ? 0 : r.int(100_000) - 50_000;
    const opts = { offset, lookbackDelta: 1 + r.int(300_000) };
    const select = async (using: BatchDecoder, pickAt?: Float64Array) => {
      async function* source(): AsyncGenerator<SeriesFrame> {
        yield* frames;
      }
      const set = readSeries(source(), {
        mint: -1e9,
        maxt: 1e12,
        decoder: using,
        replicaLabels: new Set(['replica']),
        batchSamples: 300,
        ...(pickAt ? { pickAt } : {}),
      });
      // Every batch is read before any is used: nothing may still point into the decoder.
      const batches: (readonly RawSeries[])[] = [];
      for await (const batch of set) batches.push(batch);
      let samples = 0;
      const out: string[] = [];
      const limits = new QueryLimits({
        maxSamples: Infinity,
        deadline: Infinity,
        maxBytes: Infinity,
      });
      for (const b of batches) {
        for (const s of b) samples += s.t.length;
        for (const s of selectVector(b, times, opts, limits)) {
          out.push(`${s.labels.map((l) => l.value)} ${[...s.values]} ${[...s.present]}`);
        }
      }
      return { out, samples };
    };
    const all = await select(tsBatchDecoder);
    const picked = await select(
      decoder,
      times.map((t) => t - offset),
    );
    expect(picked.out).toEqual(all.out);
    expect(picked.samples).toBeLessThanOrEqual(all.samples);
    if (round === 0) expect(all.out.length).toBeGreaterThan(0);
  }
}
