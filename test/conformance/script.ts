/**
 * @module test/conformance/script — reads Prometheus's PromQL test scripts (promql/test.go, v2.42):
 * `load <interval>` with series descriptions in expanding notation, `clear`, and
 * `eval[_fail|_ordered] instant [at <duration>] <expr>` with expected series or a scalar.
 */
import type { Labels } from '../../core/labels/labels.ts';
import { parsePromDuration } from '../../core/gocompat/duration.ts';
import { goParseFloat, goParseInt } from '../../core/gocompat/strconv.ts';

export {
  STALE,
  expandItem,
  parseSeriesDesc,
  type SeqValue,
} from '../../core/promql/series-desc.ts';
import {
  STALE,
  expandItem,
  parseSeriesDesc,
  type SeqValue,
} from '../../core/promql/series-desc.ts';

export interface LoadSeries {
  readonly labels: Labels;
  /** One slot per interval from time 0; undefined where the notation omits a sample (`_`). */
  readonly values: SeqValue[];
}

export interface Expected {
  readonly labels: Labels;
  readonly value: number;
  /** 1-based position in the expectation block (checked by eval_ordered). */
  readonly pos: number;
}

export type Command =
  | { readonly kind: 'clear'; readonly line: number }
  | {
      readonly kind: 'load';
      readonly line: number;
      readonly interval: number;
      readonly series: LoadSeries[];
    }
  | {
      readonly kind: 'eval';
      readonly line: number;
      readonly expr: string;
      /** Evaluation time in ms. */
      readonly time: number;
      readonly fail: boolean;
      readonly ordered: boolean;
      readonly scalar: number | undefined;
      readonly expected: Expected[];
    };

/** Go's strconv.ParseInt(s, 0, 64) then ParseFloat, as test.go's parseNumber. */
export function parseNumber(s: string): number | undefined {
  for (const parse of [goParseInt, goParseFloat]) {
    try {
      return parse(s);
    } catch {
      // not this syntax
    }
  }
  return undefined;
}

const LOAD_RE = /^load\s+(.+?)$/;
const EVAL_RE = /^eval(?:_(fail|ordered))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;

/** Parses a whole script. Line numbers are 1-based. */
export function parseScript(text: string): Command[] {
  const lines = text.split('\n').map((l) => {
    const t = l.trim();
    return t.startsWith('#') ? '' : t;
  });
  const cmds: Command[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l === '') continue;
    const word = l.split(/[\t ]+/, 1)[0]!.toLowerCase();
    if (word === 'clear') {
      cmds.push({ kind: 'clear', line: i + 1 });
    } else if (word === 'load') {
      const m = LOAD_RE.exec(l);
      if (!m) throw new Error(`line ${i + 1}: invalid load command`);
      const interval = parsePromDuration(m[1]!);
      const start = i;
      const series: LoadSeries[] = [];
      while (i + 1 < lines.length && lines[i + 1] !== '') {
        i++;
        const { labels, items } = parseSeriesDesc(lines[i]!);
        const values: SeqValue[] = [];
        for (const it of items) values.push(...expandItem(it));
        series.push({ labels, values });
      }
      cmds.push({ kind: 'load', line: start + 1, interval, series });
    } else if (word.startsWith('eval')) {
      const m = EVAL_RE.exec(l);
      if (!m) throw new Error(`line ${i + 1}: invalid evaluation command`);
      const line = i + 1;
      const expected: Expected[] = [];
      let scalar: number | undefined;
      for (let j = 1; i + 1 < lines.length && lines[i + 1] !== ''; j++) {
        i++;
        const def = lines[i]!;
        const n = parseNumber(def);
        if (n !== undefined) {
          scalar = n;
          break;
        }
        const { labels, items } = parseSeriesDesc(def);
        if (items.length > 1)
          throw new Error(
            `line ${i + 1}: expecting multiple values in instant evaluation not allowed`,
          );
        const first = items.flatMap(expandItem)[0];
        expected.push({ labels, value: typeof first === 'number' ? first : NaN, pos: j });
      }
      cmds.push({
        kind: 'eval',
        line,
        expr: m[3]!,
        time: parsePromDuration(m[2] ?? '0'),
        fail: m[1] === 'fail',
        ordered: m[1] === 'ordered',
        scalar,
        expected,
      });
    } else {
      throw new Error(`line ${i + 1}: invalid command ${JSON.stringify(l)}`);
    }
  }
  return cmds;
}
