import { describe, expect, it } from 'vitest';
import { XorAppender } from '../chunkenc/xor.ts';
import { labelsFrom } from '../labels/labels.ts';
import type { AggrChunk, SeriesFrame } from '../storeapi/store.ts';
import { tsBatchDecoder } from './decoder.ts';
import { readSeries } from './series-reader.ts';

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
