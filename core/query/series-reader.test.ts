import { describe, expect, it } from 'vitest';
import { labelsFrom } from '../labels/labels.ts';
import type { AggrChunk, SeriesFrame } from '../storeapi/store.ts';
import { tsBatchDecoder, type BatchDecoder } from './decoder.ts';
import { readSeries } from './series-reader.ts';
import { checkPickAt, chunk } from '../../test/helpers/pick-check.ts';
import { batchDone } from '../promql/storage/batch-done.ts';
import { seriesSetOf, type Queryable, type RawSeries } from '../promql/storage/queryable.ts';
import { Engine } from '../promql/engine/engine.ts';

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

describe('readSeries: a batch the engine is done with lends its memory to the next', () => {
  const frames: SeriesFrame[] = [];
  for (let s = 0; s < 40; s++) {
    const pts: [number, number][] = [];
    for (let i = 0; i < 60; i++) pts.push([i * 15_000 + s, s * 1000 + i * ((s % 3) + 1)]);
    frames.push({
      type: 'series',
      labels: labelsFrom({ __name__: 'x', s: String(s).padStart(2, '0'), job: `j${s % 4}` }),
      chunks: [chunk(pts.slice(0, 30)), chunk(pts.slice(30))],
    });
  }
  const open = (batchSamples: number) => {
    async function* source(): AsyncGenerator<SeriesFrame> {
      yield* frames;
    }
    return readSeries(source(), { mint: 0, maxt: 1e9, decoder: tsBatchDecoder, batchSamples });
  };
  const text = (b: readonly { t: Float64Array; v: Float64Array }[]) =>
    b.map((s) => `${[...s.t]} ${[...s.v]}`);

  it('reuses a batch said done, and never touches one that is kept', async () => {
    const kept: (readonly RawSeries[])[] = [];
    const keptText: string[][] = [];
    for await (const batch of open(200)) {
      kept.push(batch);
      keptText.push(text(batch));
    }
    expect(kept.length).toBeGreaterThan(5);
    // Nothing said done: every batch still holds what it was handed out with.
    expect(kept.map(text)).toEqual(keptText);

    const buffers: ArrayBufferLike[] = [];
    const doneText: string[][] = [];
    for await (const batch of open(200)) {
      buffers.push(batch[0]!.t.buffer);
      doneText.push(text(batch));
      batchDone(batch);
    }
    expect(doneText).toEqual(keptText);
    // The second batch was decoded into the first one's memory.
    expect(buffers[1]).toBe(buffers[0]);
  });

  it('hands a batch said done to the next read too, never one a read keeps', async () => {
    // One read (a query) keeps its batches while another says each done.
    const kept: (readonly RawSeries[])[] = [];
    const keeping = open(200)[Symbol.asyncIterator]();
    const done: ArrayBufferLike[] = [];
    let keptText: string[] = [];
    for await (const batch of open(200)) {
      const next = await keeping.next();
      if (!next.done) {
        kept.push(next.value);
        keptText = keptText.concat(text(next.value));
      }
      done.push(batch[0]!.t.buffer);
      batchDone(batch);
    }
    for (let next = await keeping.next(); !next.done; next = await keeping.next()) {
      kept.push(next.value);
      keptText = keptText.concat(text(next.value));
    }
    expect(kept.flatMap(text)).toEqual(keptText);
    const keptBuffers = new Set(kept.map((b) => b[0]!.t.buffer));
    for (const b of done) expect(keptBuffers.has(b)).toBe(false);
    // A later read (the next query) starts in memory the last one said done with.
    const later = await open(200)[Symbol.asyncIterator]().next();
    expect(done).toContain(later.value![0]!.t.buffer);
  });

  it('gives the engine the same answers as series held in memory', async () => {
    const all: RawSeries[] = [];
    for await (const batch of open(1 << 20)) for (const s of batch) all.push(s);
    expect(all).toHaveLength(40);
    const held: Queryable = { select: () => seriesSetOf(all) };
    const streamed: Queryable = { select: () => open(150) };
    const queries = [
      'x',
      'rate(x[1m])',
      'avg_over_time(x[2m])',
      'sum by (job) (rate(x[1m]))',
      'sum by (job) (x)',
      'max_over_time(x[90s]) - min_over_time(x[90s])',
      'absent_over_time(x[1m])',
      'topk(3, x)',
    ];
    for (const q of queries) {
      const want = await new Engine(held).rangeQuery(q, 60_000, 800_000, 20_000);
      const got = await new Engine(streamed).rangeQuery(q, 60_000, 800_000, 20_000);
      expect(got.value, q).toEqual(want.value);
    }
    const at = await new Engine(streamed).instantQuery('x[1m]', 600_000);
    const wantAt = await new Engine(held).instantQuery('x[1m]', 600_000);
    expect(at.value).toEqual(wantAt.value);
  });
});

describe('readSeries: long series share the reused memory too', () => {
  // 12,000 samples: 96 KB columns, over the engine's 64 KiB blocks (each once took a fresh buffer).
  const SAMPLES = 12_000;
  const frames: SeriesFrame[] = [];
  for (let s = 0; s < 4; s++) {
    const chunks: AggrChunk[] = [];
    for (let from = 0; from < SAMPLES; from += 120) {
      const pts: [number, number][] = [];
      for (let i = from; i < from + 120; i++) pts.push([i * 15_000, s * 1e6 + i]);
      chunks.push(chunk(pts));
    }
    frames.push({ type: 'series', labels: labelsFrom({ __name__: 'x', s: String(s) }), chunks });
  }

  it('decodes the next batch into the columns of one said done, with every sample right', async () => {
    async function* source(): AsyncGenerator<SeriesFrame> {
      yield* frames;
    }
    const buffers: ArrayBufferLike[] = [];
    let n = 0;
    for await (const batch of readSeries(source(), {
      mint: 0,
      maxt: 1e12,
      decoder: tsBatchDecoder,
      batchSamples: SAMPLES,
    })) {
      for (const s of batch) {
        expect(s.t.length).toBe(SAMPLES);
        const k = n++;
        expect(s.t.every((t, i) => t === i * 15_000)).toBe(true);
        expect(s.v.every((v, i) => v === k * 1e6 + i)).toBe(true);
        // Both columns of a series come from one block (compared as a boolean: a failure would
        // otherwise print both buffers whole).
        expect(s.v.buffer === s.t.buffer).toBe(true);
      }
      buffers.push(batch[0]!.t.buffer);
      batchDone(batch);
    }
    expect(n).toBe(4);
    expect(buffers.length).toBeGreaterThan(1);
    expect(buffers[1] === buffers[0]).toBe(true);
  });
});
