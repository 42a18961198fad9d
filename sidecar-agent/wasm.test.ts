import { beforeAll, describe, expect, it } from 'vitest';
import { CorruptBlockError } from '../core/errors.ts';
import { STALE_NAN, isStaleNaN } from '../core/chunkenc/stale.ts';
import { makeSeries, type SeriesKind } from '../test/helpers/chunk-testdata.ts';
import { CorruptChunkBatchError, type XorBatchCodec } from '../core/chunkenc/wasm.ts';
import { XorAppender, decodeXor, xorSampleCount } from '../core/chunkenc/xor.ts';
import { Random } from '../test/helpers/random.ts';
import { loadXorCodecNode, loadXorModuleNode, newXorCodecNode } from './wasm.ts';

const KINDS: SeriesKind[] = ['counter', 'gauge', 'irregular', 'special', 'jumps'];

function encodeTs(t: Float64Array, v: Float64Array, legacyPadding = true): Uint8Array {
  const app = new XorAppender({ legacyPadding });
  for (let i = 0; i < t.length; i++) app.append(t[i]!, v[i]!);
  return app.bytes();
}

/** Reference: the TS decoder over each chunk, concatenated, with per-chunk offsets. */
function decodeTs(chunks: readonly Uint8Array[], mint: number, maxt: number) {
  let cap = 0;
  for (const c of chunks) cap += xorSampleCount(c);
  const t = new Float64Array(cap);
  const v = new Float64Array(cap);
  const offsets = new Uint32Array(chunks.length + 1);
  let k = 0;
  chunks.forEach((c, i) => {
    offsets[i] = k;
    k += decodeXor(c, mint, maxt, t, v, k);
  });
  offsets[chunks.length] = k;
  return { t: t.subarray(0, k), v: v.subarray(0, k), offsets, count: k };
}

const u32 = (a: Float64Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length * 2);

function expectSameBits(a: Float64Array, b: Float64Array): void {
  expect(a.length).toBe(b.length);
  const x = u32(a);
  const y = u32(b);
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) expect.fail(`word ${i} (sample ${i >> 1}): ${x[i]} != ${y[i]}`);
  }
}

function randomChunks(seed: number, count: number): Uint8Array[] {
  const r = new Random(seed);
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const kind = r.pick(KINDS);
    const n = r.chance(0.1) ? 1 + r.int(3) : r.chance(0.5) ? 120 : 1 + r.int(300);
    const s = makeSeries(kind, n, seed * 100_000 + i);
    out.push(encodeTs(s.t, s.v, r.chance(0.8)));
  }
  return out;
}

