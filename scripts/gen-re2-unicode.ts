/**
 * @module scripts/gen-re2-unicode — regenerates core/labels/re2-unicode-data.ts from the real Go
 * regexp engine (Prometheus 2.42 built with Go 1.19, Unicode 13.0): which code points Go's tables
 * assign, and per Go table name where Go's membership differs from this JS engine's (restricted
 * to those assigned code points). Needs `promtool` and `prometheus` on PATH.
 * Run: `npx tsx scripts/gen-re2-unicode.ts [--check]` (--check only reports differences).
 */
import { writeFile } from 'node:fs/promises';
import { GO_CATEGORIES, GO_SCRIPTS } from '../core/labels/re2-unicode.ts';
import { startGoRegexOracle } from '../test/integration/go-regex-oracle.ts';

const OUT = new URL('../core/labels/re2-unicode-data.ts', import.meta.url);

/** Surrogates never occur in label values; planes 15–16 are private use (Co) since Unicode 2.0. */
const FIXED: readonly [number, number][] = [
  [0xd800, 0xdfff],
  [0xf0000, 0xffffd],
  [0x100000, 0x10fffd],
];

function toRanges(cps: readonly number[]): number[] {
  const sorted = [...cps].sort((a, b) => a - b);
  const out: number[] = [];
  for (const c of sorted) {
    const n = out.length;
    if (n > 0 && out[n - 1]! + 1 >= c) out[n - 1] = Math.max(out[n - 1]!, c);
    else out.push(c, c);
  }
  return out;
}

/**
 * Simple case-folding orbits from this JS engine's case mappings (lower/upper links, split by what
 * `/ui` — CaseFolding.txt C+S — really equates), cut down to code points Go 1.19 knows.
 */
function foldOrbits(assigned: ReadonlySet<number>): number[][] {
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const link = (a: number, b: number): void => {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };
  const cased = /\p{Changes_When_Casemapped}/v;
  for (let c = 0; c <= 0x10ffff; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const s = String.fromCodePoint(c);
    if (!cased.test(s)) continue;
    for (const t of [s.toLowerCase(), s.toUpperCase()]) {
      const d = t.codePointAt(0)!;
      if (d !== c && t.length === (d > 0xffff ? 2 : 1)) link(c, d);
    }
  }
  const groups = new Map<number, number[]>();
  for (const k of parent.keys()) {
    const r = find(k);
    let g = groups.get(r);
    if (!g) groups.set(r, (g = []));
    g.push(k);
  }
  const out: number[][] = [];
  for (const g of groups.values()) {
    const rest = g.filter((c) => assigned.has(c)).sort((a, b) => a - b);
    while (rest.length > 0) {
      const a = rest.shift()!;
      const same = new RegExp(`^\\u{${a.toString(16)}}$`, 'ui');
      const orbit = [a];
      for (let i = rest.length - 1; i >= 0; i--) {
        if (same.test(String.fromCodePoint(rest[i]!))) orbit.push(...rest.splice(i, 1));
      }
      if (orbit.length > 1) out.push(orbit.sort((x, y) => x - y));
    }
  }
  return out.sort((x, y) => x[0]! - y[0]!);
}

