/**
 * Seeded generator of PromQL queries for differential parser tests: random expressions over the
 * whole grammar (selectors, every modifier in any order, calls with wrong arities, aggregations
 * with modifiers before or after, binary operators with bool/on/ignoring/group_x, unary signs,
 * parentheses), with keyword-like names and bad literals mixed in, and some queries then mutated
 * (a character deleted, inserted or a span cut) so error paths are exercised too.
 */

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = [
  'foo',
  'bar',
  'sum',
  'by',
  'offset',
  'on',
  'start',
  'a:b',
  'x_1',
  'rate',
  'inf',
  'count_values',
  'bool',
  'without',
  'and',
  'atan2',
  'time',
  'end',
  'unless',
  'OFFSET',
];
const LABELS = [
  'a',
  'job',
  'le',
  'on',
  'by',
  'offset',
  'inf',
  'without',
  '__name__',
  'bool',
  'sum',
  'group_left',
];
const NUMBERS_ALL = [
  '1',
  '0',
  '-1',
  '1.5',
  '.5',
  '5.',
  '1e3',
  '1e-3',
  '0x1F',
  '010',
  '09',
  'Inf',
  'NaN',
  '-Inf',
  '+2',
  '1e6',
  '123456789',
  '0.00001',
  '1e',
  '1e400',
  '0X10',
  '1_0',
];
const STRINGS_ALL = [
  '"a"',
  "'b'",
  '`c`',
  '"\\n"',
  '"é"',
  '"\\x41"',
  '"\\u00e9"',
  "'\\''",
  '"a\\"b"',
  '""',
  '".*"',
  '".+"',
  '"x|y"',
  '"\\\\d+"',
  '"("',
  '"\\q"',
];
const DURATIONS_ALL = [
  '5m',
  '1h',
  '1h30m',
  '30s',
  '1d',
  '1w',
  '1y',
  '100ms',
  '1s1ms',
  '90m',
  '14d',
  '1y1d',
  '0s',
  '5m1h',
  '2h2h',
  '5',
  '1m30',
  '300y',
  'd',
];
const MATCH_OPS = ['=', '!=', '=~', '!~'];
const FUNCTIONS_ALL = [
  'rate',
  'abs',
  'time',
  'vector',
  'scalar',
  'round',
  'label_join',
  'label_replace',
  'histogram_quantile',
  'clamp',
  'day_of_week',
  'sort_desc',
  'absent',
  'quantile_over_time',
  'pi',
  'holt_winters',
  'predict_linear',
  'histogram_fraction',
  'foo',
  'Rate',
  'histogram_quantil',
];
const AGGREGATORS = [
  'sum',
  'avg',
  'topk',
  'count_values',
  'quantile',
  'group',
  'stddev',
  'bottomk',
  'max',
  'SUM',
];
const BINARY_OPS = [
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  'atan2',
  '==',
  '!=',
  '>',
  '<',
  '>=',
  '<=',
  'and',
  'or',
  'unless',
];
const MUTATION_CHARS = [
  '(',
  ')',
  ',',
  '[',
  ']',
  '{',
  '}',
  ' ',
  '-',
  '"',
  ':',
  '@',
  '#',
  'x',
  '1',
  '\n',
];

/** Literals and names Prometheus accepts, for mostly-valid queries. */
const CLEAN = {
  NUMBERS: [
    '1',
    '0',
    '-1',
    '1.5',
    '.5',
    '5.',
    '1e3',
    '1e-3',
    '0x1F',
    '010',
    '09',
    'Inf',
    'NaN',
    '-Inf',
    '+2',
    '1e6',
    '123456789',
    '0.00001',
  ],
  STRINGS: [
    '"a"',
    "'b'",
    '`c`',
    '"\\n"',
    '"é"',
    '"\\x41"',
    '"\\u00e9"',
    "'\\''",
    '"a\\"b"',
    '""',
    '".*"',
    '".+"',
    '"x|y"',
  ],
  DURATIONS: [
    '5m',
    '1h',
    '1h30m',
    '30s',
    '1d',
    '1w',
    '1y',
    '100ms',
    '1s1ms',
    '90m',
    '14d',
    '1y1d',
    '3600s',
  ],
  FUNCTIONS: FUNCTIONS_ALL.filter((f) => !['foo', 'Rate', 'histogram_quantil'].includes(f)),
};

