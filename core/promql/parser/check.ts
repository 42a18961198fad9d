/**
 * @module core/promql/parser/check — the type checker Prometheus runs after a clean parse
 * (parse.go `checkAST`, v2.42): operand and argument types, `bool` and set-operator rules, vector
 * matching rules, selector matcher rules. Errors use Prometheus's exact text; the first one found
 * in Prometheus's traversal order is thrown. It also finalises vector matching as Prometheus does:
 * set operators become many-to-many, and matching is dropped unless both sides are vectors.
 */
import type { BinaryExpr, Expr, PositionRange, ValueType, VectorMatching } from '../ast.ts';
import { assertNever } from '../ast.ts';
import { METRIC_NAME } from '../../labels/labels.ts';
import { goQuote } from '../../gocompat/quote.ts';
import { ParseError } from './errors.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const COMPARISON_OPS = new Set(['==', '!=', '>', '<', '>=', '<=']);
const SET_OPS = new Set(['and', 'or', 'unless']);

/** Prometheus's DocumentedType: the names users see in type errors. */
export function documentedType(t: ValueType): string {
  return t === 'vector' ? 'instant vector' : t === 'matrix' ? 'range vector' : t;
}

/** The type of a node that is not a binary operation or a wrapper (parens, unary, step-invariant). */
function leafType(e: Expr): ValueType {
  switch (e.kind) {
    case 'NumberLiteral':
      return 'scalar';
    case 'StringLiteral':
      return 'string';
    case 'VectorSelector':
    case 'AggregateExpr':
      return 'vector';
    case 'MatrixSelector':
    case 'SubqueryExpr':
      return 'matrix';
    case 'Call':
      return e.func.returnType;
    case 'BinaryExpr':
    case 'UnaryExpr':
    case 'ParenExpr':
    case 'StepInvariantExpr':
      throw new Error(`leafType: ${e.kind} is not a leaf`);
    default:
      return assertNever(e);
  }
}

/** `e` without the wrappers whose type is their operand's (parens, unary, step-invariant). */
function unwrapTyped(e: Expr): Expr {
  while (e.kind === 'ParenExpr' || e.kind === 'UnaryExpr' || e.kind === 'StepInvariantExpr')
    e = e.expr;
  return e;
}

/**
 * The static type of an expression (Prometheus `Expr.Type()`). A binary operation is a scalar
 * when every operand under it is; the operands are visited with a stack, not recursion.
 */
export function exprType(e: Expr): ValueType {
  const top = unwrapTyped(e);
  if (top.kind !== 'BinaryExpr') return leafType(top);
  const pending: Expr[] = [top];
  while (pending.length > 0) {
    const n = pending.pop()!;
    if (n.kind === 'BinaryExpr') {
      pending.push(unwrapTyped(n.rhs), unwrapTyped(n.lhs));
    } else if (leafType(n) !== 'scalar') return 'vector';
  }
  return 'scalar';
}

