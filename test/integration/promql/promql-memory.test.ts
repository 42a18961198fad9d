/**
 * A range query with 1M output points over 1,000 series completes inside a 128 MB heap (the
 * memory of a Worker isolate), enforced by V8 itself: the child runs with --max-old-space-size=128.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTsxChild } from '../../helpers/tsx-child.ts';

const here = dirname(fileURLToPath(import.meta.url));

describe('PromQL memory budget', () => {
  it('answers 1M points over 1,000 series within a 128 MB heap', async () => {
    const { code, out, err } = await runTsxChild(
      join(here, 'promql-memory.child.ts'),
      [],
      ['--max-old-space-size=128'],
    );
    expect(code, err).toBe(0);
    const result = JSON.parse(out.trim()) as { series: number; points: number; peakHeapMB: number };
    expect(result.series).toBe(1000);
    expect(result.points).toBe(1_000_000);
    expect(result.peakHeapMB).toBeLessThan(128);
  }, 120_000);
});
