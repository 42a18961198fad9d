/**
 * @module core/rule/unittest/format — promtool 2.42's failure texts for rule unit tests: the
 * alert list (`[\n0:\n  Labels:{…}\n  Annotations:{…}\n]` indented under exp:/got:) and samples
 * as `{labels} 4E+00`.
 */
import { goFormatFloat } from '../../gocompat/strconv.ts';
import { labelsToString, type Labels } from '../../labels/labels.ts';

export interface LabelsAndAnnotations {
  readonly labels: Labels;
  readonly annotations: Labels;
}

export interface ParsedSample {
  readonly labels: Labels;
  readonly value: number;
}

/** promtool's indentLines: every line after the first gets `indent`. */
export function indentLines(lines: string, indent: string): string {
  return lines.split('\n').join(`\n${indent}`);
}

export function alertsString(la: readonly LabelsAndAnnotations[]): string {
  if (la.length === 0) return '[]';
  const one = (a: LabelsAndAnnotations): string =>
    indentLines(
      `\nLabels:${labelsToString(a.labels)}\nAnnotations:${labelsToString(a.annotations)}`,
      '  ',
    );
  let s = `[\n0:${one(la[0]!)}`;
  la.slice(1).forEach((a, i) => (s += `,\n${i + 1}:${one(a)}`));
  return `${s}\n]`;
}

/** strconv.FormatFloat(v, 'E', -1, 64). */
export function formatFloatE(v: number): string {
  const s = goFormatFloat(v, 'e', -1);
  return Number.isFinite(v) ? s.toUpperCase() : s;
}

export function samplesString(ss: readonly ParsedSample[]): string {
  if (ss.length === 0) return 'nil';
  return ss.map((s) => `${labelsToString(s.labels)} ${formatFloatE(s.value)}`).join(', ');
}