describe('WASM XOR codec (Node)', () => {
  let codec: XorBatchCodec;
  beforeAll(async () => {
    codec = await loadXorCodecNode();
    expect(await loadXorCodecNode()).toBe(codec);
  });

  it('decodes thousands of random chunks bit-exactly like the TS decoder', () => {
    for (let batch = 0; batch < 6; batch++) {
      const chunks = randomChunks(batch + 1, 600);
      const want = decodeTs(chunks, -Infinity, Infinity);
      const got = codec.decode(chunks, -Infinity, Infinity);
      expect(got.count).toBe(want.count);
      expect(Array.from(got.offsets)).toEqual(Array.from(want.offsets));
      expect(Array.from(got.t)).toEqual(Array.from(want.t));
      expectSameBits(got.v, want.v);
    }
  });

  it('clips to [mint, maxt] like the TS decoder', () => {
    const chunks = randomChunks(77, 300);
    const r = new Random(5);
    for (let rep = 0; rep < 20; rep++) {
      const mint = 1_700_000_000_000 + r.int(3_000_000);
      const maxt = mint + r.int(3_000_000);
      const want = decodeTs(chunks, mint, maxt);
      const got = codec.decode(chunks, mint, maxt, { copy: true });
      expect(Array.from(got.offsets)).toEqual(Array.from(want.offsets));
      expect(Array.from(got.t)).toEqual(Array.from(want.t));
      expectSameBits(got.v, want.v);
    }
    expect(codec.decode(chunks, NaN, Infinity).count).toBe(0);
    expect(codec.decode([], 0, 1).count).toBe(0);
  });

  it('decodes ranges of one segment-like buffer, and subarrays of it as a chunk list', () => {
    const parts = randomChunks(9, 50);
    const total = parts.reduce((a, c) => a + c.length + 7, 0);
    const seg = new Uint8Array(total).fill(0xee); // junk between chunks, like segment framing
    const starts: number[] = [];
    const lengths: number[] = [];
    let p = 3;
    parts.forEach((c, i) => {
      seg.set(c, p);
      starts.push(p);
      lengths.push(c.length);
      p += c.length + (i % 3);
    });
    // Out of order, and one chunk twice.
    [starts[10], starts[11]] = [starts[11]!, starts[10]!];
    [lengths[10], lengths[11]] = [lengths[11]!, lengths[10]!];
    starts.push(starts[0]!);
    lengths.push(lengths[0]!);
    const subs = starts.map((s, i) => seg.subarray(s, s + lengths[i]!));
    const want = decodeTs(subs, -Infinity, Infinity);
    for (const got of [
      codec.decode(subs, -Infinity, Infinity, { copy: true }),
      codec.decodeRanges(seg, Uint32Array.from(starts), lengths, -Infinity, Infinity),
    ]) {
      expect(Array.from(got.offsets)).toEqual(Array.from(want.offsets));
      expect(Array.from(got.t)).toEqual(Array.from(want.t));
      expectSameBits(got.v, want.v);
    }
    // Ranges outside the source are corrupt chunks, reported by index.
    const bad = () =>
      codec.decodeRanges(
        seg,
        [starts[0]!, seg.length - 10, -5],
        [lengths[0]!, 20, 10],
        -Infinity,
        Infinity,
      );
    expect(bad).toThrow(CorruptChunkBatchError);
    try {
      bad();
    } catch (e) {
      expect((e as CorruptChunkBatchError).badChunks).toEqual([1, 2]);
      expect((e as CorruptChunkBatchError).batch.count).toBe(xorSampleCount(parts[0]!));
    }
  });

  it('keeps the stale marker and NaN payloads', () => {
    const app = new XorAppender();
    app.append(1, 1);
    app.append(2, STALE_NAN);
    app.appendBits(3, 0xfff80000, 0xdeadbeef);
    app.append(4, -0);
    const got = codec.decode([app.bytes()], -Infinity, Infinity, { copy: true });
    expect(isStaleNaN(got.v, 1)).toBe(true);
    expect(Array.from(u32(got.v))).toEqual([
      0, 0x3ff00000, 2, 0x7ff00000, 0xdeadbeef, 0xfff80000, 0, 0x80000000,
    ]);
  });

  it('encodes the same bytes as XorAppender, both padding modes', () => {
    const r = new Random(3);
    const series = Array.from({ length: 500 }, (_, i) => {
      const n = i < 3 ? i : 1 + r.int(240);
      return makeSeries(KINDS[i % KINDS.length]!, n, 1000 + i);
    });
    for (const legacyPadding of [true, false]) {
      const got = codec.encode(series, { legacyPadding });
      series.forEach((s, i) => {
        const want = encodeTs(s.t, s.v, legacyPadding);
        if (Buffer.compare(Buffer.from(got[i]!), Buffer.from(want)) !== 0) {
          expect.fail(
            `series ${i}: ${Buffer.from(got[i]!).toString('hex')} != ${Buffer.from(want).toString('hex')}`,
          );
        }
      });
    }
    expect(() => codec.encode([{ t: new Float64Array([1.5]), v: new Float64Array([1]) }])).toThrow(
      /series 0/,
    );
    expect(() =>
      codec.encode([
        { t: new Float64Array(1), v: new Float64Array(1) },
        { t: new Float64Array([NaN]), v: new Float64Array(1) },
      ]),
    ).toThrow(/series 1/);
  });

  it('reports corrupt chunks by index, keeps the good ones, never traps or hangs', () => {
    const good = randomChunks(11, 20);
    const full = good[5]!;
    const chunks = good.slice();
    chunks[5] = full.subarray(0, full.length >> 1); // truncated
    chunks[8] = new Uint8Array([0]); // shorter than the header
    let err: unknown;
    try {
      codec.decode(chunks, -Infinity, Infinity);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CorruptChunkBatchError);
    expect(err).toBeInstanceOf(CorruptBlockError);
    const e = err as CorruptChunkBatchError;
    expect(e.badChunks).toEqual([5, 8]);
    expect(e.message).toMatch(/xor chunk 5/);
    const okOnly = decodeTs(
      good.filter((_, i) => i !== 5 && i !== 8),
      -Infinity,
      Infinity,
    );
    expect(Array.from(e.batch.t)).toEqual(Array.from(okOnly.t));
    expect(e.batch.offsets[6]! - e.batch.offsets[5]!).toBe(0);

    // Every truncation and random garbage: WASM fails exactly when the TS decoder does.
    const r = new Random(99);
    const cases: Uint8Array[] = [];
    for (let len = 0; len < full.length; len++) cases.push(full.subarray(0, len));
    for (let rep = 0; rep < 3000; rep++) {
      const junk = Uint8Array.from({ length: r.int(80) }, () => r.int(256));
      if (junk.length >= 2 && r.chance(0.7)) junk[0] = 0; // plausible sample counts
      cases.push(junk);
    }
    for (const c of cases) {
      let tsErr = false;
      let want: ReturnType<typeof decodeTs> | undefined;
      try {
        want = decodeTs([c], -Infinity, Infinity);
      } catch (x) {
        expect(x).toBeInstanceOf(CorruptBlockError);
        tsErr = true;
      }
      try {
        const got = codec.decode([c], -Infinity, Infinity);
        expect(tsErr).toBe(false);
        expect(Array.from(got.t)).toEqual(Array.from(want!.t));
        expectSameBits(got.v, want!.v);
      } catch (x) {
        expect(x).toBeInstanceOf(CorruptChunkBatchError);
        expect(tsErr).toBe(true);
      }
    }
  });

  it('grows memory for big batches; a fresh codec is independent', async () => {
    const s = makeSeries('gauge', 120, 1);
    const chunk = encodeTs(s.t, s.v);
    const many = Array.from({ length: 20_000 }, () => chunk); // 2.4M samples, ~40 MB of columns
    const own = await newXorCodecNode();
    const got = own.decode(many, -Infinity, Infinity);
    expect(got.count).toBe(2_400_000);
    expect(got.t[2_399_999]).toBe(s.t[119]);
    const small = own.decode([chunk], -Infinity, Infinity);
    expect(small.count).toBe(120);
  });

  it('raw kernel: hostile pointers and sizes give status codes, never traps', async () => {
    const inst = await WebAssembly.instantiate(await loadXorModuleNode(), {});
    const x = inst.exports as unknown as {
      memory: WebAssembly.Memory;
      heapBase(): number;
      decode(...a: number[]): number;
      encode(...a: number[]): number;
      pickInPlace(...a: number[]): number;
    };
    expect(x.decode(0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 64)).toBe(-5); // memory starts empty
    x.memory.grow(2);
    const memSize = x.memory.buffer.byteLength;
    const base = (x.heapBase() + 7) & ~7;
    const u32 = new Uint32Array(x.memory.buffer);
    const RANGE = -5;
    // Tables outside memory, negative counts, a region wrapping past 4 GiB.
    expect(x.decode(memSize - 4, 10, 0, 1, base, base, 0, base, base, base, 64)).toBe(RANGE);
    expect(x.decode(base, -1, 0, 1, base, base, 0, base, base, base, 64)).toBe(RANGE);
    expect(x.decode(base, 1, 0, 1, base + 64, base + 64, -1, base, base, base, 64)).toBe(RANGE);
    expect(x.decode(base, 1, 0, 1, base + 64, base + 64, 1 << 30, base, base, base, 64)).toBe(
      RANGE,
    );
    expect(x.decode(base, 0, 0, 1, base, base, 0, base, base, 0xffffff00, 0x200)).toBe(RANGE);
    // A descriptor pointing outside the input region, or at a huge length: per-chunk RANGE.
    const desc = base;
    const offs = base + 64;
    const status = base + 128;
    const outT = base + 256;
    const inPtr = base + 4096;
    u32[desc >> 2] = memSize - 8;
    u32[(desc >> 2) + 1] = 100;
    u32[(desc >> 2) + 2] = inPtr;
    u32[(desc >> 2) + 3] = 0xfffffff0;
    expect(
      x.decode(desc, 2, -Infinity, Infinity, outT, outT + 800, 100, offs, status, inPtr, 256),
    ).toBe(RANGE);
    expect(Array.from(new Int32Array(x.memory.buffer, status, 2))).toEqual([RANGE, RANGE]);
    // encode: series arrays outside memory, output too small.
    u32[desc >> 2] = memSize - 8;
    u32[(desc >> 2) + 1] = inPtr;
    u32[(desc >> 2) + 2] = 1000;
    expect(x.encode(desc, 1, inPtr + 1024, 1024, offs, 1)).toBe(RANGE);
    u32[desc >> 2] = inPtr;
    u32[(desc >> 2) + 2] = 100;
    new Float64Array(x.memory.buffer, inPtr, 200).fill(0);
    expect(x.encode(desc, 1, inPtr + 4096, 16, offs, 1)).toBe(-4);
    expect(x.encode(desc, 1, memSize - 16, 1 << 20, offs, 1)).toBe(RANGE);
    // pickInPlace: columns or instants outside memory, negative counts.
    expect(x.pickInPlace(memSize - 8, base, 2, base, 1)).toBe(RANGE);
    expect(x.pickInPlace(base, memSize - 8, 2, base, 1)).toBe(RANGE);
    expect(x.pickInPlace(base, base + 64, 2, memSize - 8, 2)).toBe(RANGE);
    expect(x.pickInPlace(base, base + 64, -1, base, 1)).toBe(RANGE);
    expect(x.pickInPlace(base, base + 64, 2, base, 0x7fffffff)).toBe(RANGE);
    // And in range: t = [10, 20, 30], instants [15, 40] pick 10 and 30.
    new Float64Array(x.memory.buffer, inPtr, 3).set([10, 20, 30]);
    new Float64Array(x.memory.buffer, inPtr + 64, 3).set([1, 2, 3]);
    new Float64Array(x.memory.buffer, inPtr + 128, 2).set([15, 40]);
    expect(x.pickInPlace(inPtr, inPtr + 64, 3, inPtr + 128, 2)).toBe(2);
    expect(Array.from(new Float64Array(x.memory.buffer, inPtr, 2))).toEqual([10, 30]);
    expect(Array.from(new Float64Array(x.memory.buffer, inPtr + 64, 2))).toEqual([1, 3]);
  });
});
