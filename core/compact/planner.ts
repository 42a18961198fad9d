/**
 * @module core/compact/planner — which blocks of a group to compact next, as Thanos's
 * tsdbBasedPlanner (pkg/compact/planner.go) over Prometheus's leveled ranges:
 *
 * - ranges 2h → 8h → 2d → 14d (Thanos's fixed levels; Prometheus uses ExponentialBlockRanges);
 * - overlapping blocks come first (only with vertical compaction; otherwise they halt the group);
 * - the newest block is never planned, and a range is only compacted once it is complete or
 *   lies wholly before the newest block (so a block still to come can join it);
 * - blocks with a no-compact mark are left out without opening gaps around them.
 */
import type { BlockMeta } from '../tsdb/meta.ts';
import { byMinTime } from './group.ts';

const HOUR = 3600_000;
/** Thanos's default compaction levels: 2h, 8h, 2d, 14d. */
export const DEFAULT_RANGES: readonly number[] = [2 * HOUR, 8 * HOUR, 48 * HOUR, 14 * 24 * HOUR];

/** tsdb.ExponentialBlockRanges: `steps` ranges from `min`, each `stepSize` times the last. */
export function exponentialBlockRanges(min: number, steps: number, stepSize: number): number[] {
  const out: number[] = [];
  let cur = min;
  for (let i = 0; i < steps; i++) {
    out.push(cur);
    cur *= stepSize;
  }
  return out;
}

/** Two blocks of a group whose time ranges overlap. */
export interface Overlap {
  readonly a: BlockMeta;
  readonly b: BlockMeta;
}

/** Every pair of overlapping blocks ([minTime, maxTime) intervals), in minTime order. */
export function findOverlaps(metas: readonly BlockMeta[]): Overlap[] {
  const sorted = [...metas].sort(byMinTime);
  const out: Overlap[] = [];
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length && sorted[j]!.minTime < sorted[i]!.maxTime; j++)
      out.push({ a: sorted[i]!, b: sorted[j]! });
  }
  return out;
}

/** Human-readable overlaps in the spirit of tsdb.Overlaps.String. */
export function describeOverlaps(overlaps: readonly Overlap[]): string {
  return overlaps
    .map(
      ({ a, b }) =>
        `[${Math.max(a.minTime, b.minTime)}, ${Math.min(a.maxTime, b.maxTime)}): ` +
        `<${a.ulid}, mint: ${a.minTime}, maxt: ${a.maxTime}>, <${b.ulid}, mint: ${b.minTime}, maxt: ${b.maxTime}>`,
    )
    .join('; ');
}

/**
 * The first set of transitively overlapping blocks (selectOverlappingMetas), or [] when none
 * overlap. `metas` sorted by minTime.
 */
export function selectOverlapping(metas: readonly BlockMeta[]): BlockMeta[] {
  if (metas.length < 2) return [];
  let set: BlockMeta[] = [metas[0]!];
  let maxt = metas[0]!.maxTime;
  for (const m of metas.slice(1)) {
    if (m.minTime < maxt) {
      set.push(m);
    } else {
      if (set.length > 1) return set;
      set = [m];
    }
    maxt = Math.max(maxt, m.maxTime);
  }
  return set.length > 1 ? set : [];
}

/**
 * Blocks grouped by aligned ranges of width `tr` (splitByRange); a block wider than its range,
 * or crossing its boundary, belongs to none.
 */
export function splitByRange(metas: readonly BlockMeta[], tr: number): BlockMeta[][] {
  const out: BlockMeta[][] = [];
  for (let i = 0; i < metas.length;) {
    const m = metas[i]!;
    // Go's integer division truncates toward zero; this is the floor the range start needs.
    const t0 =
      m.minTime >= 0 ? tr * Math.trunc(m.minTime / tr) : tr * Math.trunc((m.minTime - tr + 1) / tr);
    if (m.maxTime > t0 + tr) {
      i++;
      continue;
    }
    const group: BlockMeta[] = [];
    for (; i < metas.length && metas[i]!.maxTime <= t0 + tr; i++) group.push(metas[i]!);
    if (group.length > 0) out.push(group);
  }
  return out;
}

function selectMetas(
  ranges: readonly number[],
  noCompact: ReadonlySet<string>,
  metas: readonly BlockMeta[],
): BlockMeta[] {
  if (ranges.length < 2 || metas.length < 1) return [];
  const highTime = metas[metas.length - 1]!.minTime;
  for (const iv of ranges.slice(1)) {
    for (const p of splitByRange(metas, iv)) {
      if (p.some((m) => m.compaction.failed)) continue;
      if (p.length < 2) continue;
      const mint = p[0]!.minTime;
      const maxt = p[p.length - 1]!.maxTime;
      // A range is taken when full, or when it ends before the newest block starts.
      if (maxt - mint !== iv && maxt > highTime) continue;
      // Runs between no-compact blocks, so excluded blocks leave no gaps in the levels.
      let lastExcluded = 0;
      for (let i = 0; i < p.length; i++) {
        if (!noCompact.has(p[i]!.ulid)) continue;
        if (i - lastExcluded > 1) return p.slice(lastExcluded, i);
        lastExcluded = i + 1;
      }
      if (p.length - lastExcluded > 1) return p.slice(lastExcluded);
    }
  }
  return [];
}

export interface PlanOptions {
  readonly ranges?: readonly number[];
  /** ULIDs with a no-compact mark. */
  readonly noCompact?: ReadonlySet<string>;
  /** Plan overlapping blocks first (vertical compaction); otherwise they are never planned. */
  readonly vertical?: boolean;
}

/**
 * The blocks to compact next in one group (sorted by minTime), or [] when nothing is due.
 * Overlaps must have been checked by the caller when vertical compaction is off.
 */
export function plan(groupMetas: readonly BlockMeta[], opts: PlanOptions = {}): BlockMeta[] {
  const ranges = opts.ranges ?? DEFAULT_RANGES;
  const noCompact = opts.noCompact ?? new Set<string>();
  const metas = [...groupMetas].sort(byMinTime);
  if (metas.length === 0) return [];
  const usable = metas.filter((m) => !noCompact.has(m.ulid));
  if (opts.vertical) {
    const overlapping = selectOverlapping(usable);
    if (overlapping.length > 0) return overlapping;
  }
  // The newest block is left alone: a window of a whole block for maintenance after upload.
  return selectMetas(ranges, noCompact, metas.slice(0, -1));
}
