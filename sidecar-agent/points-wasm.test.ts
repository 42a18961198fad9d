/**
 * The WASM points writer (wasm/assembly/points.ts, loaded through sidecar-agent/wasm.ts) against
 * the JS writer in core/api/json-bytes.ts: the same answers, byte for byte, whatever the values,
 * timestamps, series lengths and chunk sizes.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installPointsKernel, type PointsKernel } from '../core/api/json-bytes.ts';
import { queryDataChunks } from '../core/api/prom-json.ts';
import { labelsFrom } from '../core/labels/labels.ts';
import type { Series } from '../core/promql/engine/result.ts';
import { Random } from '../test/helpers/random.ts';
import { loadPointsKernelNode } from './wasm.ts';
import { formatValue } from '../core/api/prom-numbers.ts';
import { readFile } from 'node:fs/promises';

let kernel: PointsKernel;

beforeAll(async () => {
  kernel = await loadPointsKernelNode();
});

afterEach(() => installPointsKernel(undefined));

const decoder = new TextDecoder();

function render(series: Series[], chunkBytes: number, withKernel: boolean): string[] {
  installPointsKernel(withKernel ? kernel : undefined);
  return [...queryDataChunks({ type: 'matrix', series }, chunkBytes)].map((c) => decoder.decode(c));
}

const STALE = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;

function randomValue(r: Random): number {
  switch (r.int(12)) {
    case 0:
      return [NaN, STALE, Infinity, -Infinity, 0, -0][r.int(6)]!;
    case 1:
      return r.int(2 ** 31) - 2 ** 30;
    case 2:
      return (r.int(2 ** 53) - 2 ** 52) * (r.int(2) ? 1 : 2 ** 20);
    case 3:
      return (r.int(10 ** 7) - 5 * 10 ** 6) / 10 ** (1 + r.int(8));
    case 4:
      return r.int(1000) / 1000 + r.int(10 ** 6);
    case 5:
      return new Float64Array(new Uint32Array([r.int(2 ** 32), r.int(2 ** 32)]).buffer)[0]!;
    case 6:
      return 10 ** (r.int(30) - 10) * (r.int(2) ? 1 : -1);
    case 7:
      return (r.int(2 ** 31) / 10 ** r.int(7)) * (1 + 2 ** -52);
    default:
      return (r.int(10 ** 6) / 7) * (r.int(2) ? 1 : -1);
  }
}

function randomSeries(r: Random, count: number): Series[] {
  return Array.from({ length: count }, (_, i) => {
    const n = r.int(5) === 0 ? r.int(4) : r.int(400);
    const start = [1_700_000_000_000, -5_000_123, 0, 1_234][r.int(4)]!;
    const every = [15_000, 1, 999, 60_000][r.int(4)]!;
    const t = Float64Array.from({ length: n }, (_, k) =>
      r.int(50) === 0 ? start + k * every + 0.5 : start + k * every,
    );
    const v = Float64Array.from({ length: n }, () => randomValue(r));
    return { metric: labelsFrom({ __name__: 'm', i: String(i), ü: 'ö' }), t, v };
  });
}

describe('WASM points writer', () => {
  it('writes every answer byte for byte as the JS writer does, in chunks of the same sizes', () => {
    const r = new Random(42);
    for (let round = 0; round < 40; round++) {
      const series = randomSeries(r, 1 + r.int(12));
      const size = [1, 64, 500, 4096, 64 * 1024][round % 5]!;
      const js = render(series, size, false);
      const wasm = render(series, size, true);
      expect(wasm.join('')).toBe(js.join(''));
      // Streaming is kept: chunks end near the size, as the JS writer's do.
      for (const c of wasm.slice(0, -1)) expect(c.length).toBeLessThan(size + 512);
    }
  });

  it('streams answers interleaved on the one kernel as it streams each alone', () => {
    // Answers streamed at once by one isolate take turns between chunks, and share the kernel.
    // A render that makes no progress would spin forever: fail it instead.
    const guarded: PointsKernel = {
      load: (t, v) => kernel.load(t, v),
      render(from, maxBytes) {
        const out = kernel.render(from, maxBytes);
        if (out.next === from && !kernel.stoppedForJs) throw new Error(`no progress at ${from}`);
        return out;
      },
      get stoppedForJs() {
        return kernel.stoppedForJs;
      },
    };
    const r = new Random(9);
    const long = (i: number, n: number): Series => ({
      metric: labelsFrom({ i: String(i) }),
      t: Float64Array.from({ length: n }, (_, k) => 1_700_000_000_000 + k * 15_000),
      v: Float64Array.from({ length: n }, () => randomValue(r)),
    });
    const answers = [
      [long(0, 3000), long(1, 40)],
      [long(2, 500), long(3, 2500), long(4, 7)],
    ];
    const alone = answers.map((series) => render(series, 256, true).join(''));
    installPointsKernel(guarded);
    const streams = answers.map((series) => queryDataChunks({ type: 'matrix', series }, 256));
    const got = ['', ''];
    for (let open = 2; open > 0;) {
      open = 0;
      for (let k = 0; k < 2; k++) {
        const c = streams[k]!.next();
        if (c.done) continue;
        open++;
        got[k] += decoder.decode(c.value);
      }
    }
    expect(got).toEqual(alone);
  });

  it('stops at a timestamp for JS and goes on after it', () => {
    kernel.load(Float64Array.of(0, 1000, 1500.5, 2000), Float64Array.of(1 / 3, 0.25, 2 / 3, -0));
    const first = kernel.render(0, 1 << 20);
    expect(decoder.decode(first.bytes)).toBe('[0,"0.3333333333333333"],[1,"0.25"]');
    expect(first.next).toBe(2);
    expect(kernel.stoppedForJs).toBe(true);
    // JS writes point 2.
    const rest = kernel.render(3, 1 << 20);
    expect(decoder.decode(rest.bytes)).toBe(',[2,"-0"]');
    expect(rest.next).toBe(4);
    expect(kernel.stoppedForJs).toBe(false);
  });

  it('writes the longest value texts Go makes (hundreds of digits) across output budgets', () => {
    const n = 1000;
    const t = Float64Array.from({ length: n }, (_, k) => 1_700_000_000_000 + k * 15_000);
    const v = Float64Array.from({ length: n }, (_, k) =>
      k % 2 ? 5e-324 : -1.7976931348623157e308,
    );
    const series = [{ metric: labelsFrom({ a: 'long' }), t, v }];
    for (const size of [64, 4096]) {
      const wasm = render(series, size, true).join('');
      expect(wasm).toBe(render(series, size, false).join(''));
      expect(wasm).toContain(`"0.${'0'.repeat(323)}5"`);
    }
  });

  it('grows its memory for long series and keeps answers right after', () => {
    const n = 200_000;
    const t = Float64Array.from({ length: n }, (_, k) => 1_700_000_000_000 + k * 15_000);
    const v = Float64Array.from({ length: n }, (_, k) => k / 4);
    const series = [{ metric: labelsFrom({ a: 'b' }), t, v }];
    expect(render(series, 64 * 1024, true).join('')).toBe(
      render(series, 64 * 1024, false).join(''),
    );
  });

  it('writes every double as Go does: shortest digits (its own conversion) against JS, over 1M bit patterns', async () => {
    const bytes = await readFile(new URL('../wasm/build/points.wasm', import.meta.url));
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    const x = exports as unknown as {
      memory: WebAssembly.Memory;
      heapBase(): number;
      value(p: number, v: number): number;
    };
    const at = (x.heapBase() + 7) & ~7;
    x.memory.grow(1);
    const bits = new BigUint64Array(1);
    const asDouble = new Float64Array(bits.buffer);
    const r = new Random(7);
    const values: number[] = [
      5e-324,
      Number.MAX_VALUE,
      2.2250738585072014e-308,
      0.1 + 0.2,
      1e21,
      1e22,
    ];
    for (let e = -1074; e <= 1023; e++) values.push(2 ** e, 2 ** e * 1.5, 2 ** e * (1 - 2 ** -53));
    for (let e = -323; e <= 308; e++)
      values.push(Number(`1e${e}`), Number(`9.999999999999999e${e}`));
    for (let i = 0; i < 1_000_000; i++) {
      bits[0] = (BigInt(r.int(2 ** 32)) << 32n) | BigInt(r.int(2 ** 32));
      values.push(asDouble[0]!);
    }
    for (let i = 0; i < 200_000; i++) values.push((r.int(2 ** 30) / 3) * 10 ** (r.int(40) - 20));
    let mismatches = 0;
    let first = '';
    for (const v of values) {
      const end = x.value(at, v);
      const got = decoder.decode(new Uint8Array(x.memory.buffer, at, end - at));
      if (got !== formatValue(v)) {
        mismatches++;
        first ||= `${v}: ${got} vs ${formatValue(v)}`;
      }
    }
    expect(first).toBe('');
    expect(mismatches).toBe(0);
    expect(values.length).toBeGreaterThan(1_200_000);
  });
});
