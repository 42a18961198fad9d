/**
 * @module test/integration/security/fuzz-promql — PromQL for the HTTP fuzz run, drawn from a
 * grammar over the oracle data set (test/helpers/promql-oracle-data.ts): selectors with every
 * matcher kind, every function of the parser's signature table (core/promql/parser/functions.ts)
 * with its own argument types or with a wrong arity or type, aggregations with by/without and
 * parameters, binary operators with bool and vector matching, subqueries, `@` and `offset`, and
 * nesting; plus the hostile shapes a public endpoint meets: pathological regexes (nested
 * quantifiers, huge alternations, `{1000}` repeats) in matchers and `label_replace`, and a few
 * deeply nested expressions (kept light: the parser's own suite covers depth limits).
 */
import type { ValueType } from '../../../core/promql/ast.ts';
import { allFunctions } from '../../../core/promql/parser/functions.ts';
import type { Random } from '../../helpers/random.ts';

const METRICS: readonly (readonly [string, readonly string[]])[] = [
  ['http_requests_total', ['job', 'instance', 'code']],
  ['temperature_celsius', ['room']],
  ['up', ['job', 'instance']],
  ['sparse_gauge', ['kind']],
  ['info_metric', ['job', 'instance', 'version']],
  ['req_duration_seconds_bucket', ['path', 'le']],
  ['humidity', ['room']],
  ['no_such_metric', ['job']],
];
const VALUES = ['a', 'b', 'api', 'kitchen', '200', '500', '', 'v1', '/x', '+Inf', 'é'];
const MATCH_OPS = ['=', '!=', '=~', '!~'];
const AGGREGATORS = ['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar'];
const PARAM_AGGREGATORS = ['topk', 'bottomk', 'quantile', 'count_values'];
const ARITH = ['+', '-', '*', '/', '%', '^', 'atan2'];
const COMPARE = ['==', '!=', '>', '<', '>=', '<='];
const SET_OPS = ['and', 'or', 'unless'];
const DURATIONS = ['1s', '30s', '1m', '5m', '10m', '1h', '1d', '1w', '1y', '100ms', '1h30m'];
const STEPS = ['', '1s', '10s', '1m', '5m', '1ms'];
const NUMBERS = ['0', '1', '-1', '0.5', '2', '10', '1e3', 'NaN', 'Inf', '-Inf', '1e308', '0x10'];
const ATS = ['start()', 'end()', '1700003600', '1700000000.5', '0', '-1e9', '1e12'];

/** Regexes whose backtracking cost explodes, and the subjects that make it explode. */
export const PATHOLOGICAL_REGEXES: readonly string[] = [
  '(a+)+c',
  '(.*a){20}c',
  '(a|a)+c',
  '(a*)*b',
  '(x+x+)+y',
  '(.*){30}z',
  '((a|aa)+)+c',
  '(a{1,100}){1,100}c',
  'a{1000}',
  '(a{1000}){10}',
  '(ab|a){1000}',
  '.{1000}x',
  '(\\w+\\s?)+$',
  '([a-z]+)*[0-9]',
  Array.from({ length: 3000 }, (_, i) => `v${i}`).join('|'),
  Array.from({ length: 500 }, (_, i) => `(a${i}|b${i})`).join('|'),
  `(${'a?'.repeat(60)})${'a'.repeat(60)}`,
  '(?i)(a+)+c',
  '(((((((a*)*)*)*)*)*)*)c',
  'a{1001}',
  '(a{1000}){1000}',
  '[[:alpha:]',
  '(?P<x>a+)+\\1',
];
const SUBJECT = `${'a'.repeat(40)}b`;

/** Whether `t` is an instant-vector-or-scalar slot that a number fills well enough. */
const scalarish = (t: ValueType): boolean => t === 'scalar';

export class PromqlFuzzer {
  readonly #r: Random;
  readonly #functions = allFunctions();

  constructor(r: Random) {
    this.#r = r;
  }

