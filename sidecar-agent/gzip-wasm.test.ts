/**
 * The WASM gzip encoder (wasm/assembly/gzip.ts through core/api/gzip-wasm.ts) against zlib's
 * decoder, which checks every code, the CRC-32 and the length: whatever the input (empty,
 * incompressible, long runs, JSON answers, frequencies skewed enough to need length-limited codes),
 * however it is split into writes, and with two streams interleaved.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { acceptsGzip, gzipStream, type GzipEncoders } from '../core/api/gzip-wasm.ts';
import { queryDataChunks } from '../core/api/prom-json.ts';
import { labelsFrom } from '../core/labels/labels.ts';
import type { Series } from '../core/promql/engine/result.ts';
import { Random } from '../test/helpers/random.ts';
import { loadGzipEncodersNode } from './wasm.ts';

let encoders: GzipEncoders;

beforeAll(async () => {
  encoders = await loadGzipEncodersNode();
});

/** Compresses `input` in writes of the given sizes (cycled). */
function gzip(input: Uint8Array, sizes: number[] = [input.length || 1]): Uint8Array {
  const enc = encoders.open();
  const parts: Uint8Array[] = [];
  let k = 0;
  for (let at = 0; at < input.length;) {
    const n = Math.max(1, sizes[k++ % sizes.length]!);
    parts.push(...enc.write(input.subarray(at, at + n)));
    at += n;
  }
  parts.push(...enc.end());
  enc.release();
  return Buffer.concat(parts);
}

function roundTrip(input: Uint8Array, sizes?: number[]): Uint8Array {
  const z = gzip(input, sizes);
  expect(z[0]).toBe(0x1f);
  expect(z[1]).toBe(0x8b);
  const back = gunzipSync(z);
  expect(back.length).toBe(input.length);
  expect(Buffer.compare(back, Buffer.from(input.buffer, input.byteOffset, input.length))).toBe(0);
  return z;
}

function jsonAnswer(seriesCount: number, points: number, seed: number): Uint8Array {
  const r = new Random(seed);
  const series: Series[] = [];
  for (let s = 0; s < seriesCount; s++) {
    const t = new Float64Array(points);
    const v = new Float64Array(points);
    for (let i = 0; i < points; i++) {
      t[i] = 1_700_000_000_000 + i * 60_000;
      v[i] = r.int(3) === 0 ? r.int(1000) : r.int(1_000_000) / 997;
    }
    series.push({
      metric: labelsFrom({
        __name__: 'bench_counter',
        instance: `host-${s}:9100`,
        job: `j${s % 7}`,
      }),
      t,
      v,
    });
  }
  return Buffer.concat([...queryDataChunks({ type: 'matrix', series })]);
}

