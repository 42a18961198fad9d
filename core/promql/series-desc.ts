/**
 * @module core/promql/series-desc — Prometheus's series descriptions in expanding notation
 * (promql/test.go and promtool's rule unit tests, v2.42): `metric{a="b"} 1+2x3 _ stale -1-1x2`.
 */
import { labelsFrom, type Labels } from '../labels/labels.ts';
import { goUnquote } from '../gocompat/unquote.ts';

/**
 * A stale marker in a value sequence. Kept symbolic until it is written into a Float64Array:
 * V8 canonicalises NaN payloads in plain double arrays, which would erase the marker's bits.
 */
export const STALE = 'stale';
export type SeqValue = number | undefined | typeof STALE;

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
