import { describe, expect, it } from 'vitest';
import { compareLabels, labelsFrom, type Label, type Labels } from '../../core/labels/labels.ts';
import { decodeSeriesFrame } from '../../core/storeapi/codec.ts';
import { readFrames } from '../../core/storeapi/framing.ts';
import { StoreUnavailableError } from '../../core/storeapi/errors.ts';
import { prometheus } from '../../core/storeapi/proto/gen/prompb.js';
import type { SeriesFrame } from '../../core/storeapi/store.ts';
import { SeriesTranscoder } from './series-transcoder.ts';
import { Random } from '../../test/helpers/random.ts';

interface InChunk {
  min: number;
  max: number;
  type?: number;
  data: Uint8Array;
}
interface InSeries {
  labels: Labels;
  chunks: InChunk[];
}

/** One remote-read message, encoded as Prometheus would (prompb, protobufjs). */
function message(series: InSeries[]): Uint8Array {
  return prometheus.ChunkedReadResponse.encode({
    chunked_series: series.map((s) => ({
      labels: s.labels.map((l) => ({ name: l.name, value: l.value })),
      chunks: s.chunks.map((c) => ({
        min_time_ms: c.min,
        max_time_ms: c.max,
        type: c.type ?? 1,
        data: c.data,
      })),
    })),
    query_index: 0,
  }).finish();
}

async function transcode(
  messages: Uint8Array[],
  ext: Labels,
  opts: { skipChunks?: boolean; limit?: number } = {},
): Promise<SeriesFrame[]> {
  const t = new SeriesTranscoder({
    externalLabels: ext,
    skipChunks: opts.skipChunks ?? false,
    limit: opts.limit ?? 0,
  });
  const batches: Uint8Array[] = [];
  for (const m of messages) {
    // The caller may reuse its buffer once push returns: scribble over it to prove nothing kept a view.
    const scratch = new Uint8Array(m); // a copy (protobufjs hands out Buffers, whose slice() is a view)
    t.push(scratch);
    scratch.fill(0xee);
    batches.push(t.take().slice()); // a view, overwritten by the next push
    if (t.full) break;
  }
  t.finish();
  batches.push(t.take().slice());
  const out: SeriesFrame[] = [];
  for await (const f of readFrames(
    (async function* () {
      yield* batches;
    })(),
  ))
    out.push(decodeSeriesFrame(f));
  return out;
}

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);
const summary = (frames: SeriesFrame[]) =>
  frames.map((f) =>
    f.type === 'series'
      ? {
          labels: f.labels,
          chunks: f.chunks.map((c) => [c.minTime, c.maxTime, c.raw?.encoding, [...c.raw!.data]]),
        }
      : f,
  );

