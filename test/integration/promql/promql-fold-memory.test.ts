/**
 * What a query holds of a stream it consumes a batch at a time: the engine over a generated
 * queryable (40 batches of 500 series, nothing kept by the source), memory measured after a GC
 * each time the next batch is asked for. An aggregation folds its input as it comes, so what it
 * holds stays flat; the same data through a node that keeps every series (a comparison between
 * the function and the aggregation) grows by every batch's output, which shows the measurement
 * sees holding. Before the engine raced each batch against a long-lived promise (a reaction, and
 * with it the batch, left behind per batch) both grew by the whole raw input.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTsxChild } from '../../helpers/tsx-child.ts';

const here = dirname(fileURLToPath(import.meta.url));

async function growth(query: string): Promise<{ series: number; growthMB: number }> {
  const child = join(here, 'promql-fold-memory.child.ts');
  const { code, out, err } = await runTsxChild(child, [query], ['--expose-gc']);
  expect(code, err).toBe(0);
  return JSON.parse(out.trim()) as { series: number; growthMB: number };
}

describe('memory of a streamed query', () => {
  it('an aggregation over a selector or a range function holds its groups, not its input', async () => {
    // The outputs of the ~25 batches between the two measurements alone are 25 x 500 x 361 steps
    // x 9 bytes = 41 MB.
    const [rate, held, plain, heldPlain] = await Promise.all([
      growth('sum by (job) (rate(requests_total[5m]))'),
      growth('sum by (job) (rate(requests_total[5m]) > -1)'),
      growth('avg(requests_total)'),
      growth('avg(requests_total > -1)'),
    ]);
    // Apart from the four above: six children at once on two cores made GC timing noisy.
    const [top, bottomRate] = await Promise.all([
      growth('topk(3, requests_total)'),
      growth('bottomk by (job) (2, rate(requests_total[5m]))'),
    ]);
    expect(rate.series).toBe(10);
    expect(held.series).toBe(10);
    expect(plain.series).toBe(1);
    expect(heldPlain.series).toBe(1);
    expect(held.growthMB).toBeGreaterThan(25);
    expect(heldPlain.growthMB).toBeGreaterThan(25);
    expect(rate.growthMB).toBeLessThan(12);
    expect(plain.growthMB).toBeLessThan(12);
    // topk and bottomk keep each group's k best members per step, not their input.
    expect(top.series).toBeGreaterThanOrEqual(3);
    expect(bottomRate.series).toBeGreaterThanOrEqual(20);
    expect(top.growthMB).toBeLessThan(12);
    expect(bottomRate.growthMB).toBeLessThan(12);
  }, 180_000);
});
