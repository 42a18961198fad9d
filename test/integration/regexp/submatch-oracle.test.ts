/**
 * label_replace's submatches vs Go's regexp, through a real Prometheus 2.42 (go-regex-oracle.ts):
 * for every regex and input, the expansion of `[$1|$2|$3]` must be Go's, both from
 * compileSubmatch (whichever engine it picks) and from the linear-time Pike VM alone; and the
 * patterns that backtrack exponentially in JS answer within a bound, as Go's do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRe2 } from '../../../core/regexp/parse.ts';
import { Re2Pike } from '../../../core/regexp/pike.ts';
import { compileSubmatch, expandTemplate, type Groups } from '../../../core/regexp/submatch.ts';
import {
  type GoRegexOracle,
  type ReplaceAnswer,
  startGoRegexOracle,
} from '../../helpers/go-regex-oracle.ts';
import { Random } from '../../helpers/random.ts';
import { INPUTS, REGEXES } from './regex-cases.ts';
import { randomInput, randomRegex } from './regex-fuzz.ts';

const TEMPLATE = '[$1|$2|$3]';
const SEED = Number(process.env['REGEX_FUZZ_SEED'] ?? 20261203);
const rnd = new Random(SEED);
const fuzzInputs = [...new Set(['', ...Array.from({ length: 200 }, () => randomInput(rnd))])];
// Random patterns with at least one group, so submatches are really exercised.
const fuzzRegexes = Array.from({ length: 400 }, () => `(${randomRegex(rnd)})${randomRegex(rnd)}`);
/** Patterns JS backtracks on exponentially, with inputs that trigger it. */
const HOSTILE: readonly string[] = ['(.*a){20}c', '(a+)+c', '(a|aa)+c', '((a*)*b)*c', '(x+x+)+y'];
const hostileInputs = ['a'.repeat(30), 'a'.repeat(30) + 'b', 'x'.repeat(40), 'aaab', 'aac'];

let tableOracle: GoRegexOracle;
let fuzzOracle: GoRegexOracle;
let hostileOracle: GoRegexOracle;

beforeAll(async () => {
  [tableOracle, fuzzOracle, hostileOracle] = await Promise.all([
    startGoRegexOracle(INPUTS),
    startGoRegexOracle(fuzzInputs),
    startGoRegexOracle(hostileInputs),
  ]);
});

afterAll(async () => {
  await Promise.all([tableOracle?.stop(), fuzzOracle?.stop(), hostileOracle?.stop()]);
});

type Exec = (s: string) => Groups | null;

/** Differences between our expansion and Go's over every input; counts the compared pairs. */
function compare(
  re: string,
  inputs: readonly string[],
  go: ReplaceAnswer,
  execOf: (re: string) => { exec: Exec; names: readonly string[] },
  failures: string[],
): number {
  if (!go.ok) return 0;
  const { exec, names } = execOf(re);
  inputs.forEach((s, i) => {
    const m = exec(s);
    const ours = m === null ? undefined : expandTemplate(TEMPLATE, m, names);
    const want = go.out.get(i);
    if (ours !== want) {
      failures.push(`${JSON.stringify(re)} on ${JSON.stringify(s)}: go ${want}, us ${ours}`);
    }
  });
  return inputs.length;
}

const viaSubmatch = (re: string) => compileSubmatch(`^(?:${re})$`);

function viaPike(re: string): { exec: Exec; names: readonly string[] } {
  const rx = compileSubmatch(`^(?:${re})$`);
  const pike = new Re2Pike(parseRe2(`^(?:${re})$`));
  expect(pike.groups).toBe(rx.names.length - 1);
  const exec = (s: string): Groups | null => {
    const caps = pike.exec(s);
    if (caps === null) return null;
    return Array.from({ length: pike.groups + 1 }, (_, g) =>
      caps[2 * g]! < 0 ? undefined : s.slice(caps[2 * g]!, caps[2 * g + 1]!),
    );
  };
  return { exec, names: rx.names };
}

/** Regexes Go accepts; the rejected ones are the matcher suite's business. */
const accepted = (regexes: readonly string[], go: readonly ReplaceAnswer[]): string[] =>
  regexes.filter((_, k) => go[k]!.ok);

describe('label_replace submatches vs Go regexp (Prometheus 2.42)', () => {
  it(`the case table: ${REGEXES.length} regexes × ${INPUTS.length} inputs`, async () => {
    const go = await tableOracle.replace(REGEXES, TEMPLATE);
    const failures: string[] = [];
    let pairs = 0;
    let pikePairs = 0;
    for (const [k, re] of REGEXES.entries()) {
      pairs += compare(re, INPUTS, go[k]!, viaSubmatch, failures);
      pikePairs += compare(re, INPUTS, go[k]!, viaPike, failures);
    }
    expect(failures.slice(0, 40), failures.slice(0, 40).join('\n')).toEqual([]);
    expect(accepted(REGEXES, go).length).toBeGreaterThan(300);
    expect(pairs).toBe(pikePairs);
    expect(pairs).toBeGreaterThan(300 * INPUTS.length);
  });

  it(`${fuzzRegexes.length} random patterns with groups (seed ${SEED})`, async () => {
    const go = await fuzzOracle.replace(fuzzRegexes, TEMPLATE);
    const failures: string[] = [];
    let pairs = 0;
    let matched = 0;
    for (const [k, re] of fuzzRegexes.entries()) {
      pairs += compare(re, fuzzInputs, go[k]!, viaSubmatch, failures);
      compare(re, fuzzInputs, go[k]!, viaPike, failures);
      const a = go[k]!;
      if (a.ok) matched += a.out.size;
    }
    expect(failures.slice(0, 40), failures.slice(0, 40).join('\n')).toEqual([]);
    expect(pairs).toBeGreaterThan(200 * fuzzInputs.length);
    // The fuzz must produce matches, or it compares nothing but nulls.
    expect(matched).toBeGreaterThan(1000);
  });

  it('patterns that backtrack exponentially in JS answer as Go does, in linear time', async () => {
    const go = await hostileOracle.replace(HOSTILE, TEMPLATE);
    const failures: string[] = [];
    const started = performance.now();
    for (const [k, re] of HOSTILE.entries()) {
      compare(re, hostileInputs, go[k]!, viaSubmatch, failures);
    }
    const elapsed = performance.now() - started;
    expect(failures, failures.join('\n')).toEqual([]);
    expect(go.every((a) => a.ok)).toBe(true);
    // A backtracking engine needs minutes for (.*a){20}c on 30 a's; Go answers in milliseconds.
    expect(elapsed).toBeLessThan(2_000);
  });

  it('a long value costs linear time on a polynomial pattern', () => {
    const rx = compileSubmatch('^(?:(.*)a.*b.*c.*d(.*))$');
    const s = 'abc'.repeat(20_000);
    const started = performance.now();
    expect(rx.exec(s)).toBeNull();
    expect(performance.now() - started).toBeLessThan(5_000);
    const m = rx.exec(`${s}d!`)!;
    expect(expandTemplate('$2', m, rx.names)).toBe('!');
  });
});
