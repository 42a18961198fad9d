/**
 * The WASM regression kernel (wasm/assembly/regression.ts, loaded through sidecar-agent/wasm.ts)
 * against the JS linearRegression in core/promql/functions/regression.ts: the same slope and
 * intercept, bit for bit, over random windows (constant, infinite, NaN, integer and fractional
 * values).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  installRegressionKernel,
  linearRegression,
  type RegressionKernel,
} from '../core/promql/functions/regression.ts';
import { Random } from '../test/helpers/random.ts';
import { call, evalRange, matrix, rows, scalar } from '../core/promql/functions/test-helpers.ts';
import { loadRegressionKernelNode } from './wasm.ts';

let kernel: RegressionKernel;

beforeAll(async () => {
  kernel = await loadRegressionKernelNode();
});

afterEach(() => installRegressionKernel(undefined));

/**
 * A number's bits, NaNs as one: which NaN arithmetic makes differs (x86 makes 0xfff8…, V8 may
 * canonicalize), and no answer tells NaNs apart (a function's output is never a stale marker).
 */
const bits = (x: number): bigint | 'NaN' =>
  Number.isNaN(x) ? 'NaN' : new BigUint64Array(Float64Array.of(x).buffer)[0]!;

function randomColumns(r: Random, n: number): { t: Float64Array; v: Float64Array } {
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  let at = 1_700_000_000_000 - r.int(10 ** 9);
  const kind = r.int(5);
  for (let k = 0; k < n; k++) {
    at += 1 + r.int(30_000);
    t[k] = at;
    v[k] =
      kind === 0
        ? 42 // constant: Prometheus's constY branch
        : kind === 1
          ? [NaN, Infinity, -Infinity, 1e308, -0][r.int(5)]!
          : kind === 2
            ? k * 1000 + r.int(7)
            : (r.int(2 ** 30) - 2 ** 29) / 10 ** r.int(12);
  }
  if (kind === 0 && r.int(2)) v.fill(r.int(2) ? Infinity : -Infinity);
  return { t, v };
}

describe('WASM regression kernel', () => {
  it('gives the JS slope and intercept bit for bit', () => {
    const r = new Random(7);
    let windows = 0;
    for (let round = 0; round < 300; round++) {
      const n = 2 + r.int(300);
      const { t, v } = randomColumns(r, n);
      kernel.load(t, v);
      for (let w = 0; w < 20; w++) {
        const lo = r.int(n - 1);
        const hi = lo + 1 + r.int(n - lo);
        const at = r.int(2) ? t[lo]! : t[hi - 1]! + r.int(600_000);
        const js = linearRegression(t, v, lo, hi, at);
        const wasm = kernel.regress(lo, hi, at);
        expect(wasm.map(bits), `${lo}..${hi} of ${n}`).toEqual(js.map(bits));
        windows++;
      }
    }
    expect(windows).toBe(6000);
  });

  it("regresses all of a series' windows in one call as the JS loop does, window by window", () => {
    const r = new Random(11);
    let compared = 0;
    for (let round = 0; round < 50; round++) {
      const n = 2 + r.int(300);
      const { t, v } = randomColumns(r, n);
      const steps = 1 + r.int(100);
      const from = new Int32Array(steps);
      const to = new Int32Array(steps);
      const at = new Float64Array(steps);
      for (let i = 0; i < steps; i++) {
        from[i] = r.int(n);
        to[i] = from[i]! + r.int(n - from[i]! + 1);
        at[i] = t[0]! + r.int(10 ** 7);
      }
      kernel.load(t, v);
      for (const times of [undefined, at]) {
        const slope = new Float64Array(steps);
        const intercept = new Float64Array(steps);
        kernel.regressWindows(from, to, times, slope, intercept);
        for (let i = 0; i < steps; i++) {
          const lo = from[i]!;
          const hi = to[i]!;
          if (hi - lo < 2) continue; // no answer there: its entries are unspecified
          const want = linearRegression(t, v, lo, hi, times ? times[i]! : t[lo]!);
          expect([slope[i]!, intercept[i]!].map(bits), `step ${i}: ${lo}..${hi}`).toEqual(
            want.map(bits),
          );
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('deriv and predict_linear answer the same through it, step by step', () => {
    const r = new Random(9);
    const range = evalRange(3_600_000, 7_200_000, 60_000);
    const series = Array.from({ length: 20 }, (_, i) => {
      const { t, v } = randomColumns(r, 400);
      // Times from 45 min on (about 100 min of samples), around the 1h-2h range evaluated.
      return {
        labels: { i: String(i) },
        samples: [...t].map((x, k): [number, number] => [x - t[0]! + 2_700_000, v[k]!]),
      };
    });
    const m = matrix(range, 900_000, series);
    const answers = () => [
      rows(call('deriv', [m], range)),
      rows(call('predict_linear', [m, scalar(range.times.length, 600)], range)),
    ];
    const js = answers();
    installRegressionKernel(kernel);
    const wasm = answers();
    const norm = (a: ReturnType<typeof answers>) =>
      JSON.stringify(a, (_k, x: unknown) => (typeof x === 'number' && Number.isNaN(x) ? 'NaN' : x));
    expect(norm(wasm)).toBe(norm(js));
    // Not vacuous: most steps have a value.
    expect(js[0]!.flatMap((s) => s.values).filter((x) => x !== undefined).length).toBeGreaterThan(
      500,
    );
  });

  it('agrees where a sum overflows or meets an infinity (the lanes compensate by TwoSum)', () => {
    const cases = [
      [1e308, 1e308, -1e308, 5, 7],
      [3, 1e308, 1e308, 1e308, 2],
      [1, 2, Infinity, 4, 5],
      [-Infinity, 1, 2, 3],
      [1, NaN, 3, 4],
      [1e300, -1e300, 1e-300, 2, 1e16, 1, -1e16],
    ];
    for (const values of cases) {
      const n = values.length;
      const t = Float64Array.from(values, (_, k) => 1_700_000_000_000 + k * 15_000);
      const v = Float64Array.from(values);
      kernel.load(t, v);
      for (let lo = 0; lo < n - 1; lo++) {
        for (let hi = lo + 2; hi <= n; hi++) {
          for (const at of [t[lo]!, t[hi - 1]! + 60_000, 1e15]) {
            const js = linearRegression(t, v, lo, hi, at);
            expect(kernel.regress(lo, hi, at).map(bits), `${values} ${lo}..${hi}`).toEqual(
              js.map(bits),
            );
          }
        }
      }
    }
  });
});
