/**
 * @module core/promql/parser/structure — Prometheus tokens → raw tree, with explicit stacks.
 *
 * Lezer stops at its own limits on deep or long input: past ~2,800 nested frames it force-reduces
 * (10,000 `(` or 1,400 `sum(` become false syntax errors), and after 300 large left-associative
 * reductions it cuts a chain (`up+up+…` with ~800 terms). Prometheus's yacc parser has neither
 * limit. This parser reads the same token stream with an operator-precedence loop whose depth
 * lives in arrays, so time and stack stay linear/constant in the query length. It is
 * conservative: it accepts only shapes whose raw tree it knows to equal the lezer path's
 * (tree.ts), and returns a rejection for anything else, so the caller can let the lezer path
 * (and its Prometheus-exact error messages) decide.
 */
import type { AggregateOp, BinaryOp } from '../ast.ts';
import type { MatchType } from '../../labels/matcher.ts';
import { isAggregatorToken, type Token, type TokenType } from './lexer.ts';
import type { Raw, RawMatcher, RawMatching, Span } from './tree.ts';

/** The structure parser's answer: a raw tree, or the index of the token it could not accept. */
export type StructureResult =
  { readonly ok: true; readonly raw: Raw } | { readonly ok: false; readonly at: number };

const BINARY: Readonly<Partial<Record<TokenType, BinaryOp>>> = {
  POW: '^',
  MUL: '*',
  DIV: '/',
  MOD: '%',
  ATAN2: 'atan2',
  ADD: '+',
  SUB: '-',
  EQLC: '==',
  NEQ: '!=',
  GTE: '>=',
  GTR: '>',
  LTE: '<=',
  LSS: '<',
  LAND: 'and',
  LUNLESS: 'unless',
  LOR: 'or',
};

/** Prometheus's precedence levels (generated_parser.y, lowest first); `^` is right-associative. */
const PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '<': 3,
  '<=': 3,
  '>': 3,
  '>=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  atan2: 5,
  '^': 6,
};
/** `unary_expr` is `%prec MUL`: it takes `^` into its operand and nothing looser. */
const UNARY_PRECEDENCE = 5;

const MATCH_OPS: Readonly<Partial<Record<TokenType, MatchType>>> = {
  EQL: '=',
  NEQ: '!=',
  EQL_REGEX: '=~',
  NEQ_REGEX: '!~',
};

type PendingOp =
  | {
      readonly t: 'bin';
      readonly op: BinaryOp;
      readonly returnBool: boolean;
      readonly matching: RawMatching | undefined;
    }
  | { readonly t: 'unary'; readonly op: '+' | '-'; readonly from: number };

/** An open `(`: a parenthesised expression, a function call or an aggregation body. */
type Group =
  | { readonly t: 'paren'; readonly from: number; readonly base: number; readonly opBase: number }
  | {
      readonly t: 'call';
      readonly from: number;
      readonly name: Span;
      readonly args: Raw[];
      readonly base: number;
      readonly opBase: number;
    }
  | {
      readonly t: 'agg';
      readonly from: number;
      readonly op: AggregateOp;
      readonly without: boolean;
      readonly hasModifier: boolean;
      readonly labels: readonly Span[];
      readonly args: Raw[];
      readonly base: number;
      readonly opBase: number;
    };

/** Thrown inside the parser to reject at a token index; never escapes parseStructure. */
class Reject {
  constructor(readonly at: number) {}
}

/**
 * Parses `code` (the lexer's tokens, comments removed, no lexical error) into a raw tree shaped
 * like tree.ts's, or returns where it gave up.
 */
export function parseStructure(code: readonly Token[]): StructureResult {
  try {
    return { ok: true, raw: new StructureParser(code).parse() };
  } catch (e) {
    if (e instanceof Reject) return { ok: false, at: e.at };
    throw e;
  }
}

class StructureParser {
  readonly #code: readonly Token[];
  #i = 0;
  readonly #operands: Raw[] = [];
  readonly #ops: PendingOp[] = [];
  readonly #groups: Group[] = [];

  constructor(code: readonly Token[]) {
    this.#code = code;
  }

