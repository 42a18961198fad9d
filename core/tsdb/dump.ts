/**
 * @module core/tsdb/dump — what `promtool tsdb dump` prints for a set of blocks: every sample
 * of every selected series as `<labels> <value %g> <timestamp ms>`, series in label order,
 * a series present in several blocks merged by time as Prometheus's chained series merge does
 * (duplicate timestamps dropped, ties broken the same way), the replayed head (WAL) merged in
 * like one more block. Output goes to a writer in chunks; nothing is held whole.
 */
import { compareLabels, getLabel, type Labels } from '../labels/labels.ts';
import { goQuote } from '../gocompat/quote.ts';
import type { Block, BlockSeries } from './block-reader.ts';
import { goFormatFloat } from '../gocompat/strconv.ts';
import { heapPop, heapPush } from '../gocompat/heap.ts';
import type { PostingsMatcher } from './postings-for-matchers.ts';
import { decodeSeriesSamples, type Samples } from './series-samples.ts';
import { isDeleted } from './tombstones.ts';
import type { Head, HeadSeries } from './wal/head-replay.ts';

export interface DumpOptions {
  mint: number;
  maxt: number;
  matchers: readonly PostingsMatcher[];
  /** Flush to the writer when the pending text reaches this many chars (default 64 Ki). */
  flushAt?: number;
}

/** 2^63: int64 flag defaults (±9223372036854775807/8) become ±2^63 as numbers. */
const INT64_BOUND = 2 ** 63;

/** Prometheus's `labels.Labels.String()`: `{a="1", b="2"}` with Go-quoted values. */
export function promLabelsString(ls: Labels): string {
  let s = '{';
  for (let i = 0; i < ls.length; i++) {
    if (i > 0) s += ', ';
    s += `${ls[i]!.name}=${goQuote(ls[i]!.value)}`;
  }
  return `${s}}`;
}

/** One series source in the merge: a block's select, or the replayed head. */
interface Cursor {
  labels: Labels | undefined;
  next(): Promise<boolean>;
  /** Samples of the current series in [mint, maxt], tombstones applied. */
  samples(mint: number, maxt: number, buf: Samples | undefined): Samples;
}

function blockCursor(block: Block, opts: DumpOptions): Cursor {
  const it = block.select(opts.matchers, opts.mint, opts.maxt)[Symbol.asyncIterator]();
  let cur: BlockSeries | undefined;
  const c: Cursor = {
    labels: undefined,
    async next() {
      const n = await it.next();
      cur = n.done ? undefined : n.value;
      c.labels = cur?.labels;
      return !n.done;
    },
    samples: (mint, maxt, buf) => decodeSeriesSamples(cur!, mint, maxt, block.id, buf),
  };
  return c;
}

/** The head as Prometheus's head querier yields it: matching series with samples in range. */
function headCursor(head: readonly HeadSeries[], opts: DumpOptions): Cursor {
  const { mint, maxt, matchers } = opts;
  const inRange = (s: HeadSeries): boolean => {
    for (let i = 0; i < s.t.length; i++) {
      const t = s.t[i]!;
      if (t >= mint && t <= maxt && !(s.deleted && isDeleted(s.deleted, t))) return true;
    }
    return false;
  };
  let i = -1;
  const c: Cursor = {
    labels: undefined,
    async next() {
      while (++i < head.length) {
        const s = head[i]!;
        if (matchers.length === 0) break;
        if (!matchers.every((m) => m.matches(getLabel(s.labels, m.name))) || !inRange(s)) continue;
        c.labels = s.labels;
        return true;
      }
      c.labels = undefined;
      return false;
    },
    samples(lo, hi, buf) {
      const s = head[i]!;
      const out =
        buf && buf.t.length >= s.t.length
          ? buf
          : { t: new Float64Array(s.t.length), v: new Float64Array(s.t.length), length: 0 };
      let n = 0;
      for (let k = 0; k < s.t.length; k++) {
        const t = s.t[k]!;
        if (t < lo || t > hi || (s.deleted && isDeleted(s.deleted, t))) continue;
        out.t[n] = t;
        out.v[n++] = s.v[k]!;
      }
      out.length = n;
      return out;
    },
  };
  return c;
}

/** A decoded series as Prometheus's sample iterator: `i` is -1 before the first Next. */
interface SampleCursor {
  s: Samples;
  i: number;
}

const cursorLess = (a: Cursor, b: Cursor): boolean => compareLabels(a.labels!, b.labels!) < 0;
const sampleLess = (a: SampleCursor, b: SampleCursor): boolean => a.s.t[a.i]! < b.s.t[b.i]!;

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

/**
 * Dumps `blocks` (and the replayed `head`, if given, merged last as Prometheus's head querier
 * is) to `write`.
 */
export async function dumpBlocks(
  blocks: readonly Block[],
  opts: DumpOptions,
  write: (text: string) => Promise<void> | void,
  head?: Head,
): Promise<void> {
  const { mint, maxt } = opts;
  const flushAt = opts.flushAt ?? 64 * 1024;
  // Prometheus orders blocks by min time (a stable sort for the few blocks of a dump) and merges
  // their series sets with genericMergeSeriesSet; this mirrors that, heap included.
  const sorted = [...blocks].sort((a, b) => a.meta.minTime - b.meta.minTime);
  const sources = sorted.map((b) => blockCursor(b, opts));
  if (head) {
    // DB.Querier's queriers: overlapping blocks, the head if maxt >= its min time, and (2.42,
    // out-of-order disabled) an out-of-order head querier exactly when the range is the full
    // int64 range. With a single querier promtool does not sort: the head then yields its
    // series in ref (creation) order, not label order.
    const full = mint <= -INT64_BOUND && maxt >= INT64_BOUND;
    const queriers =
      sorted.filter((b) => b.meta.minTime <= maxt && mint < b.meta.maxTime).length +
      (maxt >= INT64_BOUND || maxt >= head.minTime ? 1 : 0) +
      (full ? 1 : 0);
    const series = queriers === 1 ? [...head.series].sort((a, b) => a.ref - b.ref) : head.series;
    sources.push(headCursor(series, opts));
  }
  const heap: Cursor[] = [];
  for (const c of sources) if (await c.next()) heapPush(heap, c, cursorLess);
  let current: Cursor[] = [];
  let out = '';
  const bufs: Samples[] = [];
  for (;;) {
    for (const c of current) if (await c.next()) heapPush(heap, c, cursorLess);
    if (heap.length === 0) break;
    const labels = heap[0]!.labels!;
    current = [];
    while (heap.length > 0 && compareLabels(heap[0]!.labels!, labels) === 0) {
      current.push(heapPop(heap, cursorLess));
    }
    const prefix = `${promLabelsString(labels)} `;
    const decoded = current.map((c, i) => (bufs[i] = c.samples(mint, maxt, bufs[i])));
    if (decoded.length === 1) {
      const s = decoded[0]!;
      for (let i = 0; i < s.length; i++) {
        out += `${prefix}${goFormatFloat(s.v[i]!, 'g', -1)} ${s.t[i]!}\n`;
        if (out.length >= flushAt) {
          await write(out);
          out = '';
        }
      }
    } else {
      for (const c of chainSamples(decoded.map((s) => ({ s, i: -1 })))) {
        out += `${prefix}${goFormatFloat(c.s.v[c.i]!, 'g', -1)} ${c.s.t[c.i]!}\n`;
        if (out.length >= flushAt) {
          await write(out);
          out = '';
        }
      }
    }
  }
  if (out) await write(out);
}
