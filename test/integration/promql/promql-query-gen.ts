/**
 * Seeded generator of PromQL queries for differential parser tests: random expressions over the
 * whole grammar (selectors, every modifier in any order, calls with wrong arities, aggregations
 * with modifiers before or after, binary operators with bool/on/ignoring/group_x, unary signs,
 * parentheses), with keyword-like names and bad literals mixed in, and some queries then mutated
 * (a character deleted, inserted or a span cut) so error paths are exercised too.
 */
import { Random } from '../../helpers/random.ts';

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
  const rnd = new Random(seed);

  const grouping = (): string => {
    const labels = Array.from({ length: rnd.int(3) }, () => rnd.pick(LABELS));
    return `(${labels.join(', ')}${rnd.chance(0.05) ? ',' : ''})`;
  };
  const selector = (): string => {
    const named = rnd.chance(0.8);
    const n = rnd.int(3);
    const matchers = Array.from(
      { length: n },
      () => `${rnd.pick(LABELS)}${rnd.pick(MATCH_OPS)}${rnd.pick(STRINGS)}`,
    );
    if (!named) return `{${matchers.join(', ')}}`;
    return n === 0 && rnd.chance(0.5)
      ? rnd.pick(NAMES)
      : `${rnd.pick(NAMES)}{${matchers.join(',')}}`;
  };
  const modifiers = (e: string): string => {
    let s = e;
    for (let k = rnd.int(3); k > 0; k--) {
      const r = rnd.next();
      if (r < 0.3) s += ` offset ${rnd.chance(0.2) ? '-' : ''}${rnd.pick(DURATIONS)}`;
      else if (r < 0.55)
        s += ` @ ${rnd.chance(0.7) ? rnd.pick(NUMBERS) : rnd.pick(clean ? ['start()', 'end()'] : ['start()', 'end()', 'start', 'now()'])}`;
      else if (r < 0.8) s += `[${rnd.pick(DURATIONS)}]`;
      else s += `[${rnd.pick(DURATIONS)}:${rnd.chance(0.5) ? rnd.pick(DURATIONS) : ''}]`;
    }
    return s;
  };
  const expr = (depth: number): string => {
    const r = rnd.next();
    if (depth > 3 || r < 0.25) return modifiers(selector());
    if (r < 0.33) return rnd.pick(NUMBERS);
    if (r < 0.37) return rnd.pick(STRINGS);
    if (r < 0.5) {
      const args = Array.from({ length: Math.floor(rnd.next() * 3.5) }, () => expr(depth + 1));
      return modifiers(`${rnd.pick(FUNCTIONS)}(${args.join(', ')})`);
    }
    if (r < 0.62) {
      const op = rnd.pick(AGGREGATORS);
      const mod = rnd.chance(0.5) ? ` ${rnd.pick(['by', 'without'])} ${grouping()} ` : '';
      const param = /topk|quantile|count_values|bottomk/i.test(op)
        ? [rnd.chance(0.5) ? rnd.pick(NUMBERS) : rnd.pick(STRINGS)]
        : [];
      const args = [...param, expr(depth + 1)].join(', ');
      return rnd.chance(0.5) ? `${op}${mod}(${args})` : `${op}(${args})${mod}`;
    }
    if (r < 0.85) {
      let mod = rnd.chance(0.3) ? ' bool' : '';
      if (rnd.chance(0.3)) {
        mod += ` ${rnd.pick(['on', 'ignoring'])}${grouping()}`;
        if (rnd.chance(0.5))
          mod += ` ${rnd.pick(['group_left', 'group_right'])}${rnd.chance(0.5) ? grouping() : ''}`;
      }
      return `${expr(depth + 1)} ${rnd.pick(BINARY_OPS)}${mod} ${expr(depth + 1)}`;
    }
    if (r < 0.93) return `${rnd.pick(['-', '+'])}${expr(depth + 1)}`;
    return modifiers(`(${expr(depth + 1)})`);
  };
  const mutate = (q: string): string => {
    const i = rnd.int(q.length);
    const r = rnd.next();
    if (r < 0.4) return q.slice(0, i) + q.slice(i + 1);
    if (r < 0.8) return q.slice(0, i) + rnd.pick(MUTATION_CHARS) + q.slice(i);
    const j = rnd.int(q.length);
    return q.slice(0, Math.min(i, j)) + q.slice(Math.max(i, j));
  };

  return Array.from({ length: count }, () => {
    const q = expr(0);
    return rnd.chance(mutateShare) ? mutate(q) : q;
  });
}
