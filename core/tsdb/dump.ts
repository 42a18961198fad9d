/**
 * @module core/tsdb/dump — what `promtool tsdb dump` prints for a set of blocks: every sample
 * of every selected series as `<labels> <value %g> <timestamp ms>`, series in label order,
 * a series present in several blocks merged by time as Prometheus's chained series merge does
 * (duplicate timestamps dropped, ties broken the same way). Output goes to a writer in chunks;
 * nothing is held whole.
 */
import { compareLabels, type Labels } from '../labels/labels.ts';
import { goQuote } from '../labels/go-string.ts';
import type { Block, BlockSeries } from './block-reader.ts';
import { formatGoG } from './go-format.ts';
import { heapPop, heapPush } from './go-heap.ts';
import type { PostingsMatcher } from './postings-for-matchers.ts';
import { decodeSeriesSamples, type Samples } from './series-samples.ts';

export interface DumpOptions {
  mint: number;
  maxt: number;
  matchers: readonly PostingsMatcher[];
  /** Flush to the writer when the pending text reaches this many chars (default 64 Ki). */
  flushAt?: number;
}

/** Prometheus's `labels.Labels.String()`: `{a="1", b="2"}` with Go-quoted values. */
export function promLabelsString(ls: Labels): string {
  let s = '{';
  for (let i = 0; i < ls.length; i++) {
    if (i > 0) s += ', ';
    s += `${ls[i]!.name}=${goQuote(ls[i]!.value)}`;
  }
  return `${s}}`;
}

interface Cursor {
  block: Block;
  it: AsyncIterator<BlockSeries>;
  cur: BlockSeries | undefined;
}

/** A decoded series as Prometheus's sample iterator: `i` is -1 before the first Next. */
interface SampleCursor {
  s: Samples;
  i: number;
}

const cursorLess = (a: Cursor, b: Cursor): boolean =>
  compareLabels(a.cur!.labels, b.cur!.labels) < 0;
const sampleLess = (a: SampleCursor, b: SampleCursor): boolean => a.s.t[a.i]! < b.s.t[b.i]!;

async function advance(c: Cursor): Promise<boolean> {
  const n = await c.it.next();
  c.cur = n.done ? undefined : n.value;
  return !n.done;
}

/**
 * Prometheus's `chainSampleIterator` over the same series from several blocks, step for step
 * (including its heap), so equal timestamps with different values resolve as promtool's do.
 */
function* chainSamples(its: SampleCursor[]): Generator<SampleCursor> {
  const h: SampleCursor[] = [];
  let curr: SampleCursor | undefined = its[0]!;
  for (const it of its.slice(1)) if (++it.i < it.s.length) heapPush(h, it, sampleLess);
  let lastT = Number.NaN;
  for (;;) {
    let currT = 0;
    for (;;) {
      if (++curr!.i < curr!.s.length) {
        currT = curr!.s.t[curr!.i]!;
        if (currT === lastT) continue; // same timestamp as the last sample: dropped
        if (h.length === 0) break;
        if (currT < h[0]!.s.t[h[0]!.i]!) break;
        heapPush(h, curr!, sampleLess);
      } else if (h.length === 0) {
        return;
      }
      curr = heapPop(h, sampleLess);
      currT = curr.s.t[curr.i]!;
      if (currT !== lastT) break;
    }
    lastT = currT;
    yield curr!;
  }
}

export async function dumpBlocks(
  blocks: readonly Block[],
  opts: DumpOptions,
  write: (text: string) => Promise<void> | void,
): Promise<void> {
  const { mint, maxt } = opts;
  const flushAt = opts.flushAt ?? 64 * 1024;
  // Prometheus orders blocks by min time (a stable sort for the few blocks of a dump) and merges
  // their series sets with genericMergeSeriesSet; this mirrors that, heap included.
  const sorted = [...blocks].sort((a, b) => a.meta.minTime - b.meta.minTime);
  const heap: Cursor[] = [];
  for (const block of sorted) {
    const c: Cursor = {
      block,
      it: block.select(opts.matchers, mint, maxt)[Symbol.asyncIterator](),
      cur: undefined,
    };
    if (await advance(c)) heapPush(heap, c, cursorLess);
  }
  let current: Cursor[] = [];
  let out = '';
  const bufs: Samples[] = [];
  for (;;) {
    for (const c of current) if (await advance(c)) heapPush(heap, c, cursorLess);
    if (heap.length === 0) break;
    const labels = heap[0]!.cur!.labels;
    current = [];
    while (heap.length > 0 && compareLabels(heap[0]!.cur!.labels, labels) === 0)
      current.push(heapPop(heap, cursorLess));

    const prefix = `${promLabelsString(labels)} `;
    const decoded = current.map(
      (c, i) => (bufs[i] = decodeSeriesSamples(c.cur!, mint, maxt, c.block.id, bufs[i])),
    );
    if (decoded.length === 1) {
      const s = decoded[0]!;
      for (let i = 0; i < s.length; i++) {
        out += `${prefix}${formatGoG(s.v[i]!)} ${s.t[i]!}\n`;
        if (out.length >= flushAt) {
          await write(out);
          out = '';
        }
      }
    } else {
      for (const c of chainSamples(decoded.map((s) => ({ s, i: -1 })))) {
        out += `${prefix}${formatGoG(c.s.v[c.i]!)} ${c.s.t[c.i]!}\n`;
        if (out.length >= flushAt) {
          await write(out);
          out = '';
        }
      }
    }
  }
  if (out) await write(out);
}