async function main(): Promise<void> {
  const assignedJs = /\P{Cn}/v;
  const candidates: number[] = [];
  for (let c = 0; c < 0xf0000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    if (assignedJs.test(String.fromCodePoint(c))) candidates.push(c);
  }
  console.error(`candidates: ${candidates.length}`);
  const oracle = await startGoRegexOracle(candidates.map((c) => String.fromCodePoint(c)));
  try {
    const [answer] = await oracle.ask(['[\\pL\\pM\\pN\\pP\\pS\\pZ\\pC]']);
    if (!answer || !answer.ok) throw new Error(`oracle failed: ${JSON.stringify(answer)}`);
    const assigned = [...answer.matches].map((i) => candidates[i]!);
    for (const [lo, hi] of FIXED) for (let c = lo; c <= hi; c++) assigned.push(c);
    const ranges = toRanges(assigned);
    console.error(`assigned in Go: ${assigned.length} code points, ${ranges.length / 2} ranges`);
    // Code points whose category or script changed after Unicode 13 (few: U+0295 Lo→Ll, …).
    const assignedSet = new Set(assigned);
    const names = [...GO_CATEGORIES, ...GO_SCRIPTS].filter((n) => n !== 'C');
    const answers = await oracle.ask(names.map((n) => `\\p{${n}}`));
    const fixups: Record<string, { add: number[]; remove: number[] }> = {};
    // Range counts of Go's tables, for Go's maxRunes limit (each class costs 2 runes per range).
    const rangeCounts: Record<string, number> = { Any: 1 };
    const countRanges = (members: readonly number[]): number => {
      let n = 0;
      for (let k = 0; k < members.length; k++) if (k === 0 || members[k - 1]! + 1 !== members[k]) n++;
      return n;
    };
    const goMembers = new Map<string, number[]>();
    names.forEach((name, k) => {
      const a = answers[k]!;
      if (!a.ok) return;
      const members = [...a.matches].map((i) => candidates[i]!);
      // Candidates leave out surrogates (Cs) and the private-use planes (Co): add them back.
      if (name === 'Cs') for (let c = 0xd800; c <= 0xdfff; c++) members.push(c);
      if (name === 'Co') for (const [lo, hi] of FIXED.slice(1)) for (let c = lo; c <= hi; c++) members.push(c);
      members.sort((x, y) => x - y);
      goMembers.set(name, members);
      rangeCounts[name] = countRanges(members);
    });
    const cAll = ['Cc', 'Cf', 'Co', 'Cs'].flatMap((n) => goMembers.get(n) ?? []).sort((x, y) => x - y);
    rangeCounts['C'] = countRanges(cAll);
    names.forEach((name, k) => {
      const a = answers[k]!;
      if (!a.ok) throw new Error(`Go rejects \\p{${name}}: ${a.error}`);
      const js = new RegExp(`^\\p{${GO_CATEGORIES.has(name) ? 'gc' : 'sc'}=${name}}$`, 'v');
      const add: number[] = [];
      const remove: number[] = [];
      candidates.forEach((c, i) => {
        const go = a.matches.has(i);
        const mine = assignedSet.has(c) && js.test(String.fromCodePoint(c));
        if (go && !mine) add.push(c);
        if (!go && mine) remove.push(c);
      });
      if (add.length + remove.length > 0) fixups[name] = { add, remove };
    });
    console.error(`fixups: ${JSON.stringify(fixups)}`);
    if (process.argv.includes('--check')) return;
    const hex = (ns: readonly number[]): string => ns.map((n) => '0x' + n.toString(16)).join(', ');
    const orbits = foldOrbits(assignedSet);
    console.error(`fold orbits: ${orbits.length}`);
    const orbitLines: string[] = [];
    for (let i = 0; i < orbits.length; i += 6) {
      orbitLines.push('  ' + orbits.slice(i, i + 6).map((o) => `[${hex(o)}]`).join(', ') + ',');
    }
    const fixupLines = Object.entries(fixups).map(
      ([name, f]) => `  ${name}: { add: [${hex(f.add)}], remove: [${hex(f.remove)}] },`,
    );
    const body = [];
    for (let i = 0; i < ranges.length; i += 16) {
      body.push('  ' + ranges.slice(i, i + 16).map((n) => '0x' + n.toString(16)).join(', ') + ',');
    }
    await writeFile(
      OUT,
      `/**
 * @module core/labels/re2-unicode-data — GENERATED by scripts/gen-re2-unicode.ts; do not edit.
 * Code points assigned in Go 1.19's Unicode tables (Unicode 13.0), as sorted inclusive [lo, hi]
 * pairs, as answered by the Go regexp engine in Prometheus 2.42; fold orbits over them; and the
 * few category/script memberships that changed after 13.0.
 */
export const ASSIGNED_13: readonly number[] = [
${body.join('\n')}
];

/** Simple case-folding orbits (CaseFolding.txt C+S classes) over ASSIGNED_13, as Go folds (?i). */
export const FOLD_ORBITS: readonly (readonly number[])[] = [
${orbitLines.join('\n')}
];

/** Per Go table name: how many ranges the table has (for Go's limit on runes in classes). */
export const GO_TABLE_RANGE_COUNTS: Readonly<Record<string, number>> = ${JSON.stringify(rangeCounts)};

/** Per Go table name: code points Go has that JS (∩ ASSIGNED_13) lacks, and the reverse. */
export const GO_TABLE_FIXUPS: Readonly<Record<string, { readonly add: readonly number[]; readonly remove: readonly number[] }>> = {
${fixupLines.join('\n')}
};
`,
    );
  } finally {
    await oracle.stop();
  }
}

await main();
