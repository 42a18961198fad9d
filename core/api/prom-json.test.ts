import { describe, expect, it } from 'vitest';
import { formatTimestamp, formatValue } from './prom-json.ts';

describe('Prometheus JSON number formatting', () => {
  it('formats values as Go FormatFloat(v, f, -1, 64)', () => {
    const cases: Array<[number, string]> = [
      [0, '0'],
      [1, '1'],
      [-2.5, '-2.5'],
      [0.1, '0.1'],
      [1 / 3, '0.3333333333333333'],
      [1e21, '1000000000000000000000'],
      [1.5e22, '15000000000000000000000'],
      [1e-7, '0.0000001'],
      [-1.25e-8, '-0.0000000125'],
      [123456789012345680000, '123456789012345680000'],
      [Infinity, '+Inf'],
      [-Infinity, '-Inf'],
      [NaN, 'NaN'],
      [5e-324, '0.' + '0'.repeat(323) + '5'],
    ];
    for (const [v, s] of cases) expect(formatValue(v)).toBe(s);
  });

  it('formats timestamps as Prometheus jsonutil does', () => {
    expect(formatTimestamp(1435781451781)).toBe('1435781451.781');
    expect(formatTimestamp(1500)).toBe('1.500');
    expect(formatTimestamp(1005)).toBe('1.005');
    expect(formatTimestamp(2000)).toBe('2');
    expect(formatTimestamp(-1500)).toBe('-1.500');
    expect(formatTimestamp(0)).toBe('0');
  });
});

describe('streamed answers', () => {
  it('are byte-identical to the whole string, and rendered only as they are read', async () => {
    const { labelsFrom } = await import('../labels/labels.ts');
    const { queryDataJson, queryDataChunks, streamedSuccessResponse, successJson } =
      await import('./prom-json.ts');
    const n = 400;
    const series = Array.from({ length: n }, (_, i) => ({
      metric: labelsFrom({ __name__: 'm', i: String(i) }),
      t: Float64Array.from({ length: 200 }, (_, k) => 1_700_000_000_000 + k * 15_500),
      v: Float64Array.from({ length: 200 }, (_, k) => (k * i) / 7),
    }));
    const value = { type: 'matrix' as const, series };
    const want = successJson(queryDataJson(value), ['w1']);
    expect(await streamedSuccessResponse(queryDataChunks(value), ['w1']).text()).toBe(want);

    let rendered = 0;
    const counted = (function* () {
      for (const chunk of queryDataChunks(value)) {
        rendered++;
        yield chunk;
      }
    })();
    const reader = streamedSuccessResponse(counted).body!.getReader();
    let read = 0;
    while (read < 64 * 1024) read += (await reader.read()).value!.byteLength;
    // 64 KiB read: one or two chunks of a many-chunk answer have been rendered, not the whole.
    expect(want.length).toBeGreaterThan(20 * 64 * 1024);
    expect(rendered).toBeLessThanOrEqual(2);
    await reader.cancel();
  });
});

describe('answers with stats', () => {
  it('stream the data with the stats inside its object, for every kind of value', async () => {
    const { labelsFrom } = await import('../labels/labels.ts');
    const { dataChunksWith, queryDataJson, queryDataChunks, streamedSuccessResponse } =
      await import('./prom-json.ts');
    const stats = '"stats":{"samples":{"totalQueryableSamples":7}}';
    const matrix = {
      type: 'matrix' as const,
      series: Array.from({ length: 300 }, (_, i) => ({
        metric: labelsFrom({ __name__: 'm', i: String(i) }),
        t: Float64Array.from({ length: 300 }, (_, k) => 1_700_000_000_000 + k * 15_000),
        v: Float64Array.from({ length: 300 }, (_, k) => k / (i + 1)),
      })),
    };
    const values = [
      matrix,
      { type: 'matrix' as const, series: [] },
      { type: 'scalar' as const, t: 1_700_000_000_000, v: 0.5 },
      {
        type: 'vector' as const,
        samples: [{ metric: labelsFrom({ a: 'b' }), t: 1_700_000_000_000, v: 2 }],
      },
    ];
    for (const value of values) {
      const chunks = [...queryDataChunks(value, 4096)];
      if (value === matrix) expect(chunks.length).toBeGreaterThan(10);
      const text = await streamedSuccessResponse(dataChunksWith(chunks, stats), ['w']).text();
      const data = JSON.parse(queryDataJson(value)) as object;
      expect(JSON.parse(text)).toEqual({
        status: 'success',
        data: { ...data, stats: { samples: { totalQueryableSamples: 7 } } },
        warnings: ['w'],
      });
    }
    expect(() => [...dataChunksWith([new TextEncoder().encode('[1]')], stats)]).toThrow(
      /closing brace/,
    );
  });
});

describe('piecewise matrix series', () => {
  it('render exactly as the series joined, whatever the pieces and chunk sizes', async () => {
    const { labelsFrom } = await import('../labels/labels.ts');
    const { labelsJson, matrixChunks } = await import('./prom-json.ts');
    const decoder = new TextDecoder();
    const text = (chunks: Iterable<Uint8Array>): string =>
      [...chunks].map((c) => decoder.decode(c)).join('');
    const whole = Array.from({ length: 30 }, (_, i) => {
      const n = (i * 7) % 23;
      return {
        metric: labelsFrom({ __name__: 'm', i: String(i) }),
        t: Float64Array.from({ length: n }, (_, k) => 1_700_000_000_000 + k * 15_000),
        v: Float64Array.from({ length: n }, (_, k) => (k % 5 === 0 ? NaN : (k * i) / 3)),
      };
    });
    // Cut each series at up to three places, empty pieces included.
    const piecewise = whole.map((s, i) => {
      const cuts = [0, (i * 3) % (s.t.length + 1), (i * 5) % (s.t.length + 1), s.t.length].sort(
        (a, b) => a - b,
      );
      const pieces = cuts.slice(1).map((end, k) => ({
        t: s.t.subarray(cuts[k], end),
        v: s.v.subarray(cuts[k], end),
      }));
      return { metric: s.metric, metricJson: labelsJson(s.metric), pieces };
    });
    expect(piecewise.some((s) => s.pieces.filter((p) => p.t.length > 0).length > 1)).toBe(true);
    for (const chunkBytes of [16, 100, 4096]) {
      expect(text(matrixChunks(piecewise, chunkBytes))).toBe(text(matrixChunks(whole, chunkBytes)));
    }
    const parsed = JSON.parse(text(matrixChunks(piecewise))) as {
      result: { values: unknown[] }[];
    };
    expect(parsed.result.map((r) => r.values.length)).toEqual(whole.map((s) => s.t.length));
  });
});
