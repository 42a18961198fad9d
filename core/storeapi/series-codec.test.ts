/**
 * The hand-written SeriesResponse codec against protobufjs (the generated storepb code): the same
 * bytes for every series, the same series back from any bytes protobufjs accepts, and the same
 * errors (through the fallback) for bytes it refuses.
 */
import { describe, expect, it } from 'vitest';
import { thanos } from './proto/gen/storepb.js';
import { appendSeriesFrame, decodeSeriesFrame, encodeSeriesFrame } from './codec.ts';
import { FrameBuffer, frame, readFrames } from './framing.ts';
import { decodeSeriesResponse, encodeSeriesResponse } from './series-codec.ts';
import type { AggrChunk, ChunkData, ChunkEncoding, SeriesFrame } from './store.ts';
import { Random } from '../../test/helpers/random.ts';

const ENCODINGS: ChunkEncoding[] = ['XOR', 'HISTOGRAM', 'FLOAT_HISTOGRAM'];
const FIELDS = ['raw', 'count', 'sum', 'min', 'max', 'counter'] as const;

function randomString(r: Random): string {
  switch (r.int(6)) {
    case 0:
      return '';
    case 1:
      return 'ünïcødé-✓-' + String.fromCodePoint(0x1f600 + r.int(50));
    case 2:
      return 'x'.repeat(60 + r.int(200));
    default:
      return `v${r.int(10 ** 6)}_${'abc'.slice(r.int(3))}`;
  }
}

function randomTime(r: Random): number {
  switch (r.int(5)) {
    case 0:
      return 0;
    case 1:
      return -r.int(2 ** 31) * (1 + r.int(1000));
    case 2:
      return Number.MAX_SAFE_INTEGER - r.int(1000);
    case 3:
      return -Number.MAX_SAFE_INTEGER + r.int(1000);
    default:
      return 1_700_000_000_000 + r.int(10 ** 9);
  }
}

function randomChunk(r: Random): ChunkData {
  const data = new Uint8Array(r.int(4) === 0 ? 0 : 1 + r.int(300));
  for (let i = 0; i < data.length; i++) data[i] = r.int(256);
  return { encoding: ENCODINGS[r.int(3)]!, data };
}

function randomSeries(r: Random): {
  labels: { name: string; value: string }[];
  chunks: AggrChunk[];
} {
  const labels = Array.from({ length: r.int(8) }, () => ({
    name: randomString(r),
    value: randomString(r),
  }));
  const chunks = Array.from({ length: r.int(6) }, () => {
    const c: { -readonly [K in keyof AggrChunk]: AggrChunk[K] } = {
      minTime: randomTime(r),
      maxTime: randomTime(r),
    };
    for (const f of FIELDS) if (r.int(f === 'raw' ? 2 : 4) === 0) c[f] = randomChunk(r);
    return c;
  });
  return { labels, chunks };
}

/** protobufjs's bytes for the same series, as the codec wrote them before this module. */
function protobufjsBytes(s: ReturnType<typeof randomSeries>, hash?: number): Uint8Array {
  const pb = (c: ChunkData | undefined): thanos.IChunk | null =>
    c ? { type: ENCODINGS.indexOf(c.encoding), data: c.data, ...(hash ? { hash } : {}) } : null;
  return thanos.SeriesResponse.encode({
    series: {
      labels: s.labels,
      chunks: s.chunks.map((c) => ({
        min_time: c.minTime,
        max_time: c.maxTime,
        raw: pb(c.raw),
        count: pb(c.count),
        sum: pb(c.sum),
        min: pb(c.min),
        max: pb(c.max),
        counter: pb(c.counter),
      })),
    },
  }).finish();
}

/** Chunk bytes as plain Uint8Arrays (protobufjs gives Node Buffers for empty ones). */
function plain(f: SeriesFrame | string): SeriesFrame | string {
  if (typeof f === 'string' || f.type !== 'series') return f;
  const chunks = f.chunks.map((c) => {
    const out: { -readonly [K in keyof AggrChunk]: AggrChunk[K] } = { ...c };
    for (const k of FIELDS) {
      const d = c[k];
      if (d) out[k] = { encoding: d.encoding, data: Uint8Array.from(d.data) };
    }
    return out;
  });
  return { ...f, chunks };
}

