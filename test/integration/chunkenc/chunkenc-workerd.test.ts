/**
 * The WASM XOR codec inside workerd (Miniflare), loaded the way the deployed Worker loads it:
 * worker/wasm.ts imports wasm/build/xor.wasm and the other kernels (WASM_MODULES; the CRC-32C
 * kernel is checked last) as CompiledWasm modules. Its results must equal
 * the TS reference decoder's, bit for bit, and re-encoding must give back the chunk bytes.
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSeries, type SeriesKind } from '../../helpers/chunk-testdata.ts';
import { XorAppender, decodeXor, xorSampleCount } from '../../../core/chunkenc/xor.ts';
import { crc32cJs } from '../../../core/tsdb/crc32c.ts';
import { Random } from '../../helpers/random.ts';
import { startMiniflare, type MiniflareHandle } from '../../helpers/miniflare.ts';
import { WASM_MODULES } from '../../helpers/worker.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
let mf: MiniflareHandle | undefined;

beforeAll(async () => {
  const out = await build({
    entryPoints: [join(import.meta.dirname, 'chunkenc-workerd.worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    external: ['*.wasm'], // left to workerd as a CompiledWasm module, as wrangler does
  });
  const script = out.outputFiles[0]!.text;
  // The bundle keeps worker/wasm.ts's specifier; place the bundle so that it resolves.
  expect(script).toContain('../wasm/build/xor.wasm');
  mf = await startMiniflare({
    extra: {
      script: undefined,
      modules: [
        { type: 'ESModule', path: join(ROOT, 'worker', 'entry.mjs'), contents: script },
        ...WASM_MODULES.map((name) => {
          const path = join(ROOT, 'wasm', 'build', `${name}.wasm`);
          return { type: 'CompiledWasm' as const, path, contents: readFileSync(path) };
        }),
      ],
      modulesRoot: ROOT,
    },
  });
});

afterAll(async () => {
  await mf?.stop();
});

function frame(chunks: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const out = new Uint8Array(4 + 4 * chunks.length + total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, chunks.length, true);
  let p = 4 + 4 * chunks.length;
  chunks.forEach((c, i) => {
    dv.setUint32(4 + 4 * i, c.length, true);
    out.set(c, p);
    p += c.length;
  });
  return out;
}

describe('WASM XOR codec in workerd', () => {
  const kinds: SeriesKind[] = ['counter', 'gauge', 'irregular', 'special', 'jumps'];
  const chunks = Array.from({ length: 200 }, (_, i) => {
    const s = makeSeries(kinds[i % kinds.length]!, 1 + ((i * 37) % 200), 500 + i);
    const app = new XorAppender();
    for (let k = 0; k < s.t.length; k++) app.append(s.t[k]!, s.v[k]!);
    return app.bytes();
  });

  for (const [mint, maxt] of [
    [-Infinity, Infinity],
    [1_700_000_300_000, 1_700_001_500_000],
  ]) {
    it(`decodes like the TS decoder in [${mint}, ${maxt}] and re-encodes the same bytes`, async () => {
      const res = await fetch(new URL(`/?mint=${mint}&maxt=${maxt}`, mf!.url), {
        method: 'POST',
        body: frame(chunks),
      });
      expect(res.status).toBe(200);
      const got = (await res.json()) as {
        t: number[];
        vBits: number[];
        offsets: number[];
        reencoded: number[][];
      };
      const wantT: number[] = [];
      const wantBits: number[] = [];
      const wantOffsets: number[] = [];
      for (const c of chunks) {
        wantOffsets.push(wantT.length);
        const n = xorSampleCount(c);
        const t = new Float64Array(n);
        const v = new Float64Array(n);
        const k = decodeXor(c, mint!, maxt!, t, v, 0);
        wantT.push(...t.subarray(0, k));
        wantBits.push(...new Uint32Array(v.buffer, 0, 2 * k));
      }
      wantOffsets.push(wantT.length);
      expect(got.offsets).toEqual(wantOffsets);
      expect(got.t).toEqual(wantT);
      expect(got.vBits).toEqual(wantBits);
      got.reencoded.forEach((bytes, i) => expect(bytes).toEqual(Array.from(chunks[i]!)));
    });
  }
});

describe('WASM CRC-32C kernel in workerd', () => {
  it('is installed at startup and checksums like the JS reference', async () => {
    const r = new Random(11);
    const body = new Uint8Array(300_007);
    for (let i = 0; i < body.length; i++) body[i] = r.int(256);
    const res = await fetch(new URL('/crc', mf!.url), { method: 'POST', body });
    expect(res.status).toBe(200);
    const got = (await res.json()) as { installed: boolean; whole: number; ranges: number[] };
    expect(got.installed).toBe(true);
    expect(got.whole).toBe(crc32cJs(body));
    const want: number[] = [];
    for (let p = 0; p < body.length; p += 1000)
      want.push(crc32cJs(body, 0, p, Math.min(body.length, p + 1000)));
    expect(got.ranges).toEqual(want);
  });
});
