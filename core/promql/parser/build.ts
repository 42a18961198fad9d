/**
 * @module core/promql/parser/build — raw tree → typed AST, with the checks Prometheus's grammar
 * actions make while reducing (promql/parser/generated_parser.y + parse.go at v2.42): literal
 * values, durations, matchers, `offset`/`@` placement, range placement, aggregation argument
 * counts, unary minus folded into number literals. Type checks come later (check.ts), as in
 * Prometheus, and only when this stage found nothing.
 */
import type {
  AggregateExpr,
  BinaryExpr,
  Call,
  Expr,
  MatrixSelector,
  NumberLiteral,
  PositionRange,
  SubqueryExpr,
  VectorMatching,
  VectorSelector,
} from '../ast.ts';
import { newMatcher, type Matcher } from '../../labels/matcher.ts';
import { METRIC_NAME } from '../../labels/labels.ts';
import { errorMessage } from '../../errors.ts';
import { DurationError } from '../../gocompat/duration.ts';
import { parsePositiveDuration } from './durations.ts';
import { ErrorKey, ErrorStage, type ErrorCollector } from './errors.ts';
import { getFunction } from './functions.ts';
import { goInt64, goRound } from '../../gocompat/math.ts';
import { goFormatFloat, NumError } from '../../gocompat/strconv.ts';
import { parseNumber } from './numbers.ts';
import { goUnquote, UnquoteError } from '../../gocompat/unquote.ts';
import { goQuote } from '../../gocompat/quote.ts';
import type { Raw, Span } from './tree.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A raw node being built: its children, those already built, its grouping labels. */
interface BuildFrame {
  readonly raw: Raw;
  readonly kids: readonly Raw[];
  readonly built: Expr[];
  readonly grouping: string[];
}

function rawChildren(raw: Raw): readonly Raw[] {
  switch (raw.t) {
    case 'num':
    case 'str':
    case 'vs':
      return [];
    case 'call':
    case 'agg':
      return raw.args;
    case 'bin':
      return [raw.lhs, raw.rhs];
    default:
      return [raw.expr];
  }
}

const PARAM_AGGREGATORS = new Set(['topk', 'bottomk', 'count_values', 'quantile']);
const TWO_POW_63 = 2 ** 63;

export class AstBuilder {
  constructor(
    private readonly src: string,
    private readonly toByte: (i: number) => number,
    private readonly errors: ErrorCollector,
    /** Lexer token end by token start: a literal's extent is the lexer's, not lezer's. */
    private readonly tokenEnds: ReadonlyMap<number, number>,
    /** Where the token after `pos` starts (or the lexer failed, or the input ends). */
    private readonly lookahead: (pos: number) => number,
    /** Matchers the token scan already compiled, by value token start. */
    private readonly compiled: ReadonlyMap<number, Matcher> = new Map(),
  ) {}

