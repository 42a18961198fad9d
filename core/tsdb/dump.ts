/**
 * @module core/tsdb/dump — what `promtool tsdb dump` prints for a set of blocks: every sample
 * of every selected series as `<labels> <value %g> <timestamp ms>`, series in label order,
 * a series present in several blocks merged by time (duplicates dropped, as Prometheus's
 * chained series merge does). Output goes to a writer in chunks; nothing is held whole.
 */
import { compareLabels, type Labels } from '../labels/labels.ts';
import { goQuote } from '../labels/go-string.ts';
import type { Block, BlockSeries } from './block-reader.ts';
import { formatGoG } from './go-format.ts';
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

export async function dumpBlocks(
  blocks: readonly Block[],
  opts: DumpOptions,
  write: (text: string) => Promise<void> | void,
): Promise<void> {
  const { mint, maxt } = opts;
  const flushAt = opts.flushAt ?? 64 * 1024;
  // Prometheus orders blocks by min time; merging follows that order.
  const sorted = [...blocks].sort((a, b) => a.meta.minTime - b.meta.minTime);
  const cursors: Cursor[] = [];
  for (const block of sorted) {
    const it = block.select(opts.matchers, mint, maxt)[Symbol.asyncIterator]();
    const first = await it.next();
    if (!first.done) cursors.push({ block, it, cur: first.value });
  }
  let out = '';
  const bufs: Samples[] = [];
  while (cursors.length > 0) {
    // Smallest label set among the cursors, and every cursor holding it.
    let min = cursors[0]!.cur!.labels;
    for (const c of cursors) if (compareLabels(c.cur!.labels, min) < 0) min = c.cur!.labels;
    const group: Cursor[] = cursors.filter((c) => compareLabels(c.cur!.labels, min) === 0);
    const prefix = `${promLabelsString(min)} `;
    const decoded = group.map((c, i) => (bufs[i] = decodeSeriesSamples(c.cur!, mint, maxt, c.block.id, bufs[i])));
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
      // k-way merge by timestamp; on equal timestamps the earlier block wins.
      const pos = decoded.map(() => 0);
      let last = -Infinity;
      for (;;) {
        let k = -1;
        for (let j = 0; j < decoded.length; j++) {
          if (pos[j]! < decoded[j]!.length && (k < 0 || decoded[j]!.t[pos[j]!]! < decoded[k]!.t[pos[k]!]!)) k = j;
        }
        if (k < 0) break;
        const t = decoded[k]!.t[pos[k]!]!;
        const v = decoded[k]!.v[pos[k]!]!;
        pos[k]!++;
        if (t === last) continue;
        last = t;
        out += `${prefix}${formatGoG(v)} ${t}\n`;
        if (out.length >= flushAt) {
          await write(out);
          out = '';
        }
      }
    }
    for (const c of group) {
      const next = await c.it.next();
      if (next.done) cursors.splice(cursors.indexOf(c), 1);
      else c.cur = next.value;
    }
  }
  if (out) await write(out);
}
