/**
 * @module test/integration/regexp/regex-fuzz — seeded random RE2 patterns and inputs for differential
 * testing against Go. Patterns mix every construct (flags, classes, folds, anchors, repeats) over
 * a small alphabet rich in case-fold and line-terminator traps, so random inputs hit them often.
 */
import type { Random } from '../../helpers/random.ts';

const ALPHABET = [
  'a',
  'b',
  'A',
  'B',
  'k',
  'K',
  '\u212a',
  's',
  'S',
  '\u017f',
  '\u00e9',
  '\n',
  '\r',
  ' ',
  '.',
  '1',
  '_',
  '\u03b1',
  '\u03a3',
  '\u03c3',
  '\u03c2',
  '\u0870',
  '\u{1F600}',
];

const LITERALS = [
  'a',
  'b',
  'A',
  'k',
  'K',
  's',
  'S',
  '\u017f',
  '\u212a',
  '\u00e9',
  '\u03c3',
  '\\n',
  '\\r',
  ' ',
  '\\.',
  '1',
  '_',
  '\\x{3a3}',
  '\\141',
  '\\Qa.\\E',
];
const CLASS_ITEMS = [
  'a-c',
  'k',
  'S',
  '\\d',
  '\\s',
  '\\w',
  '\\W',
  '[:alpha:]',
  '[:^digit:]',
  '[:space:]',
  '\\pL',
  '\\p{Greek}',
  '\\PL',
  '\\n',
  '.',
  '\u00e9-\u00ff',
  '\\x{1F600}',
  '-',
];
const SINGLES = [
  '.',
  '^',
  '$',
  '\\b',
  '\\B',
  '\\A',
  '\\z',
  '\\d',
  '\\w',
  '\\s',
  '\\W',
  '\\S',
  '\\pL',
  '\\p{Lu}',
  '\\PL',
  '\\pN',
];
const GROUPS = ['(', '(?:', '(?i:', '(?s:', '(?m:', '(?U:', '(?-i:', '(?i-s:', '(?P<g>'];
const REPEATS = ['*', '+', '?', '{0,2}', '{2}', '{1,}', '{0}', '*?', '+?', '??', '{1,3}?'];
const FLAGS = ['(?i)', '(?s)', '(?m)', '(?U)', '(?is)', '(?-i)'];

export function randomRegex(rnd: Random, depth = 0): string {
  const r = rnd.next();
  if (depth > 3 || r < 0.3) {
    const k = rnd.next();
    if (k < 0.45) return rnd.pick(LITERALS);
    if (k < 0.7) return rnd.pick(SINGLES);
    const n = 1 + rnd.int(3);
    let items = '';
    for (let i = 0; i < n; i++) items += rnd.pick(CLASS_ITEMS);
    return `[${rnd.chance(0.3) ? '^' : ''}${items}]`;
  }
  if (r < 0.5) {
    const n = 2 + rnd.int(2);
    let out = '';
    for (let i = 0; i < n; i++) out += randomRegex(rnd, depth + 1);
    return out;
  }
  if (r < 0.62) {
    const n = 2 + rnd.int(2);
    return Array.from({ length: n }, () => randomRegex(rnd, depth + 1)).join('|');
  }
  if (r < 0.8) return `${rnd.pick(GROUPS)}${randomRegex(rnd, depth + 1)})`;
  if (r < 0.95) {
    // Repeat a group so the operator binds to all of it.
    return `(?:${randomRegex(rnd, depth + 1)})${rnd.pick(REPEATS)}`;
  }
  return `${rnd.pick(FLAGS)}${randomRegex(rnd, depth + 1)}`;
}

export function randomInput(rnd: Random): string {
  const n = rnd.int(6);
  let s = '';
  for (let i = 0; i < n; i++) s += rnd.pick(ALPHABET);
  return s;
}
