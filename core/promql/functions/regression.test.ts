import { describe, expect, it } from 'vitest';
import { ExecutionError } from '../../errors.ts';
import { at0, call, evalRange, load, matrix, scalar } from './test-helpers.ts';

const m5 = 300_000;
const s10 = 10_000;
const at = (ms: number) => evalRange(ms, ms, 1);
const resetMiddle = load(m5, [0, 10, 20, 30, 40, 0, 10, 20, 30, 40, 50]);

describe('deriv and predict_linear', () => {
  it('deriv equals rate on a clean counter', () => {
    const r = at(50 * 60_000);
    const mat = matrix(r, 50 * 60_000, [
      {
        labels: {},
        samples: load(
          m5,
          Array.from({ length: 11 }, (_, i) => i * 80),
        ),
      },
    ]);
    expect(at0(call('deriv', [mat], r))).toEqual({ '{}': 0.26666666666666666 });
  });
  it('deriv over a reset (hand-computed regression)', () => {
    const r = at(50 * 60_000);
    expect(
      at0(call('deriv', [matrix(r, 100 * 60_000, [{ labels: {}, samples: resetMiddle }])], r)),
    ).toEqual({ '{}': 0.010606060606060607 });
  });
  it('predict_linear intercepts at the step time, also with @ moving the window', () => {
    const r50 = at(50 * 60_000);
    const p = (r: ReturnType<typeof at>, windowEndMs: number) =>
      at0(
        call(
          'predict_linear',
          [
            matrix(
              r,
              100 * 60_000,
              [{ labels: {}, samples: resetMiddle }],
              r.times[0]! - windowEndMs,
            ),
            scalar(1, 3600),
          ],
          r,
        ),
      )['{}']!;
    expect(p(r50, 3_000_000)).toBeCloseTo(76.81818181818181, 10);
    expect(p(at(10 * 60_000), 3_000_000)).toBeCloseTo(51.36363636363637, 10);
    expect(p(at(70 * 60_000), 3_000_000)).toBeCloseTo(89.54545454545455, 10);
  });
  it('constant values: slope 0, and NaN for an infinite constant', () => {
    const r = at(60_000);
    expect(
      at0(call('deriv', [matrix(r, 60_000, [{ labels: {}, samples: load(s10, [5, 5, 5]) }])], r)),
    ).toEqual({ '{}': 0 });
    expect(
      at0(
        call(
          'deriv',
          [matrix(r, 60_000, [{ labels: {}, samples: load(s10, [Infinity, Infinity]) }])],
          r,
        ),
      )['{}'],
    ).toBeNaN();
  });
  it('needs two samples', () => {
    const r = at(60_000);
    expect(
      at0(call('deriv', [matrix(r, 60_000, [{ labels: {}, samples: load(s10, [5]) }])], r)),
    ).toEqual({});
  });
});

describe('holt_winters', () => {
  it('follows linear trends', () => {
    const r = at(8_000_000);
    const up = Array.from({ length: 1001 }, (_, i) => i * 10).concat(
      Array.from({ length: 1001 }, (_, i) => 100 + i * 30),
    );
    const mat = matrix(r, 60_000, [{ labels: {}, samples: load(s10, up) }]);
    expect(at0(call('holt_winters', [mat, scalar(1, 0.01), scalar(1, 0.1)], r))['{}']).toBeCloseTo(
      8000,
      6,
    );
    const down = Array.from({ length: 1001 }, (_, i) => -20 * i);
    const mat2 = matrix(r, 60_000, [{ labels: {}, samples: load(s10, down) }]);
    expect(at0(call('holt_winters', [mat2, scalar(1, 0.01), scalar(1, 0.1)], r))['{}']).toBeCloseTo(
      -16000,
      6,
    );
  });
  it('rejects factors outside (0, 1) with Go-formatted messages, NaN passes', () => {
    const r = at(60_000);
    const mat = matrix(r, 60_000, [{ labels: {}, samples: load(s10, [1, 2, 3]) }]);
    expect(() => call('holt_winters', [mat, scalar(1, 1), scalar(1, 0.1)], r)).toThrow(
      new ExecutionError('invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000'),
    );
    expect(() => call('holt_winters', [mat, scalar(1, 0.5), scalar(1, 0)], r)).toThrow(
      'invalid trend factor. Expected: 0 < tf < 1, got: 0.000000',
    );
    expect(() => call('holt_winters', [mat, scalar(1, NaN), scalar(1, 0.5)], r)).not.toThrow();
  });
  it('no samples, no check (Prometheus only validates when called)', () => {
    const r = at(60_000);
    const mat = matrix(r, 60_000, []);
    expect(() => call('holt_winters', [mat, scalar(1, 5), scalar(1, 0.1)], r)).not.toThrow();
  });
});
