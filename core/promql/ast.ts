/**
 * @module core/promql/ast — the typed PromQL syntax tree (Prometheus promql/parser/ast.go nouns).
 * The parser (lezer tree → this AST) and the engine share it. Times and durations are milliseconds.
 */
import type { Matcher } from '../labels/matcher.ts';

/** Prometheus parser.ValueType names, as they appear in type errors. */
export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

/** Byte offsets into the query text, [start, end). Errors report them as Prometheus does. */
export interface PositionRange {
  readonly start: number;
  readonly end: number;
}

export type AggregateOp =
  | 'sum'
  | 'avg'
  | 'count'
  | 'min'
  | 'max'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'count_values'
  | 'quantile';

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

export type VectorMatchCardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

export interface VectorMatching {
  readonly card: VectorMatchCardinality;
  /** Labels of `on(...)` or `ignoring(...)`. */
  readonly matchingLabels: readonly string[];
  /** True for `on(...)`, false for `ignoring(...)` or no clause. */
  readonly on: boolean;
  /** Extra labels of `group_left(...)` / `group_right(...)`. */
  readonly include: readonly string[];
}

/** `@ <ts>` / `@ start()` / `@ end()` modifier, shared by selectors and subqueries. */
export interface AtModifier {
  /** Fixed evaluation time in ms, when `@ <number>`. */
  readonly timestamp?: number;
  /** When `@ start()` or `@ end()`; resolved by the engine from the query range. */
  readonly startOrEnd?: 'start' | 'end';
}

export interface NumberLiteral {
  readonly kind: 'NumberLiteral';
  readonly value: number;
  readonly pos: PositionRange;
}

export interface StringLiteral {
  readonly kind: 'StringLiteral';
  readonly value: string;
  readonly pos: PositionRange;
}

export interface VectorSelector extends AtModifier {
  readonly kind: 'VectorSelector';
  /** Metric name when written as `name{...}`; also present as a `__name__` matcher in `matchers`. */
  readonly name: string | undefined;
  readonly matchers: readonly Matcher[];
  /** `offset` in ms (negative allowed). */
  readonly offset: number;
  readonly pos: PositionRange;
}

export interface MatrixSelector {
  readonly kind: 'MatrixSelector';
  readonly vectorSelector: VectorSelector;
  /** Range in ms. */
  readonly range: number;
  readonly pos: PositionRange;
}

export interface SubqueryExpr extends AtModifier {
  readonly kind: 'SubqueryExpr';
  readonly expr: Expr;
  /** Range in ms. */
  readonly range: number;
  /** Resolution in ms; 0 means the engine's default evaluation interval. */
  readonly step: number;
  readonly offset: number;
  readonly pos: PositionRange;
}

/** A function signature from the function table (Prometheus parser/functions.go). */
export interface FunctionSignature {
  readonly name: string;
  readonly argTypes: readonly ValueType[];
  /** 0: exactly argTypes; -1: the last arg may repeat any number of times; n>0: up to n optional trailing args. */
  readonly variadic: number;
  readonly returnType: ValueType;
}

export interface Call {
  readonly kind: 'Call';
  readonly func: FunctionSignature;
  readonly args: readonly Expr[];
  readonly pos: PositionRange;
}

export interface AggregateExpr {
  readonly kind: 'AggregateExpr';
  readonly op: AggregateOp;
  readonly expr: Expr;
  /** Parameter of topk, bottomk, quantile (number) and count_values (string). */
  readonly param: Expr | undefined;
  readonly grouping: readonly string[];
  readonly without: boolean;
  readonly pos: PositionRange;
}

export interface BinaryExpr {
  readonly kind: 'BinaryExpr';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  /** Present when both sides are vectors. Set operators are always many-to-many. */
  readonly matching: VectorMatching | undefined;
  /** `bool` modifier of comparison operators. */
  readonly returnBool: boolean;
  readonly pos: PositionRange;
}

export interface UnaryExpr {
  readonly kind: 'UnaryExpr';
  readonly op: '+' | '-';
  readonly expr: Expr;
  readonly pos: PositionRange;
}

export interface ParenExpr {
  readonly kind: 'ParenExpr';
  readonly expr: Expr;
  readonly pos: PositionRange;
}

/** Marks a subtree whose value is the same at every step (Prometheus's PreprocessExpr wraps these). */
export interface StepInvariantExpr {
  readonly kind: 'StepInvariantExpr';
  readonly expr: Expr;
  readonly pos: PositionRange;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | Call
  | AggregateExpr
  | BinaryExpr
  | UnaryExpr
  | ParenExpr
  | StepInvariantExpr;

/** Every child of `e`, in Prometheus's `Children()` walk order (an aggregation's parameter first). */
export function exprChildren(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'AggregateExpr':
      return e.param !== undefined ? [e.param, e.expr] : [e.expr];
    case 'BinaryExpr':
      return [e.lhs, e.rhs];
    case 'Call':
      return e.args;
    case 'MatrixSelector':
      return [e.vectorSelector];
    case 'SubqueryExpr':
    case 'ParenExpr':
    case 'UnaryExpr':
    case 'StepInvariantExpr':
      return [e.expr];
    case 'VectorSelector':
    case 'NumberLiteral':
    case 'StringLiteral':
      return [];
    default:
      return assertNever(e);
  }
}

export function assertNever(x: never): never {
  throw new Error(`unexpected node: ${JSON.stringify(x)}`);
}
