/**
 * Differential test of core/labels regex matchers against Go's regexp engine, through a real
 * Prometheus 2.42 (see go-regex-oracle.ts): for every (regex, input) pair our Matcher must give
 * Go's answer, and every regex Go rejects we must reject with Go's error text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadDataError } from '../../../core/errors.ts';
import { newMatcher } from '../../../core/labels/matcher.ts';
import { Re2Nfa } from '../../../core/regexp/nfa.ts';
import { parseRe2 } from '../../../core/regexp/parse.ts';
import { foldOrbits } from '../../../core/regexp/unicode.ts';
import {
  type GoRegexOracle,
  type OracleAnswer,
  startGoRegexOracle,
} from '../../helpers/go-regex-oracle.ts';
import { INPUTS, REGEXES } from './regex-cases.ts';
import { Random } from '../../helpers/random.ts';
import { randomInput, randomRegex } from './regex-fuzz.ts';

const inputs = INPUTS;
const orbitInputs = foldOrbits().flatMap((o) => o.map((c) => String.fromCodePoint(c)));

/** Random patterns and inputs; change FUZZ_SEED to explore, a failure names its pattern. */
const FUZZ_SEED = Number(process.env['REGEX_FUZZ_SEED'] ?? 20260101);
const fuzzRnd = new Random(FUZZ_SEED);
const fuzzInputs = [...new Set(['', ...Array.from({ length: 300 }, () => randomInput(fuzzRnd))])];
const fuzzRegexes = Array.from({ length: 600 }, () => randomRegex(fuzzRnd));

let oracle: GoRegexOracle;
let foldOracle: GoRegexOracle;
let fuzzOracle: GoRegexOracle;
let answers: OracleAnswer[];

beforeAll(async () => {
  [oracle, foldOracle, fuzzOracle] = await Promise.all([
    startGoRegexOracle(inputs),
    startGoRegexOracle(orbitInputs),
    startGoRegexOracle(fuzzInputs),
  ]);
  answers = await oracle.ask(REGEXES);
});

afterAll(async () => {
  await Promise.all([oracle?.stop(), foldOracle?.stop(), fuzzOracle?.stop()]);
});

type Ours = { ok: true; matches: Set<number> } | { ok: false; error: string };

function ours(re: string, over: readonly string[] = inputs): Ours {
  try {
    const m = newMatcher('=~', 'l', re);
    const matches = new Set<number>();
    over.forEach((s, i) => {
      if (m.matches(s)) matches.add(i);
    });
    return { ok: true, matches };
  } catch (err) {
    if (!(err instanceof BadDataError)) throw err;
    return { ok: false, error: err.message };
  }
}

const show = (set: ReadonlySet<number>): string[] =>
  [...set].sort((a, b) => a - b).map((i) => JSON.stringify(inputs[i]));

