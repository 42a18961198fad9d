/**
 * The WASM over-time kernel (wasm/assembly/over-time.ts, loaded through sidecar-agent/wasm.ts)
 * against the JS avg/sum/stdvar/stddev_over_time in core/promql/functions/over-time.ts: the same
 * answers, bit for bit, over random series (NaN, ±Inf, -0, huge and tiny values, gaps, sparse
 * windows), ranges and offsets.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installOverTimeKernel, type OverTimeKernel } from '../core/promql/functions/over-time.ts';
import { Random } from '../test/helpers/random.ts';
import {
  call,
  evalRange,
  exactJson,
  matrix,
  rows,
  withSpareColumns,
} from '../core/promql/functions/test-helpers.ts';
import { loadOverTimeKernelNode } from './wasm.ts';

let kernel: OverTimeKernel;

beforeAll(async () => {
  kernel = await loadOverTimeKernelNode();
});

afterEach(() => installOverTimeKernel(undefined));

function randomSamples(r: Random): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let t = r.int(60_000);
  const kind = r.int(4);
  const n = r.int(6) === 0 ? r.int(3) : 30 + r.int(500);
  for (let k = 0; k < n; k++) {
    t += r.int(10) === 0 ? 60_000 + r.int(900_000) : 1 + r.int(30_000);
    const v =
      kind === 0
        ? [NaN, Infinity, -Infinity, -0, 1e308, -1e308, r.int(100)][r.int(7)]!
        : kind === 1
          ? (r.int(2 ** 30) - 2 ** 29) * 10 ** (r.int(40) - 20)
          : kind === 2
            ? 42 + r.int(3) / 10
            : r.int(1000) / 7;
    out.push([t, v]);
  }
  return out;
}

describe('WASM over-time kernel', () => {
  it('gives avg, sum, stdvar and stddev_over_time bit for bit as the JS windows do', () => {
    const r = new Random(8);
    let values = 0;
    let calls = 0;
    const counting: OverTimeKernel = {
      overTime: (...a) => {
        calls++;
        return kernel.overTime(...a);
      },
    };
    for (let round = 0; round < 25; round++) {
      const step = [15_000, 60_000, 1_000, 7_777][round % 4]!;
      const range = evalRange(600_000, 600_000 + step * (20 + r.int(200)), step);
      const series = Array.from({ length: 1 + r.int(10) }, (_, i) => ({
        labels: { __name__: 'm', i: String(i) },
        samples: randomSamples(r),
      }));
      const windowMs = [60_000, 300_000, 1_234_567][r.int(3)]!;
      const m = withSpareColumns(matrix(range, windowMs, series, r.int(3) === 0 ? 90_500 : 0));
      for (const fn of ['avg_over_time', 'sum_over_time', 'stdvar_over_time', 'stddev_over_time']) {
        installOverTimeKernel(undefined);
        const js = rows(call(fn, [m], range));
        installOverTimeKernel(counting);
        const wasm = rows(call(fn, [m], range));
        expect(exactJson(wasm), `${fn} round ${round}`).toBe(exactJson(js));
        values += js.reduce((a, s) => a + s.values.filter((x) => x !== undefined).length, 0);
      }
    }
    expect(values).toBeGreaterThan(10_000);
    expect(calls).toBeGreaterThan(300);
  });

  it('agrees where sums overflow or meet infinities, in every lane of a four-window group', () => {
    const cases = [
      [1e308, 1e308, -1e308, 5, 7, 1e308, 1e308, 3, 2, 1],
      [3, 1e308, 1e308, 1e308, 2, -1e308, -1e308, -1e308, 4, 4],
      [1, 2, Infinity, 4, 5, 6, -Infinity, 8, 9, 10],
      [Infinity, Infinity, 1, 2, 3, -Infinity, 5, 6, NaN, 8],
      [1e300, -1e300, 1e-300, 2, 1e16, 1, -1e16, 3, 1e308, 5],
    ];
    // 15s samples, windows of 45s every 15s: consecutive steps' windows share samples, and every
    // sample starts, ends or sits inside four-window groups in all lanes.
    const range = evalRange(60_000, 60_000 + 15_000 * 12, 15_000);
    for (const values of cases) {
      for (const shift of [0, 1, 2, 3]) {
        const series = [
          {
            labels: { __name__: 'm' },
            samples: values.map((v, k): [number, number] => [15_000 * (k + shift), v]),
          },
        ];
        const m = withSpareColumns(matrix(range, 45_000, series, 0));
        for (const fn of [
          'avg_over_time',
          'sum_over_time',
          'stdvar_over_time',
          'stddev_over_time',
        ]) {
          installOverTimeKernel(undefined);
          const js = rows(call(fn, [m], range));
          installOverTimeKernel(kernel);
          expect(exactJson(rows(call(fn, [m], range))), `${fn} of ${values}`).toBe(exactJson(js));
        }
      }
    }
  });
});
