/**
 * @module core/compact/compact-blocks — writes one block from several input blocks of a group,
 * streaming: the symbol table is the merged (sorted, unique) union of the inputs' symbol tables,
 * then the series of all inputs are merged by labels one at a time (a k-way merge of per-block
 * cursors) and handed to the BlockAssembler with their chunks. meta.json follows Thanos's
 * compactor: level max+1, sources the sorted union, parents the inputs, source `compactor`.
 */
import { CorruptBlockError, errorMessage } from '../errors.ts';
import { compareLabels, compareStrings } from '../labels/labels.ts';
import { mergeCursors } from '../storeapi/merge.ts';
import type { Block } from '../tsdb/block-reader.ts';
import type { BlockDesc, BlockMeta, ThanosMeta } from '../tsdb/meta.ts';
import { BlockAssembler, type SinkFactory } from '../tsdb/writer/block-writer.ts';
import { BlockSeriesCursor, seriesBatchFor, type InputSeries } from './block-series.ts';
import { mergeSeries, type SeriesPart } from './chunk-merge.ts';

export interface CompactInput {
  readonly block: Block;
  /** The input's replica (its replica labels' values); '' when not deduplicating. */
  readonly replica?: string;
}

export interface CompactProgress {
  readonly series: number;
  readonly samples: number;
}

export interface CompactBlocksOptions {
  /** Where the new block's files go. */
  readonly sink: SinkFactory;
  /** The group's external labels and resolution. */
  readonly thanos: Omit<ThanosMeta, 'files' | 'source'>;
  /** Deduplicate replicas with the penalty algorithm. */
  readonly penalty?: boolean;
  readonly ulid?: string;
  /** Size at which the output's chunk segments are cut (default Prometheus's 512 MiB). */
  readonly segmentSize?: number;
  /** Series per input read in one batch (default: from the inputs' sizes, see `seriesBatchFor`). */
  readonly batch?: number;
  /** Bytes held in read batches by all inputs together (default READ_BUDGET_BYTES). */
  readonly readBudget?: number;
  /** Called every `progressEvery` series (default 1000) and at the end. */
  readonly onProgress?: (p: CompactProgress) => void;
  readonly progressEvery?: number;
}

export interface CompactResult {
  /** The new block's meta; undefined when the inputs held no samples (nothing written). */
  readonly meta: BlockMeta | undefined;
  /** Series whose chunks had to be decoded and re-encoded (overlaps, deletions). */
  readonly reencodedSeries: number;
}

/** Compaction section of the output: Thanos's/Prometheus's compactor rules. */
export function compactionOf(inputs: readonly BlockMeta[]): BlockMeta['compaction'] {
  const sources = new Set<string>();
  let level = 0;
  for (const m of inputs) {
    level = Math.max(level, m.compaction.level);
    for (const s of m.compaction.sources ?? [m.ulid]) sources.add(s);
  }
  const parents: BlockDesc[] = [...inputs]
    .sort((a, b) => a.minTime - b.minTime || compareStrings(a.ulid, b.ulid))
    .map((m) => ({ ulid: m.ulid, minTime: m.minTime, maxTime: m.maxTime }));
  return { level: level + 1, sources: [...sources].sort(compareStrings), parents };
}

/** The sorted union of sorted string sequences, without repeats. */
export function* mergeSortedStrings(lists: readonly Iterable<string>[]): Generator<string> {
  const its = lists.map((l) => l[Symbol.iterator]());
  const heads = its.map((it) => it.next());
  let last: string | undefined;
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i]!;
      if (h.done) continue;
      if (best < 0 || compareStrings(h.value, heads[best]!.value as string) < 0) best = i;
    }
    if (best < 0) return;
    const v = heads[best]!.value as string;
    if (v !== last) yield v;
    last = v;
    heads[best] = its[best]!.next();
  }
}

export async function compactBlocks(
  inputs: readonly CompactInput[],
  opts: CompactBlocksOptions,
): Promise<CompactResult> {
  const metas = inputs.map((i) => i.block.meta);
  const w = new BlockAssembler(opts.sink, {
    ...(opts.ulid ? { ulid: opts.ulid } : {}),
    ...(opts.segmentSize ? { segmentSize: opts.segmentSize } : {}),
    tombstones: false,
    thanos: { ...opts.thanos, source: 'compactor' },
    compaction: compactionOf(metas),
  });
  const cursors = inputs.map(
    (inp, i) =>
      new BlockSeriesCursor(
        inp.block,
        i,
        opts.batch ?? seriesBatchFor(inp.block, inputs.length, opts.readBudget),
        // Each series' chunks are copied into the new block before the merge moves past it.
        true,
      ),
  );
  const every = opts.progressEvery ?? 1000;
  let series = 0;
  let reencoded = 0;
  try {
    w.setSymbols(mergeSortedStrings(inputs.map((i) => i.block.index.symbols.all())));
    await Promise.all(cursors.map((c) => c.advance()));
    failIfAny(cursors);
    for await (const group of mergeCursors(cursors, (a: InputSeries, b: InputSeries) =>
      compareLabels(a.labels, b.labels),
    )) {
      const parts: SeriesPart[] = group.map((c) => ({
        series: c.head!,
        block: c.block.id,
        replica: inputs[c.input]!.replica ?? '',
      }));
      const merged = mergeSeries(parts, { penalty: opts.penalty ?? false });
      if (merged.reencoded) reencoded++;
      await w.addSeries(group[0]!.head!.labels, merged.chunks);
      series++;
      if (series % every === 0) opts.onProgress?.({ series, samples: w.numSamples });
      // A cursor that failed has left the merge: check them all, not only this group.
      failIfAny(cursors);
    }
    failIfAny(cursors);
  } catch (err) {
    await w.abort(err);
    throw err;
  }
  const minTime = Math.min(...metas.map((m) => m.minTime));
  const maxTime = Math.max(...metas.map((m) => m.maxTime));
  const meta = await w.finish(minTime, maxTime);
  opts.onProgress?.({ series, samples: meta?.stats.numSamples ?? 0 });
  return { meta, reencodedSeries: reencoded };
}

/** Rethrows the first cursor's read failure; a corruption always names its block. */
function failIfAny(cursors: readonly BlockSeriesCursor[]): void {
  for (const c of cursors) {
    if (c.error === undefined) continue;
    const err = c.error;
    if (!(err instanceof CorruptBlockError) || err.location.block) throw err;
    throw new CorruptBlockError(
      `read series: ${errorMessage(err)}`,
      { block: c.block.id },
      { cause: err },
    );
  }
}