describe('WASM gzip encoder', () => {
  it('writes a valid empty member', () => {
    const z = roundTrip(new Uint8Array(0));
    expect(z.length).toBe(20);
  });

  it('round-trips short, incompressible and repetitive input, however it is split', () => {
    const r = new Random(7);
    const random = new Uint8Array(300_000).map(() => r.int(256));
    const runs = new Uint8Array(1_000_000).map((_, i) => (i % 70_000 < 40_000 ? 0x61 : i & 0xff));
    const text = new TextEncoder().encode('abcabcabd'.repeat(50_000));
    for (const input of [new Uint8Array([0x41]), new Uint8Array([1, 2, 3]), random, runs, text]) {
      roundTrip(input);
      roundTrip(input, [1, 2, 3, 5, 4096, 70_000]);
      roundTrip(input, [200_000]);
    }
    // Incompressible input grows by little; runs collapse.
    expect(gzip(random).length).toBeLessThan(random.length * 1.01 + 1024);
    expect(gzip(runs).length).toBeLessThan(runs.length / 20);
  });

  it('finds matches across writes and far back in its 32 KiB window', () => {
    const r = new Random(3);
    const block = new Uint8Array(30_000).map(() => r.int(256));
    const input = Buffer.concat([block, block, block, block]);
    const z = roundTrip(input, [1000, 7, 31_000]);
    // Each copy after the first is mostly matches 30,000 bytes back: 3 more copies, < 20% more.
    expect(z.length).toBeLessThan(gzip(block, [1000, 7, 31_000]).length * 1.2);
  });

  it('limits code lengths when frequencies are skewed (Fibonacci counts need 25-bit codes)', () => {
    const r = new Random(11);
    const bytes: number[] = [];
    let [a, b] = [1, 1];
    for (let sym = 0; sym < 26; sym++) {
      for (let i = 0; i < a; i++) bytes.push(sym * 9);
      [a, b] = [b, a + b];
    }
    // Shuffled, so matches do not hide the literal frequencies.
    for (let i = bytes.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [bytes[i], bytes[j]] = [bytes[j]!, bytes[i]!];
    }
    roundTrip(Uint8Array.from(bytes), [16_000]);
    roundTrip(Uint8Array.from(bytes));
  });

  it('round-trips random mixes of literals and copies at every distance and length', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = new Random(seed);
      const alphabet = 2 + r.int(255);
      const input = new Uint8Array(1 + r.int(200_000));
      for (let i = 0; i < input.length;) {
        if (i > 8 && r.int(3) === 0) {
          const dist = 1 + r.int(Math.min(i, 40_000));
          const len = 3 + r.int(r.int(2) ? 300 : 20);
          for (let k = 0; k < len && i < input.length; k++, i++) input[i] = input[i - dist]!;
        } else input[i++] = r.int(alphabet);
      }
      const sizes = Array.from({ length: 4 }, () => 1 + r.int(r.int(2) ? 300_000 : 50));
      roundTrip(input, sizes);
    }
  });

  it('compresses a JSON range answer as well as zlib level 1', () => {
    const json = jsonAnswer(200, 361, 5);
    const z = roundTrip(json, [512 * 1024]);
    expect(z.length).toBeLessThan(gzipSync(json, { level: 1 }).length * 1.05);
    expect(z.length).toBeLessThan(json.length / 2.5);
  });

  it('keeps interleaved streams apart (each holds its own instance)', () => {
    const a = jsonAnswer(50, 200, 1);
    const b = jsonAnswer(60, 150, 2);
    const ea = encoders.open();
    const eb = encoders.open();
    const pa: Uint8Array[] = [];
    const pb: Uint8Array[] = [];
    for (let at = 0; at < Math.max(a.length, b.length); at += 10_000) {
      if (at < a.length) pa.push(...ea.write(a.subarray(at, at + 10_000)));
      if (at < b.length) pb.push(...eb.write(b.subarray(at, at + 10_000)));
    }
    pa.push(...ea.end());
    pb.push(...eb.end());
    ea.release();
    eb.release();
    expect(gunzipSync(Buffer.concat(pa)).equals(Buffer.from(a))).toBe(true);
    expect(gunzipSync(Buffer.concat(pb)).equals(Buffer.from(b))).toBe(true);
    expect(() => ea.write(a)).toThrow(/after release/);
  });

  it('compresses a body stream as it is read, and cancelling reaches the source', async () => {
    const json = jsonAnswer(100, 300, 9);
    let at = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(c) {
        if (at >= json.length) return c.close();
        c.enqueue(json.subarray(at, at + 65_536));
        at += 65_536;
      },
    });
    const z = Buffer.from(await new Response(gzipStream(source, encoders)).arrayBuffer());
    expect(gunzipSync(z).equals(Buffer.from(json))).toBe(true);

    let cancelled: unknown;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(json.subarray(0, 100_000));
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    const reader = gzipStream(endless, encoders).getReader();
    await reader.read();
    await reader.cancel('client gone');
    expect(cancelled).toBe('client gone');
  });
});

describe('acceptsGzip', () => {
  it('reads Accept-Encoding as RFC 9110 does', () => {
    expect(acceptsGzip('gzip')).toBe(true);
    expect(acceptsGzip('gzip, deflate, br')).toBe(true);
    expect(acceptsGzip('br;q=1.0, gzip;q=0.8')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip(null)).toBe(false);
    expect(acceptsGzip('')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip('deflate, br')).toBe(false);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('*, gzip;q=0')).toBe(false);
    expect(acceptsGzip('*;q=0')).toBe(false);
    expect(acceptsGzip('GZIP; Q=0.5')).toBe(true);
  });
});