/** protobufjs's reading of the bytes, mapped as decodeSeriesFrame maps it. */
function protobufjsFrame(bytes: Uint8Array): SeriesFrame | string {
  try {
    const m = thanos.SeriesResponse.decode(bytes);
    // decodeSeriesFrame refuses a frame with none of the three.
    if (!m.series) return typeof m.warning === 'string' || m.hints ? 'not a series' : 'error';
    const chunk = (c: thanos.IChunk | null | undefined): ChunkData | undefined =>
      c
        ? { encoding: ENCODINGS[c.type ?? 0] ?? 'XOR', data: c.data ?? new Uint8Array(0) }
        : undefined;
    return {
      type: 'series',
      labels: (m.series.labels ?? []).map((l) => ({ name: l.name ?? '', value: l.value ?? '' })),
      chunks: (m.series.chunks ?? []).map((c) => {
        const out: { -readonly [K in keyof AggrChunk]: AggrChunk[K] } = {
          minTime: Number(c.min_time ?? 0),
          maxTime: Number(c.max_time ?? 0),
        };
        for (const f of FIELDS) {
          const d = chunk(c[f]);
          if (d) out[f] = d;
        }
        return out;
      }),
    };
  } catch {
    return 'error';
  }
}

describe('SeriesResponse codec', () => {
  it('writes the bytes protobufjs writes and reads them back, for 1,500 random series', () => {
    const r = new Random(3);
    let chunks = 0;
    for (let i = 0; i < 1500; i++) {
      const s = randomSeries(r);
      const ours = encodeSeriesResponse(s.labels, s.chunks);
      expect(ours).toEqual(Uint8Array.from(protobufjsBytes(s)));
      expect(decodeSeriesResponse(ours)).toEqual(s);
      expect(decodeSeriesFrame(ours)).toEqual({ type: 'series', ...s });
      chunks += s.chunks.length;
    }
    expect(chunks).toBeGreaterThan(2500);
  });

  it('reads fields it does not keep (a chunk hash) as protobufjs does', () => {
    const r = new Random(4);
    for (let i = 0; i < 200; i++) {
      const s = randomSeries(r);
      const bytes = Uint8Array.from(protobufjsBytes(s, 1 + r.int(2 ** 30)));
      expect(decodeSeriesResponse(bytes)).toEqual(s);
    }
  });

  it('gives protobufjs answer or its error for every truncation and corruption', () => {
    const r = new Random(5);
    let fallbacks = 0;
    for (let i = 0; i < 400; i++) {
      const s = randomSeries(r);
      const good = encodeSeriesResponse(s.labels, s.chunks);
      const variants: Uint8Array[] = [good.subarray(0, r.int(good.length + 1))];
      const flipped = good.slice();
      if (flipped.length > 0) flipped[r.int(flipped.length)] ^= 1 << r.int(8);
      variants.push(flipped);
      for (let k = 1; k <= 3; k++) {
        const replaced = good.slice();
        for (let j = 0; j < k && replaced.length > 0; j++)
          replaced[r.int(replaced.length)] = r.int(256);
        variants.push(replaced);
      }
      for (const bytes of variants) {
        const want = protobufjsFrame(bytes);
        if (decodeSeriesResponse(bytes) === undefined) fallbacks++;
        let got: SeriesFrame | string;
        try {
          got = decodeSeriesFrame(bytes);
          if (got.type !== 'series') got = 'not a series';
        } catch {
          got = 'error';
        }
        expect(plain(got)).toEqual(plain(want));
      }
    }
    // Not vacuous: many variants were left to protobufjs.
    expect(fallbacks).toBeGreaterThan(300);
  });

  it('leaves warning and hints frames to protobufjs', () => {
    const warning: SeriesFrame = { type: 'warning', warning: 'store 2 is down' };
    expect(decodeSeriesResponse(encodeSeriesFrame(warning))).toBeUndefined();
    expect(decodeSeriesFrame(encodeSeriesFrame(warning))).toEqual(warning);
  });

  it('writes a stream of frames in place into a reused buffer, byte for byte as one by one', async () => {
    const r = new Random(21);
    const frames: SeriesFrame[] = [];
    for (let i = 0; i < 400; i++) {
      const k = r.int(20);
      if (k === 0) frames.push({ type: 'warning', warning: `store ${i} is down` });
      else frames.push({ type: 'series', ...randomSeries(r) });
    }
    // A small buffer, taken at random: growth, reuse after take, and frames across batches.
    const out = new FrameBuffer(64);
    const batches: Uint8Array[] = [];
    for (const f of frames) {
      appendSeriesFrame(out, f);
      if (r.int(5) === 0) batches.push(out.take());
    }
    batches.push(out.take());
    const wire = new Uint8Array(batches.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of batches) {
      wire.set(b, at);
      at += b.length;
    }
    const oneByOne = frames.map((f) => frame(encodeSeriesFrame(f)));
    expect(wire).toEqual(Uint8Array.from(oneByOne.flatMap((b) => Array.from(b))));
    async function* chunks(): AsyncGenerator<Uint8Array> {
      yield* batches;
    }
    const back: SeriesFrame[] = [];
    for await (const b of readFrames(chunks()))
      back.push(plain(decodeSeriesFrame(b)) as SeriesFrame);
    expect(back).toEqual(frames.map((f) => plain(f)));
  });
});
