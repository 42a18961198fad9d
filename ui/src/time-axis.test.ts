import { describe, expect, it } from 'vitest';
import { LABEL_GAP_PX, timeAxisLayout } from './time-axis.ts';

/** A stand-in for canvas measureText: 7px per character (the test in Chromium measures truly). */
const measure = (s: string) => s.length * 7;

const END = Date.UTC(2026, 10, 27, 6, 0, 0) / 1000;
const RANGES = [300, 3600, 6 * 3600, 86_400, 7 * 86_400, 30 * 86_400, 90 * 86_400, 730 * 86_400];
const WIDTHS = [300, 400, 550, 800, 1100, 1600];

/** [left, right] of each label line (line 0 main, line 1 context) in px. */
function boxes(min: number, max: number, width: number) {
  const { splits, labels } = timeAxisLayout(min, max, width, measure);
  const px = (t: number) => ((t - min) / (max - min)) * width;
  const lines: Array<Array<[number, number]>> = [[], []];
  splits.forEach((t, i) =>
    labels[i]!.split('\n').forEach((text, line) =>
      lines[line]!.push([px(t) - measure(text) / 2, px(t) + measure(text) / 2]),
    ),
  );
  return { splits, labels, lines };
}

describe('timeAxisLayout', () => {
  for (const range of RANGES)
    for (const width of WIDTHS)
      it(`keeps ${range}s at ${width}px clear of overlaps`, () => {
        const { splits, labels, lines } = boxes(END - range, END, width);
        expect(splits.length).toBeGreaterThanOrEqual(2);
        for (const t of splits) expect(t >= END - range && t <= END).toBe(true);
        for (const line of lines)
          for (let i = 1; i < line.length; i++)
            expect(line[i]![0] - line[i - 1]![1]).toBeGreaterThanOrEqual(LABEL_GAP_PX - 1e-9);
        // Some label carries the year (a date line, or the year under days and months).
        expect(labels.some((l) => l.includes('2026') || l.includes('2025'))).toBe(true);
      });

  it('labels times with the date only where the day changes', () => {
    const { splits, labels } = timeAxisLayout(END - 2 * 86_400, END, 800, measure);
    expect(labels[0]).toMatch(/^\d\d:\d\d(\n2026-11-2\d)?$/);
    splits.forEach((t, i) => {
      const midnight = t % 86_400 === 0;
      if (i > 0) expect(labels[i]!.includes('\n')).toBe(midnight);
      expect(labels[i]!.split('\n')[0]).toMatch(/^\d\d:\d\d$/);
    });
    expect(labels.filter((l) => l.includes('\n2026-11-26'))).toEqual(['00:00\n2026-11-26']);
  });

  it('uses day labels with the year below for month ranges, on Mondays when weekly', () => {
    const { splits, labels } = timeAxisLayout(END - 90 * 86_400, END, 400, measure);
    expect(labels[0]).toMatch(/^[A-Z][a-z]{2}( \d{1,2})?\n2026$/);
    for (const t of splits)
      if (labels[0]!.includes(' ')) expect(new Date(t * 1000).getUTCDay()).toBe(1);
  });
});
