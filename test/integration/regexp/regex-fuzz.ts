/**
 * @module test/integration/regexp/regex-fuzz — seeded random RE2 patterns and inputs for differential
 * testing against Go. Patterns mix every construct (flags, classes, folds, anchors, repeats) over
 * a small alphabet rich in case-fold and line-terminator traps, so random inputs hit them often.
 */

/** mulberry32: a small seeded PRNG, so a failing case can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

export function randomRegex(rnd: () => number, depth = 0): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const r = rnd();
  if (depth > 3 || r < 0.3) {
    const k = rnd();
    if (k < 0.45) return pick(LITERALS);
    if (k < 0.7) return pick(SINGLES);
    const n = 1 + Math.floor(rnd() * 3);
    let items = '';
    for (let i = 0; i < n; i++) items += pick(CLASS_ITEMS);
    return `[${rnd() < 0.3 ? '^' : ''}${items}]`;
  }
  if (r < 0.5) {
    const n = 2 + Math.floor(rnd() * 2);
    let out = '';
    for (let i = 0; i < n; i++) out += randomRegex(rnd, depth + 1);
    return out;
  }
  if (r < 0.62) {
    const n = 2 + Math.floor(rnd() * 2);
    return Array.from({ length: n }, () => randomRegex(rnd, depth + 1)).join('|');
  }
  if (r < 0.8) return `${pick(GROUPS)}${randomRegex(rnd, depth + 1)})`;
  if (r < 0.95) {
    // Repeat a group so the operator binds to all of it.
    return `(?:${randomRegex(rnd, depth + 1)})${pick(REPEATS)}`;
  }
  return `${pick(FLAGS)}${randomRegex(rnd, depth + 1)}`;
}

export function randomInput(rnd: () => number): string {
  const n = Math.floor(rnd() * 6);
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rnd() * ALPHABET.length)]!;
  return s;
}
