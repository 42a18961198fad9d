/**
 * @module scripts/gen-re2-unicode — regenerates core/regexp/unicode-data.ts from the real Go
 * regexp engine (Prometheus 2.42 built with Go 1.19, Unicode 13.0): the members of every `\p{…}`
 * table Go knows, asked one table at a time over all assigned code points, and the case-fold
 * orbits over the code points Go assigns. Needs `promtool` and `prometheus` on PATH.
 * Run: `npx tsx scripts/gen-re2-unicode.ts [--check]` (--check only reports differences).
 */
import { writeFile } from 'node:fs/promises';
import { GO_CATEGORIES, GO_SCRIPTS } from '../core/regexp/unicode-names.ts';
import { startGoRegexOracle } from '../test/helpers/go-regex-oracle.ts';

const OUT = new URL('../core/regexp/unicode-data.ts', import.meta.url);

/** Surrogates never occur in label values; planes 15–16 are private use (Co) since Unicode 2.0. */
const FIXED: readonly [number, number][] = [
  [0xd800, 0xdfff],
  [0xf0000, 0xffffd],
  [0x100000, 0x10fffd],
];

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

/** Sorted code points → flat inclusive [lo, hi] pairs. */
function membersToRanges(members: readonly number[]): number[] {
  const out: number[] = [];
  for (const c of members) {
    const n = out.length;
    if (n > 0 && out[n - 1]! + 1 === c) out[n - 1] = c;
    else out.push(c, c);
  }
  return out;
}

/** Ranges as base-36 deltas (gap from the previous hi, then width), comma-separated. */
function encodeRanges(r: readonly number[]): string {
  const parts: string[] = [];
  let prev = -1;
  for (let i = 0; i < r.length; i += 2) {
    parts.push((r[i]! - prev - 1).toString(36), (r[i + 1]! - r[i]!).toString(36));
    prev = r[i + 1]!;
  }
  return parts.join(',');
}

async function main(): Promise<void> {
  const assignedJs = /\P{Cn}/u;
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
    console.error(`assigned in Go: ${assigned.length} code points`);
    const names = [...GO_CATEGORIES, ...GO_SCRIPTS].filter((n) => n !== 'C');
    const answers = await oracle.ask(names.map((n) => `\\p{${n}}`));
    const tables: Record<string, number[]> = {};
    names.forEach((name, k) => {
      const a = answers[k]!;
      if (!a.ok) throw new Error(`Go rejects \\p{${name}}: ${a.error}`);
      const members = [...a.matches].map((i) => candidates[i]!);
      // Candidates leave out surrogates (Cs) and the private-use planes (Co): add them back.
      if (name === 'Cs') for (let c = 0xd800; c <= 0xdfff; c++) members.push(c);
      if (name === 'Co')
        for (const [lo, hi] of FIXED.slice(1)) for (let c = lo; c <= hi; c++) members.push(c);
      members.sort((x, y) => x - y);
      tables[name] = membersToRanges(members);
    });
    // Go's C is Cc|Cf|Co|Cs (no unassigned Cn).
    const cMembers = new Set<number>();
    for (const n of ['Cc', 'Cf', 'Co', 'Cs']) {
      const r = tables[n]!;
      for (let i = 0; i < r.length; i += 2)
        for (let c = r[i]!; c <= r[i + 1]!; c++) cMembers.add(c);
    }
    tables['C'] = membersToRanges([...cMembers].sort((x, y) => x - y));
    const orbits = foldOrbits(new Set(assigned));
    console.error(`fold orbits: ${orbits.length}; tables: ${Object.keys(tables).length}`);
    if (process.argv.includes('--check')) return;
    const hex = (ns: readonly number[]): string => ns.map((n) => '0x' + n.toString(16)).join(', ');
    const orbitLines: string[] = [];
    for (let i = 0; i < orbits.length; i += 6) {
      orbitLines.push(
        '  ' +
          orbits
            .slice(i, i + 6)
            .map((o) => `[${hex(o)}]`)
            .join(', ') +
          ',',
      );
    }
    const tableLines = Object.entries(tables).map(
      ([name, r]) => `  ${name}: '${encodeRanges(r)}',`,
    );
    await writeFile(
      OUT,
      `/**
 * @module core/regexp/unicode-data — GENERATED by scripts/gen-re2-unicode.ts; do not edit.
 * Go 1.19's Unicode tables (Unicode 13.0) as the Go regexp engine in Prometheus 2.42 answers
 * them: every \\p{…} category and script, and the simple case-folding orbits (?i) uses.
 */

/** Simple case-folding orbits (CaseFolding.txt C+S classes) over Unicode 13.0, as Go folds (?i). */
export const FOLD_ORBITS: readonly (readonly number[])[] = [
${orbitLines.join('\n')}
];

/**
 * Go's table for each \\p{name} as inclusive ranges, encoded as base-36 numbers in pairs:
 * the gap since the previous range's end (minus one), then the range's width minus one.
 */
export const GO_TABLES: Readonly<Record<string, string>> = {
${tableLines.join('\n')}
};
`,
    );
  } finally {
    await oracle.stop();
  }
}

await main();