/**
 * `count` queries from `seed`; about `mutateShare` of them mutated. `clean` draws only valid
 * literals and names (type errors and modifier misuse still occur), so more queries parse.
 */
export function generateQueries(
  seed: number,
  count: number,
  mutateShare = 0.3,
  clean = false,
): string[] {
  const NUMBERS = clean ? CLEAN.NUMBERS : NUMBERS_ALL;
  const STRINGS = clean ? CLEAN.STRINGS : STRINGS_ALL;
  const DURATIONS = clean ? CLEAN.DURATIONS : DURATIONS_ALL;
  const FUNCTIONS = clean ? CLEAN.FUNCTIONS : FUNCTIONS_ALL;
  const rnd = prng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const chance = (p: number): boolean => rnd() < p;

  const grouping = (): string => {
    const labels = Array.from({ length: Math.floor(rnd() * 3) }, () => pick(LABELS));
    return `(${labels.join(', ')}${chance(0.05) ? ',' : ''})`;
  };
  const selector = (): string => {
    const named = chance(0.8);
    const n = Math.floor(rnd() * 3);
    const matchers = Array.from(
      { length: n },
      () => `${pick(LABELS)}${pick(MATCH_OPS)}${pick(STRINGS)}`,
    );
    if (!named) return `{${matchers.join(', ')}}`;
    return n === 0 && chance(0.5) ? pick(NAMES) : `${pick(NAMES)}{${matchers.join(',')}}`;
  };
  const modifiers = (e: string): string => {
    let s = e;
    for (let k = Math.floor(rnd() * 3); k > 0; k--) {
      const r = rnd();
      if (r < 0.3) s += ` offset ${chance(0.2) ? '-' : ''}${pick(DURATIONS)}`;
      else if (r < 0.55)
        s += ` @ ${chance(0.7) ? pick(NUMBERS) : pick(clean ? ['start()', 'end()'] : ['start()', 'end()', 'start', 'now()'])}`;
      else if (r < 0.8) s += `[${pick(DURATIONS)}]`;
      else s += `[${pick(DURATIONS)}:${chance(0.5) ? pick(DURATIONS) : ''}]`;
    }
    return s;
  };
  const expr = (depth: number): string => {
    const r = rnd();
    if (depth > 3 || r < 0.25) return modifiers(selector());
    if (r < 0.33) return pick(NUMBERS);
    if (r < 0.37) return pick(STRINGS);
    if (r < 0.5) {
      const args = Array.from({ length: Math.floor(rnd() * 3.5) }, () => expr(depth + 1));
      return modifiers(`${pick(FUNCTIONS)}(${args.join(', ')})`);
    }
    if (r < 0.62) {
      const op = pick(AGGREGATORS);
      const mod = chance(0.5) ? ` ${pick(['by', 'without'])} ${grouping()} ` : '';
      const param = /topk|quantile|count_values|bottomk/i.test(op)
        ? [chance(0.5) ? pick(NUMBERS) : pick(STRINGS)]
        : [];
      const args = [...param, expr(depth + 1)].join(', ');
      return chance(0.5) ? `${op}${mod}(${args})` : `${op}(${args})${mod}`;
    }
    if (r < 0.85) {
      let mod = chance(0.3) ? ' bool' : '';
      if (chance(0.3)) {
        mod += ` ${pick(['on', 'ignoring'])}${grouping()}`;
        if (chance(0.5))
          mod += ` ${pick(['group_left', 'group_right'])}${chance(0.5) ? grouping() : ''}`;
      }
      return `${expr(depth + 1)} ${pick(BINARY_OPS)}${mod} ${expr(depth + 1)}`;
    }
    if (r < 0.93) return `${pick(['-', '+'])}${expr(depth + 1)}`;
    return modifiers(`(${expr(depth + 1)})`);
  };
  const mutate = (q: string): string => {
    const i = Math.floor(rnd() * q.length);
    const r = rnd();
    if (r < 0.4) return q.slice(0, i) + q.slice(i + 1);
    if (r < 0.8) return q.slice(0, i) + pick(MUTATION_CHARS) + q.slice(i);
    const j = Math.floor(rnd() * q.length);
    return q.slice(0, Math.min(i, j)) + q.slice(Math.max(i, j));
  };

  return Array.from({ length: count }, () => {
    const q = expr(0);
    return chance(mutateShare) ? mutate(q) : q;
  });
}
