/**
 * Child process of promql-memory.test.ts, run under `--max-old-space-size=128` (a Worker
 * isolate's memory): a range query with 1,000,000 output points over 1,000 series. Prints one
 * JSON line with the result size and the peak heap it saw; a heap overrun kills the process.
 */
import { labelsFrom } from '../../../core/labels/labels.ts';
import { Engine } from '../../../core/promql/engine/engine.ts';
import { functionImpls } from '../../../core/promql/functions/table.ts';
import { parseExpr } from '../../../core/promql/parser/parse.ts';
import { MemoryStorage } from '../../../core/promql/storage/memory.ts';

const SERIES = 1000;
const STEPS = 1000;
const STEP = 15_000;
const T0 = 1_700_000_000_000;
const samples = STEPS + 40; // 10 minutes of extra history for the rate window

const storage = new MemoryStorage();
const t = new Float64Array(samples);
for (let i = 0; i < samples; i++) t[i] = T0 + i * STEP;
for (let s = 0; s < SERIES; s++) {
  const v = new Float64Array(samples);
  for (let i = 0; i < samples; i++) v[i] = i * (s + 1) + (i % 7);
  storage.append(labelsFrom({ __name__: 'requests_total', instance: `i${s}`, job: 'bench' }), t, v);
}
const engine = new Engine(storage, {
  functions: functionImpls,
  parse: parseExpr,
  maxBytes: 64 * 1024 * 1024,
});
let peak = 0;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
const start = T0 + 40 * STEP;
const res = await engine.rangeQuery(
  'rate(requests_total[5m]) * 2',
  start,
  start + (STEPS - 1) * STEP,
  STEP,
);
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().heapUsed);
if (res.value.type !== 'matrix') throw new Error('not a matrix');
let points = 0;
for (const s of res.value.series) points += s.t.length;
process.stdout.write(
  `${JSON.stringify({ series: res.value.series.length, points, peakHeapMB: peak / 2 ** 20 })}\n`,
);
