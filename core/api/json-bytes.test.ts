import { describe, expect, it } from 'vitest';
import { labelsFrom } from '../labels/labels.ts';
import { JsonBytes, decimals } from './json-bytes.ts';
import { formatTimestamp, formatValue, queryDataChunks, queryDataJson } from './prom-json.ts';

const decoder = new TextDecoder();

/** A deterministic pseudo-random stream (no Math.random: a failure must repeat). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function pointText(t: number, v: number): string {
  const out = new JsonBytes(4);
  out.point(t, v);
  return decoder.decode(out.take());
}

describe('JsonBytes', () => {
  it('writes every point byte for byte as the string formatters do', () => {
    const values = [
      0,
      -0,
      1,
      -1,
      7,
      -2.5,
      0.1,
      1 / 3,
      1e21,
      1.5e22,
      1e-7,
      -1.25e-8,
      1e-6,
      999999.9999,
      2 ** 53,
      2 ** 53 + 2,
      -(2 ** 53),
      123456789012345680000,
      Infinity,
      -Infinity,
      NaN,
      5e-324,
      1.7976931348623157e308,
      -1.7976931348623157e308,
      0.841,
      1e15,
      1e16 + 4,
    ];
    const times = [
      0, 1000, 1500, 1500.5, 1005, 2000, -1500, -999, -1, 1435781451781, 1_700_000_000_000, 9,
    ];
    for (const t of times)
      for (const v of values)
        expect(pointText(t, v), `${t} ${v}`).toBe(`[${formatTimestamp(t)},"${formatValue(v)}"]`);
    const rnd = lcg(7);
    for (let i = 0; i < 20_000; i++) {
      const t = Math.floor((rnd() - 0.2) * 4e12);
      const kind = i % 4;
      const v =
        kind === 0
          ? Math.floor((rnd() - 0.5) * 1e12)
          : kind === 1
            ? (rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20)
            : kind === 2
              ? Math.round(rnd() * 1e6) / 1000
              : new Float64Array(new Uint32Array([rnd() * 2 ** 32, rnd() * 2 ** 32]).buffer)[0]!;
      expect(pointText(t, v), `${t} ${v}`).toBe(`[${formatTimestamp(t)},"${formatValue(v)}"]`);
    }
  });

  it('writes values with a few decimals as the shortest round-trip digits', () => {
    const rnd = lcg(11);
    const cases: number[] = [
      0.1, 0.2, 0.3, 0.7, 1.1, 2.675, 0.000001, 0.0000015, 9.999999, 99999.95,
    ];
    cases.push(0.1 + 0.2, 1 - 1e-7, 2147.483647, 214748.3647, 2147483.6, 0.009999999999999998);
    for (let i = 0; i < 40_000; i++) {
      const k = 1 + (i % 9);
      const m = Math.floor(rnd() * 10 ** (1 + (i % 11)));
      const v = (rnd() < 0.5 ? -m : m) / 10 ** k;
      cases.push(v, v * (1 + 2 ** -52), v + 10 ** -k / 2, Math.fround(v));
    }
    for (let e = -7; e <= 9; e++) cases.push(10 ** e, 10 ** e - 10 ** (e - 7), 10 ** e * 0.9999999);
    let fast = 0;
    for (const v of cases) {
      if (decimals(v) > 0) fast++;
      expect(pointText(5000, v), String(v)).toBe(`[5,"${formatValue(v)}"]`);
    }
    // Most of these take the fast path; the check above holds for both paths.
    expect(fast).toBeGreaterThan(cases.length / 5);
  });

  it('writes text in UTF-8 and grows past its first capacity', () => {
    const out = new JsonBytes(2);
    out.text('{"ünïcødé":"日本","e":"😀"}');
    out.ascii(',');
    expect(decoder.decode(out.take())).toBe('{"ünïcødé":"日本","e":"😀"},');
    expect(out.length).toBe(0);
  });
});

describe('queryDataChunks', () => {
  it('gives the same bytes whatever the chunk size, and chunks near that size', () => {
    const rnd = lcg(3);
    const series = Array.from({ length: 30 }, (_, i) => ({
      metric: labelsFrom({ __name__: 'm', i: String(i), ü: 'ö' }),
      t: Float64Array.from({ length: 50 }, (_, k) => 1_700_000_000_000 + k * 15_250),
      v: Float64Array.from({ length: 50 }, () => (rnd() < 0.1 ? NaN : rnd() * 100)),
    }));
    const value = { type: 'matrix' as const, series };
    const whole = queryDataJson(value);
    expect(
      whole.startsWith(
        '{"resultType":"matrix","result":[{"metric":{"__name__":"m","i":"0","ü":"ö"},"values":[[1700000000,"',
      ),
    ).toBe(true);
    for (const size of [1, 7, 100, 4096, 1 << 20]) {
      const chunks = [...queryDataChunks(value, size)];
      const text = chunks.map((c) => decoder.decode(c)).join('');
      expect(text).toBe(whole);
      // Each chunk ends at the first point past the size (a point is under 64 bytes here).
      for (const c of chunks.slice(0, -1)) expect(c.length).toBeLessThan(size + 200);
    }
    const samples = series.map((s) => ({ metric: s.metric, t: s.t[0]!, v: s.v[0]! }));
    const vector = { type: 'vector' as const, samples };
    const chunked = [...queryDataChunks(vector, 10)].map((c) => decoder.decode(c)).join('');
    expect(chunked).toBe(queryDataJson(vector));
    expect(JSON.parse(chunked).result[2]).toEqual({
      metric: { __name__: 'm', i: '2', ü: 'ö' },
      value: [1700000000, formatValue(series[2]!.v[0]!)],
    });
  });
});
