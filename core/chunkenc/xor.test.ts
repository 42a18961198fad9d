import { describe, expect, it } from 'vitest';
import { CorruptBlockError } from '../errors.ts';
import { STALE_NAN, isStaleNaN } from './stale.ts';
import { Random } from '../../test/helpers/random.ts';
import { makeSeries, type SeriesKind } from '../../test/helpers/chunk-testdata.ts';
import { ENCODING_XOR, XorAppender, decodeXor, xorSampleCount } from './xor.ts';

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));
}

function encode(t: Float64Array, v: Float64Array, from = 0, to = t.length): Uint8Array {
  const app = new XorAppender();
  for (let i = from; i < to; i++) app.append(t[i]!, v[i]!);
  return app.bytes();
}

function decodeAll(chunk: Uint8Array, mint = -Infinity, maxt = Infinity) {
  const n = xorSampleCount(chunk);
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  const got = decodeXor(chunk, mint, maxt, t, v, 0);
  return { t: t.subarray(0, got), v: v.subarray(0, got) };
}

/** Values compared by their bits, so NaN payloads and -0 count. */
function bits(v: Float64Array): number[] {
  return Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length * 2));
}

describe('XOR chunk', () => {
  it('ENCODING_XOR is chunkenc.EncXOR', () => {
    expect(ENCODING_XOR).toBe(1);
  });

  it('writes the same bytes whatever buffer it starts with', () => {
    const rnd = new Random(7);
    const app = (initialBytes?: number) => new XorAppender({ initialBytes });
    const apps = [app(), app(1), app(16), app(64), app(200)];
    for (let i = 0; i < 240; i++) {
      // Irregular gaps and values: every encoding width, so the buffer grows at odd points.
      const t = 1_700_000_000_000 + i * 15_000 + Math.floor(rnd.next() * 3000);
      const v = rnd.next() < 0.5 ? i : rnd.next() * 1e6;
      for (const a of apps) a.append(t, v);
    }
    const want = apps[0]!.bytes();
    expect(want.length).toBeGreaterThan(256);
    for (const a of apps) expect(a.bytes()).toEqual(want);
  });

  // Chunk bytes copied from chunks/000001 of a block made by promtool 2.42
  // (`promtool tsdb create-blocks-from openmetrics`); test/integration/chunkenc/chunkenc-promtool.test.ts
  // re-derives them from a fresh block.
  it('matches golden bytes written by Prometheus 2.42', () => {
    const app = new XorAppender();
    const t0 = 1_700_000_000_000;
    app.append(t0, 1);
    app.append(t0 + 15_000, 2);
    app.append(t0 + 30_000, 2.5);
    app.appendBits(t0 + 45_000, 0x7ff80000, 0x00000001); // Go's math.NaN()
    app.append(t0 + 60_123, -0);
    app.append(t0 + 75_000, Infinity);
    expect(app.bytes()).toEqual(
      hex(
        '000680a0abfef9623ff00000000000009875c25fff6d06c5f7ff800000000000300f7800fff8000000000001bf0abffc00000000000000',
      ),
    );
    const one = new XorAppender();
    one.append(t0, 42);
    // Note the trailing zero byte of Prometheus 2.x's bstream.writeByte.
    expect(one.bytes()).toEqual(hex('000180a0abfef962404500000000000000'));
    expect(new XorAppender({ legacyPadding: false }).bytes()).toEqual(hex('0000'));
    const d = decodeAll(hex('000180a0abfef962404500000000000000'));
    expect(Array.from(d.t)).toEqual([t0]);
    expect(Array.from(d.v)).toEqual([42]);
  });

  it('legacyPadding=false drops only the extra byte', () => {
    const a = new XorAppender();
    const b = new XorAppender({ legacyPadding: false });
    a.append(5, 1);
    b.append(5, 1);
    expect(a.bytes().length).toBe(b.bytes().length + 1);
    expect(Array.from(a.bytes().subarray(0, b.bytes().length))).toEqual(Array.from(b.bytes()));
  });

  const kinds: SeriesKind[] = ['counter', 'gauge', 'irregular', 'special', 'jumps'];
  for (const kind of kinds) {
    it(`round-trips ${kind} series of 1..240 samples bit-exactly`, () => {
      const r = new Random(kind.length);
      for (let rep = 0; rep < 60; rep++) {
        const n = rep < 5 ? rep + 1 : rep === 5 ? 120 : 1 + r.int(240);
        const s = makeSeries(kind, n, rep * 7 + 1);
        const chunk = encode(s.t, s.v);
        expect(xorSampleCount(chunk)).toBe(n);
        const d = decodeAll(chunk);
        expect(Array.from(d.t)).toEqual(Array.from(s.t));
        expect(bits(d.v)).toEqual(bits(s.v));
      }
    });
  }

  it('keeps NaN payloads, the stale marker, ±Inf and -0', () => {
    const app = new XorAppender();
    const raw: [number, number][] = [
      [0x7ff00000, 2], // stale
      [0x7ff80000, 0],
      [0xfff80000, 0xdeadbeef],
      [0x7ff00000, 1], // signalling NaN
      [0x80000000, 0], // -0
      [0x7ff00000, 0], // +Inf
      [0xfff00000, 0], // -Inf
      [0x7ff00000, 2],
    ];
    raw.forEach(([hi, lo], i) => app.appendBits(1000 * i, hi, lo));
    app.append(9000, STALE_NAN);
    const d = decodeAll(app.bytes());
    const want = raw.flatMap(([hi, lo]) => [lo, hi]).concat([2, 0x7ff00000]);
    expect(bits(d.v)).toEqual(want);
    expect(isStaleNaN(d.v, 0)).toBe(true);
    expect(isStaleNaN(d.v, 1)).toBe(false);
    expect(isStaleNaN(d.v, 8)).toBe(true);
  });

  it('handles large and negative timestamps and huge jumps', () => {
    const ts = [-(2 ** 51), -1, 0, 2 ** 51, 2 ** 51 + 1, 2 ** 51 - 5, 7, 2 ** 52, 2 ** 53 - 1];
    const app = new XorAppender();
    ts.forEach((t, i) => app.append(t, i));
    const d = decodeAll(app.bytes());
    expect(Array.from(d.t)).toEqual(ts);
    // Deltas-of-deltas beyond ±(2^53-1) cannot be carried exactly in numbers: rejected on decode.
    const wide = new XorAppender();
    [-(2 ** 52), 2 ** 52, -(2 ** 52)].forEach((t) => wide.append(t, 1));
    expect(() => decodeAll(wide.bytes())).toThrow(/outside ±2\^53/);
    // A negative first delta is a 10-byte uvarint of the uint64 two's complement.
    const neg = new XorAppender();
    neg.append(100, 1);
    neg.append(50, 1);
    neg.append(60, 1);
    expect(Array.from(decodeAll(neg.bytes()).t)).toEqual([100, 50, 60]);
  });

  it('clips to [mint, maxt] and writes from `at`', () => {
    const s = makeSeries('counter', 120, 3);
    const chunk = encode(s.t, s.v);
    const mint = s.t[10]!;
    const maxt = s.t[99]!;
    const outT = new Float64Array(5 + 120);
    const outV = new Float64Array(5 + 120);
    const n = decodeXor(chunk, mint, maxt, outT, outV, 5);
    expect(n).toBe(90);
    expect(Array.from(outT.subarray(5, 95))).toEqual(Array.from(s.t.subarray(10, 100)));
    expect(bits(outV.subarray(5, 95))).toEqual(bits(s.v.subarray(10, 100)));
    expect(outT[4]).toBe(0);
    expect(decodeXor(chunk, s.t[119]! + 1, Infinity, outT, outV, 0)).toBe(0);
    expect(decodeXor(chunk, -Infinity, s.t[0]! - 1, outT, outV, 0)).toBe(0);
    expect(decodeXor(chunk, s.t[50]!, s.t[50]!, outT, outV, 0)).toBe(1);
    expect(outT[0]).toBe(s.t[50]);
    expect(() => decodeXor(chunk, 0, Infinity, new Float64Array(119), outV, 0)).toThrow(RangeError);
  });

  it('decodes an empty chunk to nothing', () => {
    expect(decodeAll(new XorAppender().bytes()).t.length).toBe(0);
  });

  it('rejects truncated and garbage chunks with CorruptBlockError, never hanging', () => {
    const s = makeSeries('irregular', 120, 9);
    const chunk = encode(s.t, s.v);
    const full = decodeAll(chunk);
    let thrown = 0;
    for (let len = 0; len < chunk.length; len++) {
      try {
        const d = decodeAll(chunk.subarray(0, len));
        // Only dropping padding can leave a decodable chunk, and then it decodes the same.
        expect(bits(d.v)).toEqual(bits(full.v));
      } catch (err) {
        expect(err).toBeInstanceOf(CorruptBlockError);
        thrown++;
      }
    }
    expect(thrown).toBeGreaterThan(chunk.length - 3);
    const r = new Random(42);
    for (let rep = 0; rep < 2000; rep++) {
      const junk = Uint8Array.from({ length: r.int(64) }, () => r.int(256));
      try {
        decodeAll(junk);
      } catch (err) {
        expect(err).toBeInstanceOf(CorruptBlockError);
      }
    }
  });
});
