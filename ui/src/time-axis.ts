/**
 * @module ui/time-axis — the graph's UTC time axis: picks the finest tick step whose labels, as
 * measured in the axis font, do not touch at the plot's width, and labels ticks in two lines:
 * the step's own unit (time, day or month) and, below it, the wider context (date or year) only
 * where it changes, thinned so those never overlap either.
 */

/** Width in CSS px of `text` drawn in the axis font. */
export type MeasureText = (text: string) => number;

/** Least free space between two neighbouring labels, px. */
export const LABEL_GAP_PX = 10;

const MIN = 60;
const HOUR = 3600;
const DAY = 86_400;
// 1970-01-05 was a Monday: weekly ticks fall on Mondays, as ISO weeks start.
const MONDAY_EPOCH_DAY = 4;

type Step =
  | { kind: 'fixed'; sec: number; offsetDays?: number }
  | { kind: 'month'; months: number }
  | { kind: 'year'; years: number };

/** Tick steps, finest first: each divides the next unit so ticks stay on round UTC times. */
const STEPS: Step[] = [
  ...[1, 2, 5, 10, 15, 30].map((s): Step => ({ kind: 'fixed', sec: s })),
  ...[1, 2, 5, 10, 15, 30].map((m): Step => ({ kind: 'fixed', sec: m * MIN })),
  ...[1, 2, 3, 6, 12].map((h): Step => ({ kind: 'fixed', sec: h * HOUR })),
  ...[1, 2].map((d): Step => ({ kind: 'fixed', sec: d * DAY })),
  { kind: 'fixed', sec: 7 * DAY, offsetDays: MONDAY_EPOCH_DAY },
  { kind: 'fixed', sec: 14 * DAY, offsetDays: MONDAY_EPOCH_DAY },
  ...[1, 2, 3, 6].map((m): Step => ({ kind: 'month', months: m })),
  ...[1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].map((y): Step => ({ kind: 'year', years: y })),
];

/** The shortest time between two ticks of a step, s (months of 28 days, years of 365). */
const minSpan = (s: Step): number =>
  s.kind === 'fixed' ? s.sec : s.kind === 'month' ? s.months * 28 * DAY : s.years * 365 * DAY;

/** Tick times (s) of `step` within [min, max]. */
function ticks(step: Step, min: number, max: number): number[] {
  const out: number[] = [];
  if (step.kind === 'fixed') {
    const off = (step.offsetDays ?? 0) * DAY;
    for (let t = Math.ceil((min - off) / step.sec) * step.sec + off; t <= max; t += step.sec)
      out.push(t);
    return out;
  }
  const d = new Date(min * 1000);
  const unit = step.kind === 'month' ? step.months : step.years * 12;
  let m = d.getUTCFullYear() * 12 + d.getUTCMonth();
  m = Math.ceil(m / unit) * unit;
  for (; ; m += unit) {
    const t = Date.UTC(Math.floor(m / 12), m % 12, 1) / 1000;
    if (t > max) break;
    if (t >= min) out.push(t);
  }
  return out;
}

const pad = (n: number) => String(n).padStart(2, '0');
const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

/** The first label line: the step's own unit. */
function mainLabel(step: Step, t: number): string {
  const d = new Date(t * 1000);
  if (step.kind === 'year') return String(d.getUTCFullYear());
  if (step.kind === 'month') return MONTHS[d.getUTCMonth()]!;
  if (step.sec >= DAY) return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return step.sec < MIN ? `${hm}:${pad(d.getUTCSeconds())}` : hm;
}

/** The second label line: the context (date under times, year under days and months), or null. */
function contextLabel(step: Step, t: number): string | null {
  const d = new Date(t * 1000);
  if (step.kind === 'year') return null;
  if (step.kind === 'month' || step.sec >= DAY) return String(d.getUTCFullYear());
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** True when labels of widths `w` centred at `pos` keep LABEL_GAP_PX between neighbours. */
function fits(pos: number[], w: number[]): boolean {
  for (let i = 1; i < pos.length; i++)
    if (pos[i]! - pos[i - 1]! < (w[i]! + w[i - 1]!) / 2 + LABEL_GAP_PX) return false;
  return true;
}

export interface TimeAxisLayout {
  /** Tick times, s. */
  readonly splits: number[];
  /** One label per tick: "main" or "main\ncontext". */
  readonly labels: string[];
}

/**
 * Ticks and labels for the range [min, max] s drawn over `width` px: the finest step whose main
 * labels fit; a context line wherever it changes (and at the first tick), kept only where it
 * keeps clear of the other kept ones.
 */
export function timeAxisLayout(
  min: number,
  max: number,
  width: number,
  measure: MeasureText,
): TimeAxisLayout {
  const span = Math.max(max - min, 1e-9);
  const px = (t: number) => ((t - min) / span) * width;
  // The narrowest label ("Jan") bounds how dense ticks can be before laying any out.
  const floorPx = measure('Jan') + LABEL_GAP_PX;
  let step = STEPS[STEPS.length - 1]!;
  let splits: number[] = [];
  for (const s of STEPS) {
    if ((minSpan(s) / span) * width < floorPx) continue;
    const ts = ticks(s, min, max);
    if (
      fits(
        ts.map(px),
        ts.map((t) => measure(mainLabel(s, t))),
      )
    ) {
      [step, splits] = [s, ts];
      break;
    }
  }
  if (splits.length === 0) splits = ticks(step, min, max);

  // Context lines where it changes, left to right, each kept only clear of the last kept one;
  // the first tick's context (no change there) only when it is clear of the first kept change.
  const ctxs = splits.map((t) => contextLabel(step, t));
  const box = (i: number): [number, number] => {
    const w = measure(ctxs[i]!);
    return [px(splits[i]!) - w / 2, px(splits[i]!) + w / 2];
  };
  const kept = new Set<number>();
  let keptRight = -Infinity;
  for (let i = 1; i < splits.length; i++) {
    if (ctxs[i] === null || ctxs[i] === ctxs[i - 1]) continue;
    const [l, r] = box(i);
    if (l < keptRight + LABEL_GAP_PX) continue;
    kept.add(i);
    keptRight = r;
  }
  const firstChange = Math.min(...kept, Infinity);
  if (ctxs[0] && (firstChange === Infinity || box(0)[1] + LABEL_GAP_PX <= box(firstChange)[0]))
    kept.add(0);
  const labels = splits.map((t, i) =>
    kept.has(i) ? `${mainLabel(step, t)}\n${ctxs[i]}` : mainLabel(step, t),
  );
  return { splits, labels };
}
