/**
 * The WASM rate kernel (wasm/assembly/rate.ts, loaded through sidecar-agent/wasm.ts) against the
 * JS rate, increase and delta in core/promql/functions/rate.ts: the same answers, bit for bit,
 * over random series (counter resets, NaN, ±Inf, irregular scrapes, gaps, sparse windows),
 * ranges that are not whole seconds, and offsets.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installRateKernel, type RateKernel } from '../core/promql/functions/rate.ts';
import { Random } from '../test/helpers/random.ts';
import {
  call,
  evalRange,
  exactJson,
  matrix,
  rows,
  withSpareColumns,
} from '../core/promql/functions/test-helpers.ts';
import { loadRateKernelNode } from './wasm.ts';

let kernel: RateKernel;

beforeAll(async () => {
  kernel = await loadRateKernelNode();
});

afterEach(() => installRateKernel(undefined));

function randomSamples(r: Random): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let t = r.int(60_000);
  let v = r.int(2) ? 0 : r.int(1000) - 500;
  const kind = r.int(4);
  const n = r.int(6) === 0 ? r.int(3) : 50 + r.int(600);
  for (let k = 0; k < n; k++) {
    t += r.int(10) === 0 ? 60_000 + r.int(900_000) : 1 + r.int(30_000);
    if (kind === 0) v += r.int(100);
    else if (kind === 1)
      v = r.int(20) === 0 ? r.int(50) : v + r.int(1000) / 7; // resets
    else if (kind === 2) v = [NaN, Infinity, -Infinity, -0, 1e308, v + 1][r.int(6)]!;
    else v = (r.int(2 ** 30) - 2 ** 29) / 10 ** r.int(9);
    out.push([t, v]);
  }
  return out;
}

describe('WASM rate kernel', () => {
  it('gives rate, increase and delta bit for bit as the JS loops do', () => {
    const r = new Random(5);
    let values = 0;
    let calls = 0;
    const counting: RateKernel = {
      rates: (...a) => {
        calls++;
        return kernel.rates(...a);
      },
    };
    for (let round = 0; round < 30; round++) {
      const step = [15_000, 60_000, 1_000, 7_777][round % 4]!;
      const range = evalRange(600_000, 600_000 + step * (20 + r.int(300)), step);
      const series = Array.from({ length: 1 + r.int(12) }, (_, i) => ({
        labels: { __name__: 'm', i: String(i) },
        samples: randomSamples(r),
      }));
      const windowMs = [60_000, 300_000, 1_234_567, 3_600_000][r.int(4)]!;
      const m = withSpareColumns(matrix(range, windowMs, series, r.int(3) === 0 ? 90_500 : 0));
      for (const fn of ['rate', 'increase', 'delta']) {
        installRateKernel(undefined);
        const js = rows(call(fn, [m], range));
        installRateKernel(counting);
        const wasm = rows(call(fn, [m], range));
        expect(exactJson(wasm), `${fn} round ${round}`).toBe(exactJson(js));
        values += js.reduce((a, s) => a + s.values.filter((x) => x !== undefined).length, 0);
      }
    }
    // Not vacuous: most windows have two samples or more.
    expect(values).toBeGreaterThan(20_000);
    expect(calls).toBeGreaterThan(500);
  });
});
