/**
 * @module core/receive/cut — turns the oldest complete block range of a tenant's head into a
 * block, as Prometheus's head compaction does (a range [k·D, (k+1)·D) once the head spans more
 * than 1.5 D), and also, so that a tenant that stopped writing still gets its data into the
 * bucket, once the wall clock is half a block past the range's end and the tenant has written
 * nothing for half a block. The clock alone is not enough: a sender that is behind (a backlog after
 * an outage, a slow start) still sends samples of that range, and cutting it would turn them into
 * "out of bounds" refusals, which remote write drops. The block carries Thanos's meta (external
 * labels with the tenant, source `receive`); the head is truncated only after the upload, so a
 * failed upload leaves every sample in the head (and in the log) for the next try.
 */
import { compareLabels, compareStrings, type Labels } from '../labels/labels.ts';
import type { BlockMeta } from '../tsdb/meta.ts';
import { BlockAssembler, type SinkFactory } from '../tsdb/writer/block-writer.ts';
import type { ChunkMeta } from '../tsdb/writer/chunk-writer.ts';
import { goDiv } from '../gocompat/math.ts';
import type { HeadSeries, ReceiveHead, TenantHead } from './head.ts';

export interface BlockRange {
  readonly minTime: number;
  readonly maxTime: number;
}

/** The oldest range of this tenant's head that is ready to become a block, if any. */
export function cuttableRange(
  head: TenantHead,
  blockDuration: number,
  now: number,
): BlockRange | undefined {
  if (!Number.isFinite(head.minTime)) return undefined;
  // A range cut already (kept in the head a while for readers) is not cut again.
  const from = Math.max(head.minTime, head.minValidTime);
  if (from > head.maxTime) return undefined;
  const minTime = goDiv(from, blockDuration) * blockDuration;
  const maxTime = minTime + blockDuration;
  const spansEnough = head.maxTime - minTime > (blockDuration / 2) * 3;
  const idle = now - maxTime >= blockDuration / 2 && now - head.lastAppendAt >= blockDuration / 2;
  return spansEnough || idle ? { minTime, maxTime } : undefined;
}

export interface CutResult {
  readonly meta: BlockMeta | undefined;
  readonly droppedRefs: readonly number[];
}

export interface CutOptions {
  /** External labels of the block (the tenant's label included). */
  readonly externalLabels: Labels;
  readonly openSink: SinkFactory;
  /**
   * Leave the range's chunks in the head after the upload (default: truncate at once). Readers
   * then still find them here until the store gateways list the new block; the caller truncates
   * later with truncateHead. Appends to the range are refused either way.
   */
  readonly keepInHead?: boolean;
}

/**
 * Writes the tenant's samples in [range.minTime, range.maxTime) as a block, then truncates them
 * from the head. From the moment this starts, appends older than range.maxTime are out of bounds
 * (the block owns that range). Returns the meta (undefined if the range held no samples) and the
 * refs of series the truncation dropped (their log records can go).
 */
export async function cutBlock(
  head: ReceiveHead,
  tenant: TenantHead,
  range: BlockRange,
  opts: CutOptions,
): Promise<CutResult> {
  tenant.minValidTime = Math.max(tenant.minValidTime, range.maxTime);
  const picked: Array<{ series: HeadSeries; chunks: ChunkMeta[] }> = [];
  for (const s of tenant.series.values()) {
    // Chunks never cross a range boundary, so an open chunk that began inside the range ends in it.
    if (s.app && s.appMin < range.maxTime) s.closeEarly();
    // Chunks of an earlier range may still be in the head (kept for readers): not this block's.
    const chunks = s.chunks.filter((c) => c.minTime >= range.minTime && c.maxTime < range.maxTime);
    if (chunks.length > 0) picked.push({ series: s, chunks });
  }
  picked.sort((a, b) => compareLabels(a.series.labels, b.series.labels));
  const symbols = new Set<string>(['']);
  for (const { series } of picked) {
    for (const l of series.labels) {
      symbols.add(l.name);
      symbols.add(l.value);
    }
  }
  const ext: Record<string, string> = {};
  for (const l of opts.externalLabels) ext[l.name] = l.value;
  let meta: BlockMeta | undefined;
  if (picked.length > 0) {
    const w = new BlockAssembler(opts.openSink, {
      tombstones: false,
      thanos: { labels: ext, downsample: { resolution: 0 }, source: 'receive' },
    });
    try {
      w.setSymbols([...symbols].sort(compareStrings));
      for (const { series, chunks } of picked) await w.addSeries(series.labels, chunks);
    } catch (err) {
      await w.abort(err);
      throw err;
    }
    meta = await w.finish(range.minTime, range.maxTime);
  }
  const droppedRefs = opts.keepInHead ? [] : truncateHead(head, tenant, range.maxTime);
  return { meta, droppedRefs };
}

/** Drops chunks before `before` and series left empty; recomputes the head's time range. */
export function truncateHead(head: ReceiveHead, tenant: TenantHead, before: number): number[] {
  let minTime = Infinity;
  const dropped: number[] = [];
  for (const s of [...tenant.series.values()]) {
    const keep = s.chunks.filter((c) => c.maxTime >= before);
    s.chunks.length = 0;
    s.chunks.push(...keep);
    if (s.chunks.length === 0 && !s.app) {
      head.dropSeries(s);
      dropped.push(s.ref);
      continue;
    }
    const first = s.chunks[0]?.minTime ?? s.appMin;
    if (first < minTime) minTime = first;
  }
  tenant.minTime = minTime;
  return dropped;
}
