import { describe, expect, it } from 'vitest';
import { formatDuration, formatTime, parseDuration, parseTime } from './time.ts';
import { defaultPanel, encodePanels, parsePanels } from './url-state.ts';

describe('ui time helpers', () => {
  it('parses and formats Prometheus durations', () => {
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('2w')).toBe(1_209_600);
    expect(parseDuration('90')).toBeNull();
    expect(parseDuration('1h x')).toBeNull();
    expect(formatDuration(5400)).toBe('1h30m');
    expect(formatDuration(86_400 * 8)).toBe('1w1d');
  });
  it('round-trips the UTC time format of end_input', () => {
    const t = Date.UTC(2023, 10, 14, 22, 13, 20);
    expect(formatTime(t)).toBe('2023-11-14 22:13:20');
    expect(parseTime('2023-11-14 22:13:20')).toBe(t);
    expect(parseTime('2023-11-14')).toBe(Date.UTC(2023, 10, 14));
    expect(parseTime('yesterday')).toBeNull();
  });
});

describe('panels in the URL', () => {
  it('reads Prometheus links', () => {
    const [p] = parsePanels(
      '?g0.expr=up&g0.tab=0&g0.stacked=1&g0.range_input=6h&g0.end_input=2023-11-14%2022%3A13%3A20&g0.step_input=30',
    );
    expect(p).toEqual({
      ...defaultPanel(),
      expr: 'up',
      tab: 'graph',
      stacked: true,
      range: 21_600,
      end: Date.UTC(2023, 10, 14, 22, 13, 20),
      step: 30,
    });
  });
  it('round-trips several panels with the Thanos controls', () => {
    const panels = [
      {
        ...defaultPanel(),
        expr: 'sum by (job) (rate(x[5m]))',
        tab: 'graph' as const,
        dedup: false,
        resolution: '1h' as const,
      },
      {
        ...defaultPanel(),
        expr: 'up{a="b&c"}',
        partialResponse: false,
        end: Date.UTC(2024, 0, 2, 3, 4, 5),
      },
    ];
    const qs = encodePanels(panels);
    expect(qs).toContain('g0.tab=0');
    expect(qs).toContain('g1.tab=1');
    expect(qs).toContain('g0.max_source_resolution=1h');
    expect(parsePanels(qs)).toEqual(panels);
  });
  it('ignores unknown resolutions and gaps in panel numbers', () => {
    const panels = parsePanels('g0.expr=a&g0.max_source_resolution=7m&g2.expr=c');
    expect(panels).toHaveLength(1);
    expect(panels[0]!.resolution).toBe('raw');
  });
});