describe('regex matchers vs Go regexp (Prometheus 2.42)', () => {
  it(`agrees on ${REGEXES.length} regexes × ${INPUTS.length} inputs, and on every error text`, () => {
    const failures: string[] = [];
    let pairs = 0;
    let rejected = 0;
    REGEXES.forEach((re, k) => {
      const go = answers[k]!;
      const us = ours(re);
      if (!go.ok) {
        rejected++;
        if (us.ok) failures.push(`${JSON.stringify(re)}: Go rejects (${go.error}), we accept`);
        else if (us.error !== go.error)
          failures.push(
            `${JSON.stringify(re)}: error differs\n  go: ${go.error}\n  us: ${us.error}`,
          );
        return;
      }
      if (!us.ok) {
        failures.push(`${JSON.stringify(re)}: Go accepts, we reject: ${us.error}`);
        return;
      }
      pairs += inputs.length;
      const extra = [...us.matches].filter((i) => !go.matches.has(i));
      const missing = [...go.matches].filter((i) => !us.matches.has(i));
      if (extra.length + missing.length > 0) {
        failures.push(
          `${JSON.stringify(re)}: we also match ${show(new Set(extra)).join(' ')}; we miss ${show(new Set(missing)).join(' ')}`,
        );
      }
    });
    expect(failures, failures.join('\n')).toEqual([]);
    // The table must really exercise both sides.
    expect(rejected).toBeGreaterThan(80);
    expect(pairs).toBeGreaterThan(300 * inputs.length);
  });

  it('the linear-time NFA engine agrees with Go on the same table', () => {
    const failures: string[] = [];
    let compared = 0;
    REGEXES.forEach((re, k) => {
      const go = answers[k]!;
      if (!go.ok) return;
      const nfa = new Re2Nfa(parseRe2(re));
      inputs.forEach((s, i) => {
        compared++;
        if (nfa.match(s) !== go.matches.has(i))
          failures.push(
            `${JSON.stringify(re)} on ${JSON.stringify(s)}: Go says ${go.matches.has(i)}`,
          );
      });
    });
    expect(failures.slice(0, 50), failures.slice(0, 50).join('\n')).toEqual([]);
    expect(compared).toBeGreaterThan(300 * inputs.length);
  });

  it(`agrees with Go on ${fuzzRegexes.length} random patterns (seed ${FUZZ_SEED})`, async () => {
    const go = await fuzzOracle.ask(fuzzRegexes);
    const failures: string[] = [];
    let accepted = 0;
    fuzzRegexes.forEach((re, k) => {
      const g = go[k]!;
      const us = ours(re, fuzzInputs);
      if (!g.ok || !us.ok) {
        if (g.ok !== us.ok || (!g.ok && !us.ok && g.error !== us.error)) {
          failures.push(
            `${JSON.stringify(re)}: go ${g.ok ? 'accepts' : g.error}; us ${us.ok ? 'accept' : us.error}`,
          );
        }
        return;
      }
      accepted++;
      const nfa = new Re2Nfa(parseRe2(re));
      fuzzInputs.forEach((s, i) => {
        const want = g.matches.has(i);
        if (us.matches.has(i) !== want)
          failures.push(`${JSON.stringify(re)} on ${JSON.stringify(s)}: Go says ${want}`);
        else if (nfa.match(s) !== want)
          failures.push(`NFA ${JSON.stringify(re)} on ${JSON.stringify(s)}: Go says ${want}`);
      });
    });
    expect(failures.slice(0, 40), failures.slice(0, 40).join('\n')).toEqual([]);
    expect(accepted).toBeGreaterThan(450);
  });

  it('folds case exactly as Go does for every simple-fold orbit', async () => {
    // Batches of orbit representatives: Go's (?i) match set must be the union of our orbits.
    const orbits = foldOrbits();
    const batches: (readonly (readonly number[])[])[] = [];
    for (let i = 0; i < orbits.length; i += 40) batches.push(orbits.slice(i, i + 40));
    const hex = (c: number): string => `\\x{${c.toString(16)}}`;
    const regexes = batches.map((b) => `(?i)${b.map((o) => hex(o[0]!)).join('|')}`);
    const foldAnswers = await foldOracle.ask(regexes);
    const failures: string[] = [];
    regexes.forEach((re, k) => {
      const go = foldAnswers[k]!;
      const us = ours(re, orbitInputs);
      if (!go.ok || !us.ok) {
        failures.push(`${re}: ${go.ok ? '' : go.error} ${us.ok ? '' : us.error}`);
        return;
      }
      const diff = [...go.matches]
        .filter((i) => !us.matches.has(i))
        .concat([...us.matches].filter((i) => !go.matches.has(i)));
      if (diff.length > 0)
        failures.push(
          `${re}: differ on ${diff.map((i) => orbitInputs[i]!.codePointAt(0)!.toString(16)).join(' ')}`,
        );
    });
    expect(failures, failures.join('\n')).toEqual([]);
    expect(orbits.length).toBeGreaterThan(1000);
  });
});
