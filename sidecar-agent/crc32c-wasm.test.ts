/**
 * The WASM CRC-32C kernel (wasm/assembly/crc32c.ts, loaded through sidecar-agent/wasm.ts) against
 * the JS reference in core/tsdb/crc32c.ts and known vectors, and `crc32c()`'s dispatch to an
 * installed kernel.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  crc32c,
  crc32cJs,
  crc32cKernel,
  crc32cRanges,
  installCrc32cKernel,
  type Crc32cKernel,
} from '../core/tsdb/crc32c.ts';
import { Random } from '../test/helpers/random.ts';
import { installCrc32cKernelNode, loadCrc32cKernelNode } from './wasm.ts';

let k: Crc32cKernel;

beforeAll(async () => {
  k = await loadCrc32cKernelNode();
});

afterEach(() => installCrc32cKernel(undefined));

function randomBytes(r: Random, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = r.int(256);
  return b;
}

describe('WASM CRC-32C kernel', () => {
  it('matches known vectors', () => {
    const ascii = new TextEncoder().encode('123456789');
    expect(k.crc32c(ascii, 0, 0, 9)).toBe(0xe3069283);
    expect(k.crc32c(new Uint8Array(32), 0, 0, 32)).toBe(0x8a9136aa);
    expect(k.crc32c(new Uint8Array(32).fill(0xff), 0, 0, 32)).toBe(0x62a8ab43);
    // RFC 3720 B.4: 32 bytes ascending / descending.
    const up = Uint8Array.from({ length: 32 }, (_, i) => i);
    expect(k.crc32c(up, 0, 0, 32)).toBe(0x46dd794e);
    expect(k.crc32c(up.slice().reverse(), 0, 0, 32)).toBe(0x113fdb5c);
    expect(k.crc32c(ascii, 0, 0, 0)).toBe(0);
  });

  it('equals the JS reference for every length 0..1024, any alignment and init', () => {
    const r = new Random(1);
    const buf = randomBytes(r, 1024 + 16);
    for (let n = 0; n <= 1024; n++) {
      const start = r.int(16);
      const init = r.int(0x1_0000_0000);
      expect(k.crc32c(buf, init, start, start + n), `len ${n} start ${start}`).toBe(
        crc32cJs(buf, init, start, start + n),
      );
    }
  });

  it('equals the JS reference on large input, across its 1 MiB windows', () => {
    const r = new Random(2);
    const buf = randomBytes(r, 3 * (1 << 20) + 4099);
    for (const [s, e] of [
      [0, buf.length],
      [5, buf.length - 3],
      [1 << 20, 2 * (1 << 20)],
      [(1 << 20) - 1, (1 << 20) + 1],
    ] as const) {
      expect(k.crc32c(buf, 0, s, e), `[${s}, ${e})`).toBe(crc32cJs(buf, 0, s, e));
    }
    // Continuation: the CRC of a ++ b from the CRC of a.
    expect(k.crc32c(buf, k.crc32c(buf, 0, 0, 777), 777, buf.length)).toBe(crc32cJs(buf));
  });

  it('checksums many ranges of one buffer in one call', () => {
    const r = new Random(3);
    const buf = randomBytes(r, 64 * 1024);
    const starts: number[] = [];
    const ends: number[] = [];
    for (let p = 3; p < buf.length - 600; p += 1 + r.int(400)) {
      starts.push(p);
      ends.push(p + r.int(600));
    }
    const out = new Uint32Array(starts.length);
    k.crc32cRanges(buf, starts, ends, out);
    starts.forEach((s, i) => expect(out[i]).toBe(crc32cJs(buf, 0, s, ends[i]!)));
    // Spread over more than the kernel's 1 MiB window: several groups, and one range longer than it.
    const big = randomBytes(r, 3 * (1 << 20) + 123);
    const bs = [0, 5, 1 << 20, (1 << 20) + 7, 100, 2 * (1 << 20), 3 * (1 << 20)];
    const be = [
      10,
      1.5 * (1 << 20),
      (1 << 20) + 9,
      3 * (1 << 20) + 100,
      200,
      2 * (1 << 20) + 1,
      big.length,
    ];
    const bigOut = new Uint32Array(bs.length);
    k.crc32cRanges(big, bs, be, bigOut);
    bs.forEach((s, i) => expect(bigOut[i], `range ${i}`).toBe(crc32cJs(big, 0, s, be[i]!)));
    expect(() => k.crc32cRanges(buf, [0], [buf.length + 1], out)).toThrow(RangeError);
    expect(() => k.crc32cRanges(buf, [10], [9], out)).toThrow(RangeError);
  });
});

describe('crc32c() with an installed kernel', () => {
  it('delegates at and above the threshold only, with the same results', async () => {
    const calls: number[] = [];
    const counting: Crc32cKernel = {
      crc32c: (b, init, s, e) => (calls.push(e - s), k.crc32c(b, init, s, e)),
      crc32cRanges: (b, s, e, out) => (calls.push(-s.length), k.crc32cRanges(b, s, e, out)),
    };
    installCrc32cKernel(counting, 100);
    const buf = randomBytes(new Random(4), 5000);
    expect(crc32c(buf, 0, 0, 99)).toBe(crc32cJs(buf, 0, 0, 99));
    expect(calls).toEqual([]);
    expect(crc32c(buf, 9, 1, 101)).toBe(crc32cJs(buf, 9, 1, 101));
    expect(crc32c(buf)).toBe(crc32cJs(buf));
    expect(calls).toEqual([100, 5000]);
    // Ranges: below the threshold in total the JS loop, above it one kernel call.
    expect(Array.from(crc32cRanges(buf, [0, 50], [40, 90]))).toEqual([
      crc32cJs(buf, 0, 0, 40),
      crc32cJs(buf, 0, 50, 90),
    ]);
    expect(calls.length).toBe(2);
    expect(Array.from(crc32cRanges(buf, [0, 50, 200], [40, 90, 400]))).toEqual([
      crc32cJs(buf, 0, 0, 40),
      crc32cJs(buf, 0, 50, 90),
      crc32cJs(buf, 0, 200, 400),
    ]);
    expect(calls).toEqual([100, 5000, -3]);
    installCrc32cKernel(undefined);
    expect(crc32cKernel()).toBeUndefined();
    expect(crc32c(buf)).toBe(crc32cJs(buf));
    expect(calls.length).toBe(3);
  });

  it('installCrc32cKernelNode installs the WASM kernel', async () => {
    await installCrc32cKernelNode();
    expect(crc32cKernel()).toBe(k);
    const buf = randomBytes(new Random(5), 1 << 16);
    expect(crc32c(buf)).toBe(crc32cJs(buf));
  });
});
