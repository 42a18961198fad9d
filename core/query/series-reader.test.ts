import { describe, expect, it } from 'vitest';
import { labelsFrom } from '../labels/labels.ts';
import type { AggrChunk, SeriesFrame } from '../storeapi/store.ts';
import { tsBatchDecoder, type BatchDecoder } from './decoder.ts';
import { readSeries } from './series-reader.ts';
import { checkPickAt, chunk } from '../../test/helpers/pick-check.ts';

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
  it('selects at every step exactly as over all samples, with replicas, overlaps and stale markers', async () => {
    // In JS, on a decoder that reuses its memory as the WASM one does (the kernel itself:
    // sidecar-agent/pick-wasm.test.ts).
    await checkPickAt(reusingDecoder());
  });
});