  #pos(from: number, to: number): PositionRange {
    return { start: this.toByte(from), end: this.toByte(to) };
  }

  #err(key: number, at: number, message: string): void {
    this.errors.add(ErrorStage.Semantic, key, at, message);
  }

  #text(s: Span): string {
    return this.src.slice(s.from, s.to);
  }

  #number(tok: Span): number {
    try {
      return parseNumber(this.src.slice(tok.from, this.tokenEnds.get(tok.from) ?? tok.to));
    } catch (e) {
      if (!(e instanceof NumError)) throw e;
      this.#err(ErrorKey.value(tok.from), tok.from, `error parsing number: ${e.message}`);
      return 0;
    }
  }

  #string(tok: Span): string {
    const text = this.#text(tok);
    try {
      return goUnquote(text);
    } catch (e) {
      if (!(e instanceof UnquoteError)) throw e;
      this.#err(
        ErrorKey.value(tok.from),
        tok.from,
        `error unquoting string ${goQuote(text)}: ${e.message}`,
      );
      return '';
    }
  }

  #duration(tok: Span): number {
    try {
      return parsePositiveDuration(this.#text(tok));
    } catch (e) {
      if (!(e instanceof DurationError)) throw e;
      this.#err(ErrorKey.value(tok.from), tok.from, e.message);
      return 0;
    }
  }

  #labels(spans: readonly Span[]): string[] {
    return spans.map((s) => {
      const name = this.#text(s);
      // Prometheus lexes `inf`/`nan` as numbers, which are not label names.
      const lower = name.toLowerCase();
      if (lower === 'inf' || lower === 'nan') {
        this.#err(
          ErrorKey.syntax(s.from),
          s.from,
          `unexpected number ${goQuote(name)} in grouping opts, expected label`,
        );
      }
      return name;
    });
  }

  /**
   * Builds the AST bottom-up with an explicit stack: a query's nesting (10,000 parentheses, a
   * 40,000-term sum) must not become JavaScript call depth.
   */
  build(root: Raw): Expr {
    const stack: BuildFrame[] = [this.#frame(root)];
    for (;;) {
      const f = stack[stack.length - 1]!;
      if (f.built.length < f.kids.length) {
        stack.push(this.#frame(f.kids[f.built.length]!));
        continue;
      }
      stack.pop();
      const e = this.#node(f);
      const parent = stack[stack.length - 1];
      if (parent === undefined) return e;
      parent.built.push(e);
    }
  }

  #frame(raw: Raw): BuildFrame {
    // Grouping labels are read before the aggregated expression, as Prometheus reduces them.
    const grouping = raw.t === 'agg' ? this.#labels(raw.labels) : [];
    return { raw, kids: rawChildren(raw), built: [], grouping };
  }

  /** One node from its children, already built in order. */
  #node({ raw, built, grouping }: BuildFrame): Expr {
    switch (raw.t) {
      case 'num': {
        const n: NumberLiteral = {
          kind: 'NumberLiteral',
          value: this.#number(raw.tok),
          pos: this.#pos(raw.from, raw.to),
        };
        return n;
      }
      case 'str':
        return {
          kind: 'StringLiteral',
          value: this.#string(raw),
          pos: this.#pos(raw.from, raw.to),
        };
      case 'vs':
        return this.#vectorSelector(raw);
      case 'paren':
        return { kind: 'ParenExpr', expr: built[0]!, pos: this.#pos(raw.from, raw.to) };
      case 'unary': {
        const inner = built[0]!;
        if (inner.kind === 'NumberLiteral') {
          // Prometheus folds a sign into the literal it precedes (not through parentheses).
          return {
            kind: 'NumberLiteral',
            value: raw.op === '-' ? -inner.value : inner.value,
            pos: { start: this.toByte(raw.from), end: inner.pos.end },
          };
        }
        return {
          kind: 'UnaryExpr',
          op: raw.op,
          expr: inner,
          pos: { start: this.toByte(raw.from), end: inner.pos.end },
        };
      }
      case 'call': {
        // The lexer's token: the shadow may have renamed an unknown function to a shorter stand-in.
        const name = this.src.slice(
          raw.name.from,
          this.tokenEnds.get(raw.name.from) ?? raw.name.to,
        );
        const func = getFunction(name);
        if (!func) {
          this.#err(
            ErrorKey.reduce(raw.to),
            raw.name.from,
            `unknown function with name ${goQuote(name)}`,
          );
          return { kind: 'NumberLiteral', value: 0, pos: this.#pos(raw.from, raw.to) };
        }
        const call: Call = { kind: 'Call', func, args: built, pos: this.#pos(raw.from, raw.to) };
        return call;
      }
      case 'agg':
        return this.#aggregate(raw, grouping, built);
      case 'bin': {
        const lhs = built[0]!;
        const rhs = built[1]!;
        const m = raw.matching;
        const matching: VectorMatching = {
          card: m?.card ?? 'one-to-one',
          matchingLabels: m ? this.#labels(m.labels) : [],
          on: m?.on ?? false,
          include: m ? this.#labels(m.include) : [],
        };
        const bin: BinaryExpr = {
          kind: 'BinaryExpr',
          op: raw.op,
          lhs,
          rhs,
          // Always present here, as in Prometheus's parser; check.ts drops it unless both sides are vectors.
          matching,
          returnBool: raw.returnBool,
          pos: { start: lhs.pos.start, end: rhs.pos.end },
        };
        return bin;
      }
      case 'matrix':
        return this.#matrix(raw, built[0]!);
      case 'subquery': {
        const expr = built[0]!;
        const sq: SubqueryExpr = {
          kind: 'SubqueryExpr',
          expr,
          range: this.#duration(raw.range),
          step: raw.step ? this.#duration(raw.step) : 0,
          offset: 0,
          pos: { start: expr.pos.start, end: this.toByte(raw.to) },
        };
        return sq;
      }
      case 'offset':
        return this.#offset(raw, built[0]!);
      case 'at':
        return this.#at(raw, built[0]!);
    }
  }

  #vectorSelector(raw: Extract<Raw, { t: 'vs' }>): VectorSelector {
    const matchers: Matcher[] = [];
    for (const m of raw.matchers) {
      const known = this.compiled.get(m.value.from);
      if (known && known.type === m.op && known.name === this.#text(m.name)) {
        matchers.push(known);
        continue;
      }
      const value = this.#string(m.value);
      try {
        matchers.push(newMatcher(m.op, this.#text(m.name), value));
      } catch (e) {
        this.#err(ErrorKey.reduce(m.value.to), m.name.from, errorMessage(e));
      }
    }
    const name = raw.name ? this.#text(raw.name) : undefined;
    // Prometheus appends the name matcher last; check.ts relies on that order.
    if (name !== undefined) matchers.push(newMatcher('=', METRIC_NAME, name));
    return { kind: 'VectorSelector', name, matchers, offset: 0, pos: this.#pos(raw.from, raw.to) };
  }

  #aggregate(raw: Extract<Raw, { t: 'agg' }>, grouping: string[], args: Expr[]): Expr {
    const pos = this.#pos(raw.from, raw.to);
    const placeholder: NumberLiteral = { kind: 'NumberLiteral', value: 0, pos };
    // `sum(x)` is reduced only once the next token shows no `by`/`without` follows.
    const key = raw.hasModifier
      ? ErrorKey.reduce(raw.to)
      : ErrorKey.lookaheadReduce(this.lookahead(raw.to));
    if (args.length === 0) {
      this.#err(key, raw.from, 'no arguments for aggregate expression provided');
      return placeholder;
    }
    const want = PARAM_AGGREGATORS.has(raw.op) ? 2 : 1;
    if (args.length !== want) {
      this.#err(
        key,
        raw.from,
        `wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`,
      );
      return placeholder;
    }
    const agg: AggregateExpr = {
      kind: 'AggregateExpr',
      op: raw.op,
      expr: args[want - 1]!,
      param: want === 2 ? args[0] : undefined,
      grouping,
      without: raw.without,
      pos,
    };
    return agg;
  }

  #matrix(raw: Extract<Raw, { t: 'matrix' }>, inner: Expr): Expr {
    const range = this.#duration(raw.dur);
    let problem: string | undefined;
    if (inner.kind !== 'VectorSelector') problem = 'ranges only allowed for vector selectors';
    else if (inner.offset !== 0) problem = 'no offset modifiers allowed before range';
    else if (inner.timestamp !== undefined) problem = 'no @ modifiers allowed before range';
    if (problem) {
      this.#err(ErrorKey.reduce(raw.to), raw.lbracket, problem);
      if (inner.kind !== 'VectorSelector') return inner;
    }
    const ms: MatrixSelector = {
      kind: 'MatrixSelector',
      vectorSelector: inner as VectorSelector,
      range,
      pos: { start: inner.pos.start, end: this.toByte(raw.to) },
    };
    return ms;
  }

  #offset(raw: Extract<Raw, { t: 'offset' }>, e: Expr): Expr {
    const dur = this.#duration(raw.dur);
    const offset = raw.negative ? -dur : dur;
    const at = raw.expr.from;
    let target: Mutable<VectorSelector> | Mutable<SubqueryExpr>;
    if (e.kind === 'VectorSelector' || e.kind === 'SubqueryExpr') target = e as Mutable<typeof e>;
    else if (e.kind === 'MatrixSelector') target = e.vectorSelector as Mutable<VectorSelector>;
    else {
      this.#err(
        ErrorKey.reduce(raw.to),
        at,
        'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
      );
      return e;
    }
    if (target.offset !== 0)
      this.#err(ErrorKey.reduce(raw.to), at, 'offset may not be set multiple times');
    else target.offset = offset;
    (e as Mutable<typeof e>).pos = { start: e.pos.start, end: this.toByte(raw.to) };
    return e;
  }

  #at(raw: Extract<Raw, { t: 'at' }>, e: Expr): Expr {
    const at = raw.expr.from;
    let ts: number | undefined;
    if (raw.num) {
      const v = this.#number(raw.num.tok);
      ts = raw.num.negative ? -v : v;
      if (!Number.isFinite(ts) || ts >= TWO_POW_63 || ts <= -TWO_POW_63) {
        this.#err(
          ErrorKey.reduce(raw.to),
          at,
          `timestamp out of bounds for @ modifier: ${goFormatFloat(ts, 'f', 6)}`,
        );
      }
    }
    let target: Mutable<VectorSelector> | Mutable<SubqueryExpr>;
    if (e.kind === 'VectorSelector' || e.kind === 'SubqueryExpr') target = e as Mutable<typeof e>;
    else if (e.kind === 'MatrixSelector') target = e.vectorSelector as Mutable<VectorSelector>;
    else {
      this.#err(
        ErrorKey.reduce(raw.to),
        at,
        '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery',
      );
      return e;
    }
    if (target.timestamp !== undefined || target.startOrEnd !== undefined) {
      this.#err(ErrorKey.reduce(raw.to), at, '@ <timestamp> may not be set multiple times');
      return e;
    }
    if (ts !== undefined) target.timestamp = Number(goInt64(goRound(ts * 1000)));
    else target.startOrEnd = raw.preproc;
    (e as Mutable<typeof e>).pos = { start: e.pos.start, end: this.toByte(raw.to) };
    return e;
  }
}