const isSpace = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/** Checks `expr` (whose positions are byte offsets into `query`); throws the first ParseError. */
export function checkAst(expr: Expr, query: string, bytes: Uint8Array): void {
  const fail = (pos: PositionRange | number, message: string): never => {
    throw new ParseError(query, typeof pos === 'number' ? pos : pos.start, message, bytes);
  };

  /** The check Prometheus makes on a child's type right after checking the child. */
  const expectType = (node: Expr, t: ValueType, want: ValueType, context: string): void => {
    if (t !== want)
      fail(
        node.pos,
        `expected type ${documentedType(want)} in ${context}, got ${documentedType(t)}`,
      );
  };

  /** Checks made on entering a node, before its children (Prometheus checks call arity first). */
  const enter = (node: Expr): void => {
    if (node.kind !== 'Call') return;
    const f = node.func;
    const nargs = f.argTypes.length;
    if (f.variadic === 0) {
      if (nargs !== node.args.length) {
        fail(
          node.pos,
          `expected ${nargs} argument(s) in call to ${goQuote(f.name)}, got ${node.args.length}`,
        );
      }
    } else {
      const na = nargs - 1;
      if (na > node.args.length) {
        fail(
          node.pos,
          `expected at least ${na} argument(s) in call to ${goQuote(f.name)}, got ${node.args.length}`,
        );
      } else if (f.variadic > 0 && na + f.variadic < node.args.length) {
        fail(
          node.pos,
          `expected at most ${na + f.variadic} argument(s) in call to ${goQuote(f.name)}, got ${node.args.length}`,
        );
      }
    }
  };

  /** The check on child `i` of `node` once the child's subtree is checked and its type known. */
  const afterChild = (node: Expr, i: number, child: Expr, t: ValueType): void => {
    if (node.kind === 'AggregateExpr') {
      if (i === 0) expectType(child, t, 'vector', 'aggregation expression');
      else if (node.op === 'count_values') expectType(child, t, 'string', 'aggregation parameter');
      else expectType(child, t, 'scalar', 'aggregation parameter');
    } else if (node.kind === 'Call') {
      const f = node.func;
      const nargs = f.argTypes.length;
      if (i >= nargs) {
        if (f.variadic === 0) return;
        i = nargs - 1;
      }
      expectType(child, t, f.argTypes[i]!, `call to function ${goQuote(f.name)}`);
    }
  };

  /** Checks made on leaving a node (children done); returns its type. */
  const leave = (node: Expr, types: readonly ValueType[]): ValueType => {
    switch (node.kind) {
      case 'BinaryExpr': {
        const lt = types[0]!;
        const rt = types[1]!;
        checkBinary(node, lt, rt);
        return lt === 'scalar' && rt === 'scalar' ? 'scalar' : 'vector';
      }
      case 'ParenExpr':
      case 'StepInvariantExpr':
        return types[0]!;
      case 'UnaryExpr': {
        const t = types[0]!;
        if (t !== 'scalar' && t !== 'vector') {
          fail(
            node.pos,
            `unary expression only allowed on expressions of type scalar or instant vector, got ${goQuote(documentedType(t))}`,
          );
        }
        return t;
      }
      case 'SubqueryExpr': {
        const t = types[0]!;
        if (t !== 'vector')
          fail(node.pos, `subquery is only allowed on instant vector, got ${t} instead`);
        return 'matrix';
      }
      case 'VectorSelector':
        if (node.name !== undefined) {
          // The name matcher is last; any other __name__ matcher sets the name twice.
          for (const m of node.matchers.slice(0, -1)) {
            if (m.name === METRIC_NAME)
              fail(
                node.pos,
                `metric name must not be set twice: ${goQuote(node.name)} or ${goQuote(m.value)}`,
              );
          }
        } else if (!node.matchers.some((m) => !m.matches(''))) {
          fail(node.pos, 'vector selector must contain at least one non-empty matcher');
        }
        return 'vector';
      case 'AggregateExpr':
      case 'Call':
      case 'MatrixSelector':
      case 'NumberLiteral':
      case 'StringLiteral':
        return leafType(node);
      default:
        return assertNever(node);
    }
  };

  const checkBinary = (n: BinaryExpr, lt: ValueType, rt: ValueType): void => {
    // The operator's position: from the end of lhs to the start of rhs, trimmed of spaces.
    const opStart = (): number => {
      let s = n.lhs.pos.end;
      while (s < bytes.length && isSpace(bytes[s]!)) s++;
      return s;
    };
    const isComparison = COMPARISON_OPS.has(n.op);
    const isSet = SET_OPS.has(n.op);
    const vm = n.matching as Mutable<VectorMatching> | undefined;

    if (n.returnBool && !isComparison)
      fail(opStart(), 'bool modifier can only be used on comparison operators');
    if (isComparison && !n.returnBool && lt === 'scalar' && rt === 'scalar') {
      fail(opStart(), 'comparisons between scalars must use BOOL modifier');
    }
    if (vm && isSet && vm.card === 'one-to-one') vm.card = 'many-to-many';
    if (vm && vm.on) {
      for (const l1 of vm.matchingLabels) {
        if (vm.include.includes(l1))
          fail(opStart(), `label ${goQuote(l1)} must not occur in ON and GROUP clause at once`);
      }
    }
    if (lt !== 'scalar' && lt !== 'vector')
      fail(n.lhs.pos, 'binary expression must contain only scalar and instant vector types');
    if (rt !== 'scalar' && rt !== 'vector')
      fail(n.rhs.pos, 'binary expression must contain only scalar and instant vector types');

    if ((lt !== 'vector' || rt !== 'vector') && vm) {
      if (vm.matchingLabels.length > 0)
        fail(n.pos, 'vector matching only allowed between instant vectors');
      (n as Mutable<BinaryExpr>).matching = undefined;
    } else if (vm && isSet) {
      if (vm.card === 'one-to-many' || vm.card === 'many-to-one')
        fail(n.pos, `no grouping allowed for ${goQuote(n.op)} operation`);
      if (vm.card !== 'many-to-many') fail(n.pos, 'set operations must always be many-to-many');
    }
    if ((lt === 'scalar' || rt === 'scalar') && isSet) {
      fail(n.pos, `set operator ${goQuote(n.op)} not allowed in binary scalar expression`);
    }
  };

  // Prometheus's checkAST order (children first, left to right) with an explicit stack.
  const stack: CheckFrame[] = [];
  const push = (node: Expr): void => {
    enter(node);
    stack.push({ node, kids: checkedChildren(node), types: [] });
  };
  push(expr);
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.types.length < f.kids.length) {
      push(f.kids[f.types.length]!);
      continue;
    }
    stack.pop();
    const t = leave(f.node, f.types);
    const parent = stack[stack.length - 1];
    if (parent === undefined) return;
    const i = parent.types.length;
    afterChild(parent.node, i, f.node, t);
    parent.types.push(t);
  }
}

interface CheckFrame {
  readonly node: Expr;
  readonly kids: readonly Expr[];
  readonly types: ValueType[];
}

/** The children Prometheus's checkAST visits, in its order (an aggregation's parameter last). */
function checkedChildren(node: Expr): readonly Expr[] {
  switch (node.kind) {
    case 'AggregateExpr':
      return node.op === 'topk' ||
        node.op === 'bottomk' ||
        node.op === 'quantile' ||
        node.op === 'count_values'
        ? [node.expr, node.param!]
        : [node.expr];
    case 'BinaryExpr':
      return [node.lhs, node.rhs];
    case 'Call':
      return node.args;
    case 'ParenExpr':
    case 'StepInvariantExpr':
    case 'UnaryExpr':
    case 'SubqueryExpr':
      return [node.expr];
    case 'MatrixSelector':
      return [node.vectorSelector];
    case 'VectorSelector':
    case 'NumberLiteral':
    case 'StringLiteral':
      return [];
    default:
      return assertNever(node);
  }
}
