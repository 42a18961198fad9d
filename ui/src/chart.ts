/**
 * @module ui/chart — a range-query matrix drawn with uPlot: one line (or stacked area) per series
 * on the query's step grid, times in UTC, a legend of series labels whose values follow the cursor.
 */
import uPlot from 'uplot';
import type { Metric, SamplePair } from './api.ts';
import { seriesLabel } from './dom.ts';
import { timeAxisLayout, type TimeAxisLayout } from './time-axis.ts';

const COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

export interface ChartInput {
  readonly series: Array<{ metric: Metric; values: SamplePair[] }>;
  readonly start: number; // s
  readonly end: number; // s
  readonly step: number; // s
  readonly stacked: boolean;
}

/** The axes' font; labels are measured in it to lay the time axis out. */
const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';

let measureCtx: CanvasRenderingContext2D | null | undefined;
function measureAxisText(text: string): number {
  measureCtx ??= document.createElement('canvas').getContext('2d');
  if (!measureCtx) return text.length * 7; // no 2D canvas: a generous per-character width
  measureCtx.font = AXIS_FONT;
  return measureCtx.measureText(text).width;
}

/**
 * The x axis in UTC with labels that never overlap (ui/time-axis). uPlot asks for the space per
 * tick, the candidate steps, the splits and the labels in that order within one layout pass: the
 * layout is made where the plot width is known (`space`) and handed out by the others.
 */
function timeAxis(): Pick<uPlot.Axis, 'space' | 'incrs' | 'splits' | 'values'> {
  let layout: TimeAxisLayout = { splits: [], labels: [] };
  return {
    space: (_u, _i, min, max, plotDim) => {
      layout = timeAxisLayout(min, max, plotDim, measureAxisText);
      return 1;
    },
    // One step uPlot accepts at any width (≥ 5: uPlot keeps decimals for smaller ones).
    incrs: (_u, _i, min, max) => [Math.max(5, Math.ceil(max - min))],
    splits: () => layout.splits,
    values: (_u, splits) => splits.map((t) => layout.labels[layout.splits.indexOf(t)] ?? null),
  };
}

export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3);
  return String(Math.round(v * 1000) / 1000);
}

/**
 * A tooltip at the cursor for the series nearest to it: time, series labels and its own value
 * (not the stacked sum), as Prometheus's graph shows on hover.
 */
function tooltip(input: ChartInput, raw: Array<Array<number | null>>): uPlot.Plugin {
  const tip = document.createElement('div');
  tip.className = 'chart-tooltip';
  return {
    hooks: {
      init: (u) => void u.over.appendChild(tip),
      setCursor: (u) => {
        const { left, top, idx } = u.cursor;
        let best = -1;
        let bestDist = Infinity;
        if (
          idx !== null &&
          idx !== undefined &&
          left !== undefined &&
          left >= 0 &&
          top !== undefined
        ) {
          for (let s = 1; s < u.series.length; s++) {
            const v = u.data[s]![idx];
            if (v === null || v === undefined || !u.series[s]!.show) continue;
            const d = Math.abs(u.valToPos(v, 'y') - top);
            if (d < bestDist) [best, bestDist] = [s, d];
          }
        }
        if (best < 0) {
          tip.style.display = 'none';
          return;
        }
        const t = u.data[0][idx!]!;
        tip.replaceChildren(
          Object.assign(document.createElement('div'), {
            className: 'tip-time',
            textContent: new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 19) + ' UTC',
          }),
          seriesLabel(input.series[best - 1]!.metric),
          Object.assign(document.createElement('div'), {
            className: 'tip-value',
            textContent: `value: ${formatValue(raw[best - 1]![idx!])}`,
          }),
        );
        tip.style.display = 'block';
        tip.style.borderColor = COLORS[(best - 1) % COLORS.length]!;
        // Keep it inside the plot: flip to the cursor's left/top near the right/bottom edges.
        const w = tip.offsetWidth;
        const h = tip.offsetHeight;
        tip.style.left = `${left! + 14 + w > u.over.clientWidth ? Math.max(0, left! - 14 - w) : left! + 14}px`;
        tip.style.top = `${top! + 14 + h > u.over.clientHeight ? Math.max(0, top! - 14 - h) : top! + 14}px`;
      },
    },
  };
}

/** Draws the chart into `el` (replacing what was there); returns it so the caller can destroy it. */
export function drawChart(el: HTMLElement, input: ChartInput): uPlot {
  const { start, end, step } = input;
  const n = Math.floor((end - start) / step) + 1;
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = start + i * step;
  // Raw values on the step grid: Prometheus returns points exactly at start + k*step.
  const raw = input.series.map((s) => {
    const ys: Array<number | null> = new Array(n).fill(null);
    for (const [t, v] of s.values) {
      const i = Math.round((t - start) / step);
      if (i >= 0 && i < n) ys[i] = Number(v);
    }
    return ys;
  });
  let drawn = raw;
  if (input.stacked) {
    const acc = new Array<number>(n).fill(0);
    drawn = raw.map((ys) => ys.map((y, i) => (y === null ? null : (acc[i]! += y))));
  }
  const bands: uPlot.Band[] = input.stacked
    ? raw.slice(1).map((_, i) => ({ series: [i + 2, i + 1] as [number, number] }))
    : [];
  const opts: uPlot.Options = {
    width: Math.max(300, el.clientWidth || 800),
    height: 360,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    cursor: { points: { size: 7 }, focus: { prox: 16 } },
    focus: { alpha: 0.35 },
    legend: { live: true },
    // A stack is read from zero; unstacked lines use the data's own range.
    scales: {
      x: { time: true },
      ...(input.stacked
        ? { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] as uPlot.Range.MinMax } }
        : {}),
    },
    axes: [
      {
        stroke: '#555',
        grid: { stroke: '#eee' },
        ticks: { stroke: '#ddd' },
        font: AXIS_FONT,
        ...timeAxis(),
      },
      {
        stroke: '#555',
        grid: { stroke: '#eee' },
        ticks: { stroke: '#ddd' },
        size: 70,
        font: AXIS_FONT,
        values: (_u, vals) => vals.map((v) => formatValue(v)),
      },
    ],
    bands,
    plugins: [tooltip(input, raw)],
    series: [
      {
        label: 'Time (UTC)',
        value: (_u, v) =>
          v === null ? '–' : new Date(v * 1000).toISOString().replace('T', ' ').slice(0, 19),
      },
      ...input.series.map((s, i): uPlot.Series => {
        const color = COLORS[i % COLORS.length]!;
        return {
          // uPlot puts an element label into the legend as is: series names keep their styling.
          label: seriesLabel(s.metric) as unknown as string,
          stroke: color,
          width: 1.5,
          spanGaps: false,
          ...(input.stacked ? { fill: `${color}55` } : {}),
          // In stacked mode the drawn value is a running sum; the legend shows the series' own value.
          value: (_u, _v, _si, idx) => formatValue(idx === null ? null : raw[i]![idx]),
        };
      }),
    ],
  };
  el.replaceChildren();
  return new uPlot(opts, [xs as unknown as number[], ...(drawn as number[][])], el);
}
