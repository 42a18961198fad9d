/**
 * @module core/regexp/unicode — the Unicode facts Go's regexp/syntax uses: the `\p{…}` tables
 * and simple case-folding orbits of Go 1.19 (Prometheus 2.42's toolchain, Unicode 13.0).
 *
 * JS engines carry newer Unicode data than Go 1.19 (and their `\p{…}` inside `v`-mode classes has
 * had bugs), so classes never use JS property escapes: every table is an explicit range list,
 * generated from Go's own answers (unicode-data.ts).
 */
import { FOLD_ORBITS, GO_TABLES } from './unicode-data.ts';
import { GO_CATEGORIES, GO_SCRIPTS } from './unicode-names.ts';

export { GO_CATEGORIES, GO_SCRIPTS } from './unicode-names.ts';

/** Whether Go 1.19's `\p{…}` knows the name (case-sensitive). */
export function isGoTableName(name: string): boolean {
  return name === 'Any' || GO_CATEGORIES.has(name) || GO_SCRIPTS.has(name);
}

const ANY: readonly number[] = [0, 0x10ffff];
const decoded = new Map<string, readonly number[]>();

/** Go's table for `\p{name}` as sorted inclusive [lo, hi] pairs, or undefined for an unknown name. */
export function goTableRanges(name: string): readonly number[] | undefined {
  if (name === 'Any') return ANY;
  let r = decoded.get(name);
  if (r) return r;
  const enc = Object.hasOwn(GO_TABLES, name) ? GO_TABLES[name] : undefined;
  if (enc === undefined) return undefined;
  const out: number[] = [];
  const parts = enc.split(',');
  let prev = -1;
  for (let i = 0; i < parts.length; i += 2) {
    const lo = prev + 1 + parseInt(parts[i]!, 36);
    const hi = lo + parseInt(parts[i + 1]!, 36);
    out.push(lo, hi);
    prev = hi;
  }
  decoded.set(name, (r = out));
  return r;
}

function inTable(cp: number, t: readonly number[]): boolean {
  let lo = 0;
  let hi = t.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < t[2 * mid]!) hi = mid - 1;
    else if (cp > t[2 * mid + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Go's unicode.IsPrint: categories L, M, N, P, S, and the ASCII space. */
export function isGoPrint(cp: number): boolean {
  if (cp === 0x20) return true;
  for (const cat of ['L', 'M', 'N', 'P', 'S']) if (inTable(cp, goTableRanges(cat)!)) return true;
  return false;
}

/** A code point as a `u`-mode escape; ASCII letters and digits stay readable. */
export function cpEscape(cp: number): string {
  if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)) {
    return String.fromCharCode(cp);
  }
  return `\\u{${cp.toString(16)}}`;
}

let orbitIndex: Map<number, readonly number[]> | undefined;

/**
 * The simple case-folding orbit of `cp` (sorted, includes cp), or undefined when cp folds only to
 * itself. Orbits are Unicode CaseFolding.txt C+S classes, which is what Go's `unicode.SimpleFold`
 * walks; the table is generated (scripts/gen-re2-unicode.ts) and checked against Go in tests.
 */
export function foldOrbit(cp: number): readonly number[] | undefined {
  if (!orbitIndex) {
    orbitIndex = new Map();
    for (const o of FOLD_ORBITS) for (const c of o) orbitIndex.set(c, o);
  }
  return orbitIndex.get(cp);
}

/** Every non-trivial fold orbit. */
export function foldOrbits(): readonly (readonly number[])[] {
  return FOLD_ORBITS;
}
