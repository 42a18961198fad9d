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