  /** One query: mostly well-typed, some with wrong arity or types, some hostile. */
  query(): string {
    const r = this.#r;
    const x = r.next();
    if (x < 0.08) return this.pathological();
    if (x < 0.1) return this.deep();
    if (x < 0.15) return this.ofType(r.pick(['matrix', 'string', 'scalar']), 0);
    return this.ofType('vector', 0);
  }

  /** An expression of type `t`, `depth` levels down. */
  ofType(t: ValueType, depth: number): string {
    const r = this.#r;
    switch (t) {
      case 'scalar':
        if (depth > 3 || r.chance(0.6)) return r.pick(NUMBERS);
        return r.pick([
          () => 'time()',
          () => `scalar(${this.ofType('vector', depth + 1)})`,
          () => `(${this.ofType('scalar', depth + 1)} ${r.pick(ARITH)} ${r.pick(NUMBERS)})`,
          () => `-${this.ofType('scalar', depth + 1)}`,
        ])();
      case 'string':
        return `"${r.pick(VALUES)}"`;
      case 'matrix':
        if (depth > 3 || r.chance(0.7)) return `${this.selector()}[${r.pick(DURATIONS)}]`;
        return this.modifiers(
          `(${this.ofType('vector', depth + 1)})[${r.pick(DURATIONS)}:${r.pick(STEPS)}]`,
        );
      case 'vector':
        return this.vector(depth);
      default:
        return this.selector();
    }
  }

  vector(depth: number): string {
    const r = this.#r;
    const x = r.next();
    if (depth > 4 || x < 0.25) return this.modifiers(this.selector());
    if (x < 0.5) return this.call(depth);
    if (x < 0.68) return this.aggregation(depth);
    if (x < 0.88) return this.binary(depth);
    if (x < 0.93) return `-${this.vector(depth + 1)}`;
    return `(${this.vector(depth + 1)})`;
  }

  selector(): string {
    const r = this.#r;
    const [name, labels] = r.pick(METRICS);
    const matchers = Array.from({ length: r.int(3) }, () => {
      const op = r.pick(MATCH_OPS);
      const label = r.chance(0.9) ? r.pick(labels) : '__name__';
      const value =
        op.includes('~') && r.chance(0.3) ? r.pick(['.*', '.+', 'a|b', 'k.*']) : r.pick(VALUES);
      return `${label}${op}"${value}"`;
    });
    if (matchers.length === 0) return name;
    return r.chance(0.9) ? `${name}{${matchers.join(',')}}` : `{${matchers.join(',')}}`;
  }

  modifiers(e: string): string {
    const r = this.#r;
    let s = e;
    if (r.chance(0.15)) s += ` @ ${r.pick(ATS)}`;
    if (r.chance(0.15)) s += ` offset ${r.chance(0.2) ? '-' : ''}${r.pick(DURATIONS)}`;
    return s;
  }