  #peek(k = 0): Token | undefined {
    return this.#code[this.#i + k];
  }

  #type(k = 0): TokenType | 'EOF' {
    return this.#code[this.#i + k]?.type ?? 'EOF';
  }

  #expect(type: TokenType): Token {
    const t = this.#code[this.#i];
    if (t === undefined || t.type !== type) throw new Reject(this.#i);
    this.#i++;
    return t;
  }

  parse(): Raw {
    for (;;) {
      this.#operand();
      for (;;) {
        if (this.#postfix()) continue;
        const t = this.#peek();
        if (t === undefined) return this.#finish();
        const op = BINARY[t.type];
        if (op !== undefined) {
          this.#i++;
          this.#binary(op);
          break;
        }
        if (t.type === 'COMMA') {
          this.#comma();
          break;
        }
        if (t.type === 'RIGHT_PAREN') {
          this.#close();
          continue;
        }
        throw new Reject(this.#i);
      }
    }
  }

  /** Reads prefix operators and one primary expression (opening groups as needed). */
  #operand(): void {
    for (;;) {
      const t = this.#peek();
      if (t === undefined) throw new Reject(this.#i);
      switch (t.type) {
        case 'ADD':
        case 'SUB':
          this.#i++;
          this.#ops.push({ t: 'unary', op: t.type === 'SUB' ? '-' : '+', from: t.start });
          continue;
        case 'NUMBER':
          this.#i++;
          this.#operands.push({ t: 'num', from: t.start, to: t.end, tok: span(t) });
          return;
        case 'STRING':
          this.#i++;
          this.#operands.push({ t: 'str', from: t.start, to: t.end });
          return;
        case 'LEFT_PAREN':
          this.#i++;
          this.#groups.push({ t: 'paren', from: t.start, ...this.#bases() });
          if (this.#type() === 'RIGHT_PAREN') throw new Reject(this.#i);
          continue;
        case 'IDENTIFIER':
          if (this.#type(1) === 'LEFT_PAREN') {
            this.#i += 2;
            const group: Group = {
              t: 'call',
              from: t.start,
              name: span(t),
              args: [],
              ...this.#bases(),
            };
            if (this.#type() === 'RIGHT_PAREN') {
              this.#i++;
              this.#operands.push(this.#closeGroup(group, this.#code[this.#i - 1]!.end));
              return;
            }
            this.#groups.push(group);
            continue;
          }
          this.#operands.push(this.#selector(t));
          return;
        case 'METRIC_IDENTIFIER':
          if (this.#type(1) === 'LEFT_PAREN') throw new Reject(this.#i + 1);
          this.#operands.push(this.#selector(t));
          return;
        case 'LEFT_BRACE':
          this.#operands.push(this.#selector(undefined));
          return;
        default:
          if (!isAggregatorToken(t.type)) throw new Reject(this.#i);
          if (this.#aggregation(t)) return;
          continue;
      }
    }
  }

  #bases(): { base: number; opBase: number } {
    return { base: this.#operands.length, opBase: this.#ops.length };
  }

  /** `sum [by|without (…)] (` — opens the body; true when the body was empty and is closed. */
  #aggregation(t: Token): boolean {
    this.#i++;
    let labels: readonly Span[] = [];
    let without = false;
    let hasModifier = false;
    const mod = this.#type();
    if (mod === 'BY' || mod === 'WITHOUT') {
      this.#i++;
      hasModifier = true;
      without = mod === 'WITHOUT';
      labels = this.#groupingLabels();
    }
    this.#expect('LEFT_PAREN');
    const group: Group = {
      t: 'agg',
      from: t.start,
      op: t.text.toLowerCase() as AggregateOp,
      without,
      hasModifier,
      labels,
      args: [],
      ...this.#bases(),
    };
    if (this.#type() === 'RIGHT_PAREN') {
      this.#i++;
      this.#operands.push(this.#closeGroup(group, this.#code[this.#i - 1]!.end));
      return true;
    }
    this.#groups.push(group);
    return false;
  }

  /** `( label, … )` with plain identifiers only (keywords as labels go to the lezer path). */
  #groupingLabels(): Span[] {
    this.#expect('LEFT_PAREN');
    const labels: Span[] = [];
    if (this.#type() === 'RIGHT_PAREN') {
      this.#i++;
      return labels;
    }
    for (;;) {
      labels.push(span(this.#expect('IDENTIFIER')));
      if (this.#type() === 'COMMA') {
        this.#i++;
        continue;
      }
      this.#expect('RIGHT_PAREN');
      return labels;
    }
  }

  /** `name`, `name{…}` or `{…}`; `name` is the identifier token already seen (not consumed). */
  #selector(name: Token | undefined): Raw {
    const from = name ? name.start : this.#peek()!.start;
    if (name) this.#i++;
    if (this.#type() !== 'LEFT_BRACE') {
      return { t: 'vs', from, to: name!.end, name: span(name!), matchers: [] };
    }
    this.#i++;
    const matchers: RawMatcher[] = [];
    if (this.#type() !== 'RIGHT_BRACE') {
      for (;;) {
        const label = this.#expect('IDENTIFIER');
        const opTok = this.#peek();
        const op = opTok ? MATCH_OPS[opTok.type] : undefined;
        if (op === undefined) throw new Reject(this.#i);
        this.#i++;
        const value = this.#expect('STRING');
        matchers.push({
          from: label.start,
          to: value.end,
          name: span(label),
          op,
          value: span(value),
        });
        if (this.#type() === 'COMMA') {
          this.#i++;
          continue;
        }
        break;
      }
    }
    const close = this.#expect('RIGHT_BRACE');
    return { t: 'vs', from, to: close.end, name: name ? span(name) : undefined, matchers };
  }

  /** Postfix modifiers bind to the nearest operand (the top of the stack); false when none. */
  #postfix(): boolean {
    const t = this.#peek();
    if (t === undefined) return false;
    if (t.type === 'LEFT_BRACKET') {
      this.#i++;
      const dur = span(this.#expect('DURATION'));
      if (this.#type() === 'COLON') {
        this.#i++;
        const step = this.#type() === 'DURATION' ? span(this.#expect('DURATION')) : undefined;
        const close = this.#expect('RIGHT_BRACKET');
        const e = this.#operands.pop()!;
        this.#operands.push({
          t: 'subquery',
          from: e.from,
          to: close.end,
          expr: e,
          range: dur,
          step,
        });
        return true;
      }
      const close = this.#expect('RIGHT_BRACKET');
      const e = this.#operands.pop()!;
      this.#operands.push({
        t: 'matrix',
        from: e.from,
        to: close.end,
        expr: e,
        lbracket: t.start,
        dur,
      });
      return true;
    }
    if (t.type === 'OFFSET') {
      this.#i++;
      const negative = this.#type() === 'SUB';
      if (negative) this.#i++;
      const dur = this.#expect('DURATION');
      const e = this.#operands.pop()!;
      this.#operands.push({
        t: 'offset',
        from: e.from,
        to: dur.end,
        expr: e,
        negative,
        dur: span(dur),
      });
      return true;
    }
    if (t.type === 'AT') {
      this.#i++;
      const next = this.#type();
      let num: { negative: boolean; tok: Span } | undefined;
      let preproc: 'start' | 'end' | undefined;
      let to: number;
      if (next === 'START' || next === 'END') {
        this.#i++;
        this.#expect('LEFT_PAREN');
        to = this.#expect('RIGHT_PAREN').end;
        preproc = next === 'START' ? 'start' : 'end';
      } else {
        const negative = next === 'SUB';
        if (next === 'SUB' || next === 'ADD') this.#i++;
        const n = this.#expect('NUMBER');
        num = { negative, tok: span(n) };
        to = n.end;
      }
      const e = this.#operands.pop()!;
      this.#operands.push({ t: 'at', from: e.from, to, expr: e, num, preproc });
      return true;
    }
    return false;
  }

  /** An infix operator (already consumed) with its `bool` / `on` / `group_left` modifiers. */
  #binary(op: BinaryOp): void {
    let returnBool = false;
    if (this.#type() === 'BOOL') {
      this.#i++;
      returnBool = true;
    }
    let matching: RawMatching | undefined;
    const onType = this.#type();
    if (onType === 'ON' || onType === 'IGNORING') {
      this.#i++;
      const labels = this.#groupingLabels();
      let card: RawMatching['card'] = 'one-to-one';
      let include: Span[] = [];
      const g = this.#type();
      if (g === 'GROUP_LEFT' || g === 'GROUP_RIGHT') {
        this.#i++;
        card = g === 'GROUP_LEFT' ? 'many-to-one' : 'one-to-many';
        if (this.#type() === 'LEFT_PAREN') include = this.#groupingLabels();
      }
      matching = { on: onType === 'ON', labels, card, include };
    }
    const p = PRECEDENCE[op];
    this.#reduceWhile((top) =>
      top.t === 'unary'
        ? UNARY_PRECEDENCE >= p
        : PRECEDENCE[top.op] > p || (PRECEDENCE[top.op] === p && op !== '^'),
    );
    this.#ops.push({ t: 'bin', op, returnBool, matching });
  }

  /** Applies pending operators above the innermost group while `take` says so. */
  #reduceWhile(take: (top: PendingOp) => boolean): void {
    const opBase = this.#groups.at(-1)?.opBase ?? 0;
    while (this.#ops.length > opBase) {
      const top = this.#ops[this.#ops.length - 1]!;
      if (!take(top)) return;
      this.#ops.pop();
      if (top.t === 'unary') {
        const expr = this.#operands.pop()!;
        this.#operands.push({
          t: 'unary',
          from: top.from,
          to: expr.to,
          op: top.op,
          expr,
          signedLiteral: false,
        });
      } else {
        const rhs = this.#operands.pop()!;
        const lhs = this.#operands.pop()!;
        this.#operands.push({
          t: 'bin',
          from: lhs.from,
          to: rhs.to,
          op: top.op,
          returnBool: top.returnBool,
          matching: top.matching,
          lhs,
          rhs,
        });
      }
    }
  }

  /** The innermost group's current argument, complete. */
  #argument(group: Group): Raw {
    this.#reduceWhile(() => true);
    if (this.#operands.length !== group.base + 1) throw new Reject(this.#i);
    return this.#operands.pop()!;
  }

  #comma(): void {
    const group = this.#groups.at(-1);
    if (group === undefined || group.t === 'paren') throw new Reject(this.#i);
    group.args.push(this.#argument(group));
    this.#i++;
    // Prometheus rejects a trailing comma in calls; the lezer path words that error.
    if (this.#type() === 'RIGHT_PAREN') throw new Reject(this.#i);
  }

  #close(): void {
    const group = this.#groups.at(-1);
    if (group === undefined) throw new Reject(this.#i);
    const arg = this.#argument(group);
    this.#groups.pop();
    const close = this.#expect('RIGHT_PAREN');
    if (group.t === 'paren') {
      this.#operands.push({ t: 'paren', from: group.from, to: close.end, expr: arg });
      return;
    }
    group.args.push(arg);
    this.#operands.push(this.#closeGroup(group, close.end));
  }

  /** A call or aggregation whose `)` ends at `end` (an aggregation may take `by (…)` after it). */
  #closeGroup(group: Exclude<Group, { t: 'paren' }>, end: number): Raw {
    if (group.t === 'call')
      return { t: 'call', from: group.from, to: end, name: group.name, args: group.args };
    let { without, hasModifier, labels } = group;
    let to = end;
    const mod = this.#type();
    if (!hasModifier && (mod === 'BY' || mod === 'WITHOUT')) {
      this.#i++;
      without = mod === 'WITHOUT';
      hasModifier = true;
      labels = this.#groupingLabels();
      to = this.#code[this.#i - 1]!.end;
    }
    return {
      t: 'agg',
      from: group.from,
      to,
      op: group.op,
      without,
      hasModifier,
      labels,
      args: group.args,
    };
  }

  #finish(): Raw {
    if (this.#groups.length > 0) throw new Reject(this.#i);
    this.#reduceWhile(() => true);
    if (this.#operands.length !== 1) throw new Reject(this.#i);
    return this.#operands[0]!;
  }
}

const span = (t: Token): Span => ({ from: t.start, to: t.end });
