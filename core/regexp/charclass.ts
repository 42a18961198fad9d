/**
 * @module core/regexp/charclass — RE2 character classes as code point range sets, with Go's
 * Perl (`\d \s \w`), POSIX (`[:alpha:]`) and Unicode (`\pL`) groups, `(?i)` folding, and emission
 * as a flat JS `u`-mode class. Ranges are flat `[lo, hi, lo, hi, …]` arrays, sorted and merged
 * (Go's cleanClass).
 */
import { cpEscape, foldOrbits, goTableRanges } from './unicode.ts';

export const MAX_RUNE = 0x10ffff;

/** A parsed class: the code points in `ranges` (clean), or all others when `negated`. */
export interface CharClass {
  readonly ranges: readonly number[];
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

/**
 * `\p{name}` as ranges: Go's table, its fold closure under (?i) (Go adds unicode.FoldCategory /
 * FoldScript), then negated for `\P`; undefined for a name Go does not know.
 */
export function unicodeGroup(
  name: string,
  negated: boolean,
  fold: boolean,
): readonly number[] | undefined {
  let r = goTableRanges(name);
  if (!r) return undefined;
  if (fold) r = foldRanges(r);
  return negated ? negateRanges(r) : r;
}

function rangesSource(r: readonly number[]): string {
  let out = '';
  for (let i = 0; i < r.length; i += 2) {
    const lo = r[i]!;
    const hi = r[i + 1]!;
    out +=
      lo === hi
        ? cpEscape(lo)
        : hi === lo + 1
          ? cpEscape(lo) + cpEscape(hi)
          : `${cpEscape(lo)}-${cpEscape(hi)}`;
  }
  return out;
}

/** The class as flat JS `u`-mode source, brackets included. */
export function classSource(c: CharClass): string {
  const body = rangesSource(c.ranges);
  return c.negated ? `[^${body}]` : `[${body}]`;
}

/** Whether the class matches `cp`. */
export function classMatches(c: CharClass, cp: number): boolean {
  return inRanges(cp, c.ranges) !== c.negated;
}

/** How many ranges Go's rune slice for the class has (after Go negates it). */
export function classRangeCount(c: CharClass): number {
  const n = c.ranges.length / 2;
  if (!c.negated) return n;
  const startsAtZero = n > 0 && c.ranges[0] === 0;
  const endsAtMax = n > 0 && c.ranges[c.ranges.length - 1] === MAX_RUNE;
  return n + 1 - (startsAtZero ? 1 : 0) - (endsAtMax ? 1 : 0);
}
