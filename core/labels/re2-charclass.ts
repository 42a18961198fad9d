/**
 * @module core/labels/re2-charclass — RE2 character classes as code point range sets, with Go's
 * Perl (`\d \s \w`) and POSIX (`[:alpha:]`) groups, `(?i)` folding, and emission as a JS `v`-mode
 * class. Ranges are flat `[lo, hi, lo, hi, …]` arrays, sorted and merged (Go's cleanClass).
 */
import { cpEscape, foldOrbits, goTableSource, isGoTableName } from './re2-unicode.ts';

export const MAX_RUNE = 0x10ffff;

/** A Unicode table reference (`\pL`, `\P{Greek}`) inside a class; folded when parsed under (?i). */
export interface PropItem {
  /** Go's table name (`L`, `Greek`, `Any`). */
  readonly name: string;
  readonly negated: boolean;
  readonly fold: boolean;
}

/** A parsed class: the union of `ranges` and `props`, then negated when `negated`. */
export interface CharClass {
  readonly ranges: readonly number[];
  readonly props: readonly PropItem[];
  readonly negated: boolean;
}

/** Go's perl_groups.go: `\d`, `\s`, `\w` (ASCII only; `\s` has no `\v`). */
export const PERL_GROUPS: Readonly<Record<string, readonly number[]>> = {
  d: [0x30, 0x39],
  s: [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20],
  w: [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a],
};

/** Go's POSIX groups for `[[:name:]]` (ASCII only). */
export const POSIX_GROUPS: Readonly<Record<string, readonly number[]>> = {
  alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
  alpha: [0x41, 0x5a, 0x61, 0x7a],
  ascii: [0x00, 0x7f],
  blank: [0x09, 0x09, 0x20, 0x20],
  cntrl: [0x00, 0x1f, 0x7f, 0x7f],
  digit: [0x30, 0x39],
  graph: [0x21, 0x7e],
  lower: [0x61, 0x7a],
  print: [0x20, 0x7e],
  punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  space: [0x09, 0x0d, 0x20, 0x20],
  upper: [0x41, 0x5a],
  word: [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a],
  xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
};

/** Sorts and merges overlapping or abutting ranges. */
export function cleanRanges(r: readonly number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < r.length; i += 2) pairs.push([r[i]!, r[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const n = out.length;
    if (n > 0 && lo <= out[n - 1]! + 1) {
      if (hi > out[n - 1]!) out[n - 1] = hi;
    } else out.push(lo, hi);
  }
  return out;
}

/** Complement within [0, MAX_RUNE]; input must be clean. */
export function negateRanges(r: readonly number[]): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < r.length; i += 2) {
    if (next <= r[i]! - 1) out.push(next, r[i]! - 1);
    next = r[i + 1]! + 1;
  }
  if (next <= MAX_RUNE) out.push(next, MAX_RUNE);
  return out;
}

export function inRanges(cp: number, r: readonly number[]): boolean {
  let lo = 0;
  let hi = r.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < r[2 * mid]!) hi = mid - 1;
    else if (cp > r[2 * mid + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Adds every code point that simple-folds to a member (Go's appendFoldedRange over a class). */
export function foldRanges(r: readonly number[]): number[] {
  const clean = cleanRanges(r);
  const out = clean.slice();
  for (const orbit of foldOrbits()) {
    if (orbit.some((c) => inRanges(c, clean))) for (const c of orbit) out.push(c, c);
  }
  return cleanRanges(out);
}

/** A Go Unicode table as a class item, or undefined for a name Go does not know. */
export function propItem(name: string, negated: boolean, fold: boolean): PropItem | undefined {
  return isGoTableName(name) ? { name, negated, fold } : undefined;
}

function rangesSource(r: readonly number[]): string {
  let out = '';
  for (let i = 0; i < r.length; i += 2) {
    const lo = r[i]!;
    const hi = r[i + 1]!;
    out += lo === hi ? cpEscape(lo) : hi === lo + 1 ? cpEscape(lo) + cpEscape(hi) : `${cpEscape(lo)}-${cpEscape(hi)}`;
  }
  return out;
}

/** Emitted sources are cached: a pattern may repeat one big class thousands of times. */
const propSourceCache = new Map<string, string>();
const classSourceCache = new Map<string, string>();
const CACHE_LIMIT = 512;

function remember(cache: Map<string, string>, key: string, value: string): string {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

/**
 * A property item as a nested v-mode class. Under (?i) Go adds the table's fold closure
 * (unicode.FoldCategory / FoldScript) before negating; we find it by testing every orbit.
 */
function propSource(p: PropItem): string {
  const key = `${p.name}/${p.negated}/${p.fold}`;
  const hit = propSourceCache.get(key);
  if (hit !== undefined) return hit;
  const table = goTableSource(p.name)!;
  let body = table;
  if (p.fold) {
    const test = new RegExp(`[${table}]`, 'v');
    const add: number[] = [];
    for (const orbit of foldOrbits()) {
      if (orbit.some((c) => test.test(String.fromCodePoint(c)))) for (const c of orbit) add.push(c, c);
    }
    body = `[${table}]${rangesSource(cleanRanges(add))}`;
  }
  return remember(propSourceCache, key, p.negated ? `[^${body}]` : `[${body}]`);
}

/** A key equal for classes that match the same code points by construction. */
export function classKey(c: CharClass): string {
  let key = c.negated ? '^' : '';
  key += c.ranges.join(',');
  for (const p of c.props) key += `|${p.name}/${p.negated}/${p.fold}`;
  return key;
}

/** The class as JS `v`-mode source, brackets included. */
export function classSource(c: CharClass): string {
  if (c.props.length === 0) {
    const body = rangesSource(c.ranges);
    return c.negated ? `[^${body}]` : `[${body}]`;
  }
  const key = classKey(c);
  const hit = classSourceCache.get(key);
  if (hit !== undefined) return hit;
  let body = rangesSource(c.ranges);
  for (const p of c.props) body += propSource(p);
  return remember(classSourceCache, key, c.negated ? `[^${body}]` : `[${body}]`);
}

/** Whether the class matches `cp`, for classes without property items (fast paths, tests). */
export function classMatchesRune(c: CharClass, cp: number): boolean | undefined {
  if (c.props.length > 0) return undefined;
  return inRanges(cp, c.ranges) !== c.negated;
}
