/**
 * @module test/conformance/script — reads Prometheus's PromQL test scripts (promql/test.go, v2.42):
 * `load <interval>` with series descriptions in expanding notation, `clear`, and
 * `eval[_fail|_ordered] instant [at <duration>] <expr>` with expected series or a scalar.
 */
import { labelsFrom, type Labels } from '../../core/labels/labels.ts';
import { parsePromDuration } from '../../core/gocompat/duration.ts';
import { goParseFloat, goParseInt } from '../../core/gocompat/strconv.ts';
import { goUnquote } from '../../core/gocompat/unquote.ts';

/**
 * A stale marker in a value sequence. Kept symbolic until it is written into a Float64Array:
 * V8 canonicalises NaN payloads in plain double arrays, which would erase the marker's bits.
 */
export const STALE = 'stale';
export type SeqValue = number | undefined | typeof STALE;

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

const NUM = String.raw`(?:inf|nan|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)`;
const SIGNED = String.raw`[+-]?${NUM}`;
const ITEM_RE = new RegExp(`^(${SIGNED})(?:([+-]${NUM}))?(?:x(\\d+))?$`, 'i');

function parseSeriesNumber(s: string): number {
  const neg = s.startsWith('-');
  const body = s.replace(/^[+-]/, '').toLowerCase();
  let v: number;
  if (body === 'inf') v = Infinity;
  else if (body === 'nan') v = NaN;
  else v = Number(body);
  return neg ? -v : v;
}

/** Expands one item of a value sequence: `1`, `1+2x4`, `-1-1x3`, `1x4`, `_`, `_x3`, `stale`. */
export function expandItem(item: string): SeqValue[] {
  if (item === '_') return [undefined];
  const blank = /^_x(\d+)$/.exec(item);
  if (blank) return new Array<undefined>(Number(blank[1])).fill(undefined);
  if (item === 'stale') return [STALE];
  const m = ITEM_RE.exec(item);
  if (m === null) throw new Error(`invalid series value ${JSON.stringify(item)}`);
  let v = parseSeriesNumber(m[1]!);
  if (m[3] === undefined) {
    if (m[2] !== undefined) throw new Error(`invalid series value ${JSON.stringify(item)}`);
    return [v];
  }
  const times = Number(m[3]);
  const inc = m[2] === undefined ? 0 : parseSeriesNumber(m[2]);
  const out: number[] = [];
  // `a+bxN` is N+1 values built by repeated addition, as the Go parser does.
  for (let i = 0; i <= times; i++) {
    out.push(v);
    v += inc;
  }
  return out;
}

/** Splits `metric{a="b"} v1 v2 …` into labels and the value items. */
export function parseSeriesDesc(line: string): { labels: Labels; items: string[] } {
  let i = 0;
  const pairs: [string, string][] = [];
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (name) {
    pairs.push(['__name__', name[0]]);
    i = name[0].length;
  }
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const ln = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
      if (!ln) throw new Error(`invalid label name in ${JSON.stringify(line)}`);
      i += ln[0].length;
      while (line[i] === ' ') i++;
      if (line[i] !== '=') throw new Error(`expected "=" in ${JSON.stringify(line)}`);
      i++;
      while (line[i] === ' ') i++;
      const q = line[i]!;
      if (q !== '"' && q !== "'" && q !== '`')
        throw new Error(`expected quoted label value in ${JSON.stringify(line)}`);
      let j = i + 1;
      while (j < line.length && line[j] !== q) j += line[j] === '\\' && q !== '`' ? 2 : 1;
      pairs.push([ln[0], goUnquote(line.slice(i, j + 1))]);
      i = j + 1;
      while (line[i] === ' ') i++;
      if (line[i] === ',') i++;
    }
  }
  if (i === 0) throw new Error(`invalid series description ${JSON.stringify(line)}`);
  const items = line
    .slice(i)
    .trim()
    .split(/[ \t]+/)
    .filter((x) => x !== '');
  return { labels: labelsFrom(pairs), items };
}

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
