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

/** The static type of an expression (Prometheus `Expr.Type()`). */
export function exprType(e: Expr): ValueType {
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
      return exprType(e.lhs) === 'scalar' && exprType(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'UnaryExpr':
    case 'ParenExpr':
    case 'StepInvariantExpr':
      return exprType(e.expr);
    default:
      return assertNever(e);
  }
}

const isSpace = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/** Checks `expr` (whose positions are byte offsets into `query`); throws the first ParseError. */
export function checkAst(expr: Expr, query: string, bytes: Uint8Array): void {
  const fail = (pos: PositionRange | number, message: string): never => {
    throw new ParseError(query, typeof pos === 'number' ? pos : pos.start, message, bytes);
  };

  const expectType = (node: Expr, want: ValueType, context: string): void => {
    const t = check(node);
    if (t !== want)
      fail(
        node.pos,
        `expected type ${documentedType(want)} in ${context}, got ${documentedType(t)}`,
      );
  };

  const check = (node: Expr): ValueType => {
    const typ = exprType(node);
    switch (node.kind) {
      case 'AggregateExpr':
        expectType(node.expr, 'vector', 'aggregation expression');
        if (node.op === 'topk' || node.op === 'bottomk' || node.op === 'quantile') {
          expectType(node.param!, 'scalar', 'aggregation parameter');
        }
        if (node.op === 'count_values') expectType(node.param!, 'string', 'aggregation parameter');
        break;

      case 'BinaryExpr':
        checkBinary(node);
        break;

      case 'Call': {
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
        node.args.forEach((arg, i) => {
          if (i >= nargs) {
            if (f.variadic === 0) return;
            i = nargs - 1;
          }
          expectType(arg, f.argTypes[i]!, `call to function ${goQuote(f.name)}`);
        });
        break;
      }

      case 'ParenExpr':
      case 'StepInvariantExpr':
        check(node.expr);
        break;

      case 'UnaryExpr': {
        const t = check(node.expr);
        if (t !== 'scalar' && t !== 'vector') {
          fail(
            node.pos,
            `unary expression only allowed on expressions of type scalar or instant vector, got ${goQuote(documentedType(t))}`,
          );
        }
        break;
      }

      case 'SubqueryExpr': {
        const t = check(node.expr);
        if (t !== 'vector')
          fail(node.pos, `subquery is only allowed on instant vector, got ${t} instead`);
        break;
      }

      case 'MatrixSelector':
        check(node.vectorSelector);
        break;

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
          break;
        }
        if (!node.matchers.some((m) => !m.matches(''))) {
          fail(node.pos, 'vector selector must contain at least one non-empty matcher');
        }
        break;

      case 'NumberLiteral':
      case 'StringLiteral':
        break;

      default:
        assertNever(node);
    }
    return typ;
  };

  const checkBinary = (n: BinaryExpr): void => {
    const lt = check(n.lhs);
    const rt = check(n.rhs);
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

  check(expr);
}