describe('SeriesTranscoder', () => {
  it('adds external labels in order, replacing clashing own labels', async () => {
    const ext = labelsFrom({ cluster: 'c', zone: 'z' });
    const out = await transcode(
      [
        message([
          {
            labels: labelsFrom({ __name__: 'up', job: 'j' }),
            chunks: [{ min: 1, max: 2, data: bytes(0, 1, 5) }],
          },
          {
            labels: labelsFrom({ cluster: 'own', zz: '1' }),
            chunks: [{ min: 3, max: 4, data: bytes(0, 1, 6) }],
          },
        ]),
      ],
      ext,
    );
    expect(summary(out)).toEqual([
      {
        labels: labelsFrom({ __name__: 'up', cluster: 'c', job: 'j', zone: 'z' }),
        chunks: [[1, 2, 'XOR', [0, 1, 5]]],
      },
      {
        labels: labelsFrom({ cluster: 'c', zone: 'z', zz: '1' }),
        chunks: [[3, 4, 'XOR', [0, 1, 6]]],
      },
    ]);
  });

  it('joins a series Prometheus split over several messages', async () => {
    const labels = labelsFrom({ __name__: 'm', i: '1' });
    const out = await transcode(
      [
        message([{ labels, chunks: [{ min: 0, max: 9, data: bytes(1) }] }]),
        message([{ labels, chunks: [{ min: 10, max: 19, data: bytes(2) }] }]),
        message([
          { labels, chunks: [{ min: 20, max: 29, data: bytes(3) }] },
          {
            labels: labelsFrom({ __name__: 'm', i: '2' }),
            chunks: [{ min: 0, max: 1, data: bytes(4) }],
          },
        ]),
      ],
      labelsFrom({ r: 'a' }),
    );
    expect(summary(out)).toEqual([
      {
        labels: labelsFrom({ __name__: 'm', i: '1', r: 'a' }),
        chunks: [
          [0, 9, 'XOR', [1]],
          [10, 19, 'XOR', [2]],
          [20, 29, 'XOR', [3]],
        ],
      },
      { labels: labelsFrom({ __name__: 'm', i: '2', r: 'a' }), chunks: [[0, 1, 'XOR', [4]]] },
    ]);
  });

  it('reorders a series after one that extends it when the external labels change their order', async () => {
    // Prometheus order by own labels: {a=1} < {a=1,x=1}; with y added: {a=1,x=1,y} < {a=1,y}.
    const out = await transcode(
      [
        message([
          { labels: labelsFrom({ a: '1' }), chunks: [{ min: 0, max: 1, data: bytes(1) }] },
          { labels: labelsFrom({ a: '1', x: '1' }), chunks: [{ min: 0, max: 1, data: bytes(2) }] },
          { labels: labelsFrom({ b: '1' }), chunks: [{ min: 0, max: 1, data: bytes(3) }] },
        ]),
      ],
      labelsFrom({ y: 'e' }),
    );
    expect(out.map((f) => (f.type === 'series' ? f.labels : []))).toEqual([
      labelsFrom({ a: '1', x: '1', y: 'e' }),
      labelsFrom({ a: '1', y: 'e' }),
      labelsFrom({ b: '1', y: 'e' }),
    ]);
  });

  it('maps chunk encodings, keeps negative and 2^53-scale times, drops chunks on skipChunks, stops at the limit', async () => {
    const msg = message([
      {
        labels: labelsFrom({ s: '1' }),
        chunks: [
          { min: -5_000, max: -1, type: 1, data: bytes(9) },
          { min: 2 ** 50, max: 2 ** 52, type: 2, data: bytes(8) },
          { min: 0, max: 0, type: 3, data: bytes() },
        ],
      },
      { labels: labelsFrom({ s: '2' }), chunks: [{ min: 1, max: 2, data: bytes(7) }] },
      { labels: labelsFrom({ s: '3' }), chunks: [{ min: 1, max: 2, data: bytes(7) }] },
    ]);
    const all = await transcode([msg], []);
    expect(summary(all)[0]).toEqual({
      labels: labelsFrom({ s: '1' }),
      chunks: [
        [-5_000, -1, 'XOR', [9]],
        [2 ** 50, 2 ** 52, 'HISTOGRAM', [8]],
        [0, 0, 'FLOAT_HISTOGRAM', []],
      ],
    });
    const noChunks = await transcode([msg], [], { skipChunks: true });
    expect(noChunks.map((f) => (f.type === 'series' ? f.chunks.length : -1))).toEqual([0, 0, 0]);
    expect(await transcode([msg], [], { limit: 2 })).toHaveLength(2);
  });

  it('rejects unknown chunk encodings and malformed messages with a StoreUnavailableError', async () => {
    const unknown = message([
      { labels: labelsFrom({ s: '1' }), chunks: [{ min: 0, max: 1, type: 0, data: bytes(1) }] },
    ]);
    await expect(transcode([unknown], [])).rejects.toThrow(/unknown encoding 0/);
    const good = message([
      { labels: labelsFrom({ s: '1' }), chunks: [{ min: 0, max: 1, data: bytes(1, 2, 3) }] },
    ]);
    for (const cut of [1, 3, good.length - 2]) {
      const err = await transcode([good.subarray(0, cut)], []).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect(String(err)).toMatch(/malformed ChunkedReadResponse at byte \d+ of \d+/);
    }
  });

  it('equals sorting the merged series, for random series, external labels and message splits', async () => {
    const rnd = new Random(7);
    const names = ['a', 'b', 'job', 'x', 'y', 'zone'];
    for (let round = 0; round < 200; round++) {
      const ext: Label[] = [];
      for (const n of names) if (rnd.int(5) === 0) ext.push({ name: n, value: `e${rnd.int(2)}` });
      const byKey = new Map<string, InSeries>();
      for (let i = 0, n = 1 + rnd.int(12); i < n; i++) {
        const own: Label[] = [];
        // A Prometheus's own series never carry its external label names.
        for (const name of names)
          if (rnd.int(2) === 0 && !ext.some((e) => e.name === name))
            own.push({ name, value: String(rnd.int(3)) });
        const key = JSON.stringify(own);
        if (byKey.has(key)) continue;
        const chunks: InChunk[] = [];
        for (let c = 0, k = 1 + rnd.int(4); c < k; c++)
          chunks.push({ min: c * 100, max: c * 100 + 99, data: bytes(round & 0xff, i, c) });
        byKey.set(key, { labels: own, chunks });
      }
      // Prometheus sorts by its own labels, adds the external ones, then splits into messages.
      const series = [...byKey.values()].sort((p, q) => compareLabels(p.labels, q.labels));
      const withExt = (own: Labels): Labels =>
        [...ext, ...own].sort((p, q) => (p.name < q.name ? -1 : 1));
      const pieces: InSeries[] = [];
      for (const s of series) {
        let at = 0;
        while (at < s.chunks.length) {
          const take = 1 + rnd.int(s.chunks.length - at);
          pieces.push({ labels: withExt(s.labels), chunks: s.chunks.slice(at, at + take) });
          at += take;
        }
      }
      const messages: Uint8Array[] = [];
      for (let at = 0; at < pieces.length;) {
        const take = 1 + rnd.int(3);
        messages.push(message(pieces.slice(at, at + take)));
        at += take;
      }
      const got = summary(await transcode(messages, ext));
      const want = series
        .map((s) => ({ labels: withExt(s.labels), chunks: s.chunks }))
        .sort((p, q) => compareLabels(p.labels, q.labels))
        .map((s) => ({
          labels: s.labels,
          chunks: s.chunks.map((c) => [c.min, c.max, 'XOR', [...c.data]]),
        }));
      expect(got, `round ${round}`).toEqual(want);
    }
  });
});
