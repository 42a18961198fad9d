/**
 * @module ui/blocks-layout — where the /blocks page draws each block, as Thanos's bucket web does:
 * one row per external label set and resolution, time on the x axis, a block a rectangle from
 * minTime to maxTime; blocks of a row that overlap go to separate lanes so none hides another.
 */

/** The parts of a block's meta.json (as /api/v1/blocks returns it) the page uses. */
export interface BlockInfo {
  ulid: string;
  minTime: number;
  maxTime: number;
  stats?: { numSeries?: number; numSamples?: number; numChunks?: number };
  compaction: { level: number; sources?: string[] };
  thanos?: {
    labels?: Record<string, string>;
    downsample?: { resolution: number };
    source?: string;
  };
  /** The store shard serving it, when the Worker has shards. */
  shard?: string;
}

export interface PlacedBlock {
  readonly block: BlockInfo;
  /** Left edge and width in % of the time axis. */
  readonly left: number;
  readonly width: number;
  readonly lane: number;
}

export interface BlockRow {
  readonly key: string;
  readonly labels: Record<string, string>;
  readonly resolution: number;
  readonly lanes: number;
  readonly blocks: PlacedBlock[];
}

export interface BlocksLayout {
  readonly minTime: number;
  readonly maxTime: number;
  readonly rows: BlockRow[];
}

export const resolutionOf = (b: BlockInfo): number => b.thanos?.downsample?.resolution ?? 0;

/** `raw`, `5m`, `1h` (or ms for others). */
export function resolutionName(ms: number): string {
  if (ms === 0) return 'raw';
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms}ms`;
}

function sortedLabels(labels: Record<string, string>): [string, string][] {
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function layoutBlocks(blocks: readonly BlockInfo[]): BlocksLayout {
  const minTime = Math.min(...blocks.map((b) => b.minTime));
  const maxTime = Math.max(...blocks.map((b) => b.maxTime));
  const span = Math.max(1, maxTime - minTime);
  const groups = new Map<string, BlockInfo[]>();
  for (const b of blocks) {
    const key = JSON.stringify([sortedLabels(b.thanos?.labels ?? {}), resolutionOf(b)]);
    const g = groups.get(key);
    if (g) g.push(b);
    else groups.set(key, [b]);
  }
  const rows: BlockRow[] = [];
  for (const [key, list] of groups) {
    list.sort((a, b) => a.minTime - b.minTime || b.maxTime - a.maxTime);
    // Greedy lanes: a block goes to the first lane whose last block ended before it starts.
    const laneEnds: number[] = [];
    const placed = list.map((b) => {
      let lane = laneEnds.findIndex((end) => end <= b.minTime);
      if (lane < 0) lane = laneEnds.push(b.maxTime) - 1;
      else laneEnds[lane] = b.maxTime;
      return {
        block: b,
        left: ((b.minTime - minTime) / span) * 100,
        width: ((b.maxTime - b.minTime) / span) * 100,
        lane,
      };
    });
    rows.push({
      key,
      labels: list[0]!.thanos?.labels ?? {},
      resolution: resolutionOf(list[0]!),
      lanes: laneEnds.length,
      blocks: placed,
    });
  }
  rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { minTime, maxTime, rows };
}

/** About `count` round tick times (ms) within [min, max]. */
export function timeTicks(min: number, max: number, count = 6): number[] {
  const steps = [
    3_600_000,
    2 * 3_600_000,
    6 * 3_600_000,
    12 * 3_600_000,
    86_400_000,
    2 * 86_400_000,
    7 * 86_400_000,
    14 * 86_400_000,
    30 * 86_400_000,
    90 * 86_400_000,
    365 * 86_400_000,
  ];
  const step = steps.find((s) => (max - min) / s <= count) ?? steps[steps.length - 1]!;
  const out: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max; t += step) out.push(t);
  return out;
}
