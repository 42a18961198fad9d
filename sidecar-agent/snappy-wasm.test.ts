/**
 * The WASM snappy decoder (wasm/assembly/snappy.ts, loaded through sidecar-agent/wasm.ts) against
 * the JS decoder in core/tsdb/wal/snappy.ts: the same bytes for every block, and a SnappyError
 * from both for every corrupt one (cut short, a byte changed, a wrong declared length).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { putUvarint } from '../core/varint.ts';
import {
  installSnappyKernel,
  SnappyError,
  snappyDecode,
  type SnappyKernel,
} from '../core/tsdb/wal/snappy.ts';
import { Random } from '../test/helpers/random.ts';
import { snappyCompress } from '../test/helpers/snappy-compress.ts';
import { loadSnappyKernelNode } from './wasm.ts';

let kernel: SnappyKernel;

beforeAll(async () => {
  kernel = await loadSnappyKernelNode();
});

afterEach(() => installSnappyKernel(undefined));

type Outcome = { bytes: Buffer } | { error: string };

function decodeWith(withKernel: boolean, block: Uint8Array): Outcome {
  installSnappyKernel(withKernel ? kernel : undefined);
  try {
    return { bytes: Buffer.from(snappyDecode(block)) };
  } catch (err) {
    if (!(err instanceof SnappyError)) throw err;
    return { error: err.name };
  }
}

/** Input that compresses into every kind of element: literals, runs, near and far copies. */
function sample(rnd: Random, size: number): Uint8Array {
  const out: number[] = [];
  while (out.length < size) {
    const kind = rnd.int(5);
    if (kind === 0 || out.length < 8)
      for (let i = 1 + rnd.int(300); i > 0; i--) out.push(rnd.int(256));
    else if (kind === 1) {
      const v = rnd.int(256);
      for (let i = 1 + rnd.int(100); i > 0; i--) out.push(v);
    } else {
      const from = Math.max(0, out.length - 1 - rnd.int(kind === 4 ? 70_000 : 2_000));
      const len = 4 + rnd.int(kind === 2 ? 12 : 120);
      for (let i = 0; i < len; i++) out.push(out[from + i]!);
    }
  }
  return Uint8Array.from(out.slice(0, size));
}

describe('WASM snappy decoder', () => {
  it('decodes what the JS decoder decodes, byte for byte', () => {
    const rnd = new Random(42);
    let kernelBytes = 0;
    for (let round = 0; round < 60; round++) {
      const input = sample(rnd, 600 + rnd.int(round < 50 ? 20_000 : 300_000));
      const block = snappyCompress(input);
      const js = decodeWith(false, block);
      const wasm = decodeWith(true, block);
      expect('bytes' in js && js.bytes.equals(Buffer.from(input))).toBe(true);
      expect('bytes' in wasm && wasm.bytes.equals(Buffer.from(input))).toBe(true);
      if (block.length >= 512) kernelBytes += block.length;
    }
    expect(kernelBytes).toBeGreaterThan(1_000_000);
  });

  it('rejects every corrupt block the JS decoder rejects, and decodes the rest alike', () => {
    const rnd = new Random(7);
    let errors = 0;
    for (let round = 0; round < 400; round++) {
      const block = snappyCompress(sample(rnd, 800 + rnd.int(5_000))).slice();
      const cut = round % 4;
      let bad: Uint8Array;
      if (cut === 0) bad = block.subarray(0, 1 + rnd.int(block.length - 1));
      else if (cut === 1) {
        bad = block.slice();
        for (let k = 0; k < 3; k++) bad[rnd.int(bad.length)] = rnd.int(256);
      } else {
        // The elements under another declared length: a few bytes more or fewer.
        let p = 0;
        while (block[p]! >= 0x80) p++;
        let n = 0;
        for (let i = p; i >= 0; i--) n = n * 128 + (block[i]! & 0x7f);
        const header = new Uint8Array(5);
        const h = putUvarint(
          header,
          0,
          Math.max(0, n + (cut === 2 ? 1 + rnd.int(9) : -1 - rnd.int(9))),
        );
        bad = new Uint8Array(h + block.length - p - 1);
        bad.set(header.subarray(0, h));
        bad.set(block.subarray(p + 1), h);
      }
      if (bad.length < 600) continue;
      const js = decodeWith(false, bad);
      const wasm = decodeWith(true, bad);
      if ('error' in js) {
        errors++;
        expect(wasm).toEqual({ error: 'SnappyError' });
      } else {
        expect('bytes' in wasm && wasm.bytes.equals(js.bytes)).toBe(true);
      }
    }
    expect(errors).toBeGreaterThan(150);
  });

  it('gives a 4-byte literal length past the block an error, not a wrapped-around length', () => {
    // 0xffffffff + 1 would wrap to 0 in 32 bits: a decoder must say the literal overruns.
    const block = Uint8Array.of(10, 63 << 2, 0xff, 0xff, 0xff, 0xff, ...new Uint8Array(600));
    expect(decodeWith(false, block)).toEqual({ error: 'SnappyError' });
    expect(decodeWith(true, block)).toEqual({ error: 'SnappyError' });
  });
});
