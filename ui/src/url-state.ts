/**
 * @module ui/url-state — panels ⇄ URL query string, in Prometheus's `g<i>.<field>` parameters
 * (expr, tab 0=graph/1=table, range_input, end_input, moment_input, step_input, stacked) plus
 * Thanos's (dedup, partial_response, max_source_resolution), so a link restores the page.
 */
import { formatDuration, formatTime, parseDuration, parseTime } from './time.ts';

export type Resolution = 'raw' | '5m' | '1h' | 'auto';
export const RESOLUTIONS: Resolution[] = ['raw', '5m', '1h', 'auto'];

export interface PanelState {
  expr: string;
  tab: 'graph' | 'table';
  /** Graph range in seconds. */
  range: number;
  /** Graph end / table evaluation time in ms; null = now. */
  end: number | null;
  /** Graph resolution in seconds; null = automatic. */
  step: number | null;
  stacked: boolean;
  dedup: boolean;
  partialResponse: boolean;
  resolution: Resolution;
}

export function defaultPanel(): PanelState {
  return {
    expr: '',
    tab: 'table',
    range: 3600,
    end: null,
    step: null,
    stacked: false,
    dedup: true,
    partialResponse: true,
    resolution: 'raw',
  };
}

const bool = (v: string | null, fallback: boolean) =>
  v === null ? fallback : v === '1' || v === 'true';

export function parsePanels(search: string): PanelState[] {
  const p = new URLSearchParams(search);
  const panels: PanelState[] = [];
  for (let i = 0; ; i++) {
    const g = (f: string) => p.get(`g${i}.${f}`);
    if (g('expr') === null && g('tab') === null) break;
    const d = defaultPanel();
    const res = g('max_source_resolution') as Resolution | null;
    const step = Number(g('step_input'));
    panels.push({
      expr: g('expr') ?? '',
      tab: g('tab') === '0' ? 'graph' : 'table',
      range: parseDuration(g('range_input') ?? '') ?? d.range,
      end: parseTime(g('end_input') ?? g('moment_input') ?? ''),
      step: Number.isFinite(step) && step > 0 ? step : null,
      stacked: bool(g('stacked'), false),
      dedup: bool(g('dedup'), d.dedup),
      partialResponse: bool(g('partial_response'), d.partialResponse),
      resolution: res && RESOLUTIONS.includes(res) ? res : d.resolution,
    });
  }
  return panels;
}

export function encodePanels(panels: readonly PanelState[]): string {
  const p = new URLSearchParams();
  panels.forEach((s, i) => {
    const set = (f: string, v: string) => p.set(`g${i}.${f}`, v);
    set('expr', s.expr);
    set('tab', s.tab === 'graph' ? '0' : '1');
    set('stacked', s.stacked ? '1' : '0');
    set('range_input', formatDuration(s.range));
    if (s.end !== null) {
      set('end_input', formatTime(s.end));
      set('moment_input', formatTime(s.end));
    }
    if (s.step !== null) set('step_input', String(s.step));
    set('dedup', s.dedup ? '1' : '0');
    set('partial_response', s.partialResponse ? '1' : '0');
    set('max_source_resolution', s.resolution);
  });
  return p.toString();
}