  /** A function from the signature table: its own argument types, or (20%) a wrong arity or type. */
  call(depth: number): string {
    const r = this.#r;
    const f = r.pick(this.#functions);
    let types = [...f.argTypes];
    if (f.variadic > 0) types = types.slice(0, types.length - r.int(f.variadic + 1));
    if (f.variadic < 0) for (let k = r.int(3); k > 0; k--) types.push(types.at(-1)!);
    if (r.chance(0.2)) {
      const y = r.next();
      if (y < 0.4) types.push(r.pick(['vector', 'scalar', 'matrix'] as ValueType[]));
      else if (y < 0.7) types.pop();
      else if (types.length > 0)
        types[r.int(types.length)] = r.pick(['vector', 'matrix', 'string'] as ValueType[]);
    }
    const args = types.map((t) => {
      if (f.name === 'label_replace' || f.name === 'label_join') {
        if (t === 'string')
          return `"${r.chance(0.3) ? r.pick(PATHOLOGICAL_REGEXES.slice(0, 8)) : r.pick(['job', 'x', '$1', '(.*)', 'instance'])}"`;
      }
      if (scalarish(t) && (f.name === 'histogram_quantile' || f.name === 'quantile_over_time'))
        return r.pick(['0.5', '0.9', '-1', '2', 'NaN']);
      return this.ofType(t, depth + 1);
    });
    return `${f.name}(${args.join(', ')})`;
  }

  aggregation(depth: number): string {
    const r = this.#r;
    const grouping = (): string => {
      if (r.chance(0.5)) return '';
      const ls = ['job', 'instance', 'room', 'le', 'code', '__name__'].filter(() => r.chance(0.3));
      return ` ${r.pick(['by', 'without'])} (${ls.join(', ')})`;
    };
    if (r.chance(0.3)) {
      const op = r.pick(PARAM_AGGREGATORS);
      const param =
        op === 'count_values'
          ? `"${r.pick(['v', 'job', '__name__', '', '1x'])}"`
          : op === 'quantile'
            ? r.pick(['0.5', '0.99', '-1', '2', 'NaN'])
            : r.pick(['1', '3', '0', '-1', '1e9', 'NaN', '2.5']);
      return `${op}${grouping()}(${param}, ${this.vector(depth + 1)})`;
    }
    return `${r.pick(AGGREGATORS)}${grouping()}(${this.vector(depth + 1)})`;
  }

  binary(depth: number): string {
    const r = this.#r;
    const y = r.next();
    const lhs = r.chance(0.2) ? this.ofType('scalar', depth + 1) : this.vector(depth + 1);
    const rhs = r.chance(0.2) ? this.ofType('scalar', depth + 1) : this.vector(depth + 1);
    let op: string;
    let mod = '';
    if (y < 0.5) op = r.pick(ARITH);
    else if (y < 0.8) {
      op = r.pick(COMPARE);
      if (r.chance(0.4)) mod = ' bool';
    } else op = r.pick(SET_OPS);
    if (r.chance(0.3)) {
      const ls = ['job', 'instance', 'room'].filter(() => r.chance(0.4)).join(', ');
      mod += ` ${r.pick(['on', 'ignoring'])}(${ls})`;
      if (r.chance(0.4))
        mod += ` ${r.pick(['group_left', 'group_right'])}(${r.chance(0.5) ? 'version' : ''})`;
    }
    return `${lhs} ${op}${mod} ${rhs}`;
  }

  /** A pathological regex in a matcher, in `label_replace`, or in a `match[]`-style selector. */
  pathological(): string {
    const r = this.#r;
    const re = JSON.stringify(r.pick(PATHOLOGICAL_REGEXES));
    const subject = JSON.stringify(r.chance(0.5) ? SUBJECT : 'a'.repeat(r.intBetween(10, 60)));
    switch (r.int(4)) {
      case 0:
        return `${r.pick(METRICS)[0]}{${r.pick(['job', 'instance', 'room', '__name__'])}=~${re}}`;
      case 1:
        return `label_replace(label_replace(vector(1), "x", ${subject}, "", ""), "y", "$1", "x", ${re})`;
      case 2:
        return `count_values("v", {__name__=~".+", job!~${re}})`;
      default:
        return `label_replace(http_requests_total, "y", "$1", "instance", ${re})`;
    }
  }

  /** A deeply nested expression; a few hundred levels, no more (the parser suite owns depth). */
  deep(): string {
    const r = this.#r;
    const n = r.intBetween(50, 300);
    switch (r.int(6)) {
      case 0:
        return `${'('.repeat(n)}1${')'.repeat(n)}`;
      case 1:
        return `${'sum('.repeat(n)}up${')'.repeat(n)}`;
      case 2:
        return `${'-'.repeat(n)}1`;
      case 3:
        return Array.from({ length: n }, () => 'up').join(' + ');
      case 4:
        // Distinct selectors: each its own store read (they once all ran at once and stalled
        // the isolate past the query's deadline).
        return Array.from({ length: n }, (_, i) => `http_requests_total{instance!="x${i}"}`).join(
          ' + ',
        );
      default:
        return `${'abs('.repeat(n)}up${')'.repeat(n)}`;
    }
  }
}
