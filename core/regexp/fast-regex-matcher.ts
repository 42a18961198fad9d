/**
 * @module core/regexp/fast-regex-matcher — Prometheus's FastRegexMatcher: a label regex, fully anchored as
 * `^(?:re)$`, with shortcuts that skip the regex engine for the common shapes (literal, set of
 * literals `a|b|c`, prefix `foo.*`, suffix `.*foo`, `.*`, `.+`). Shortcuts are chosen from the
 * parse tree, never from the pattern text, so `(?s)`, `(?i)` and escapes cannot fool them.
 */
import { Re2Nfa } from './nfa.ts';
import { BadDataError } from '../errors.ts';
import { type Re2Node, children } from './ast.ts';
import { backtrackInputLimit, backtrackRisk } from './risk.ts';
import { checkRegexLength, progSize } from './limits.ts';
import { parseRe2 } from './parse.ts';
import { jsRegExp, re2TreeToSource } from './translate.ts';

/**
 * Above this many UTF-16 units, a pattern with two choice points (`.*a.*b`, quadratic
 * backtracking) runs on the linear-time NFA instead of the JS engine; with k choice points the
 * bound is LONG_INPUT^(2/k) (risk.ts backtrackInputLimit), so `a?a?…a?aaa…` (degree 60) never
 * reaches the JS engine with more than one character.
 */
export const LONG_INPUT = 1024;

/** Translations longer than this are not handed to the JS engine; the NFA answers instead. */
export const MAX_JS_SOURCE = 1 << 20;

/** NFA programs above this many instructions would cost too much memory in an isolate. */
export const MAX_NFA_SIZE = 200_000;

/** `.*`-like middle: any run of code points, with or without `\n`, of at least `min` of them. */
interface AnyRun {
  readonly nl: boolean;
  readonly min: 0 | 1;
}

/** How a compiled matcher decides; exposed for tests and query planning. */
export type FastPath =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'set'; readonly values: ReadonlySet<string> }
  | {
      readonly kind: 'affix';
      readonly prefix: string;
      readonly suffix: string;
      readonly any: AnyRun;
    }
  /** `.*lit.*`-like: `lit` somewhere, with runs of at least `left.min` / `right.min` around it. */
  | {
      readonly kind: 'contains';
      readonly lit: string;
      readonly left: AnyRun;
      readonly right: AnyRun;
    }
  | { readonly kind: 'regexp' };

export class FastRegexMatcher {
  readonly source: string;
  readonly fastPath: FastPath;
  /**
   * Which engine answers regexp-path matches: `js` (backtracking, fastest), `nfa` (linear time,
   * always: nested repeats like `(a+)+` that backtrack exponentially, or a translation too big for
   * the JS engine), or `js+nfa` (JS for inputs up to `jsMaxInput`, NFA beyond). Undefined on a
   * fast path.
   */
  readonly engine: 'js' | 'nfa' | 'js+nfa' | undefined;
  /** The longest input the JS engine answers for `js+nfa`. */
  readonly jsMaxInput: number = Infinity;
  readonly #re: RegExp | undefined;
  readonly #nfa: Re2Nfa | undefined;

  /** Throws Re2SyntaxError (a BadDataError) with Go's message where Prometheus 2.42 would. */
  constructor(source: string) {
    this.source = source;
    checkRegexLength(source);
    // Prometheus compiles "^(?:" + v + ")$" and also parses v alone; both must succeed, and the
    // wrapped one is reported first (so `a)|(b` fails on the second parse, `(a` on the first).
    parseRe2(`^(?:${source})$`);
    const tree = parseRe2(source);
    this.fastPath = analyse(tree);
    if (this.fastPath.kind !== 'regexp') return;
    const risk = backtrackRisk(tree);
    const src = re2TreeToSource(tree, MAX_JS_SOURCE);
    const nfaOk = progSize(tree) <= MAX_NFA_SIZE;
    if (src === undefined && !nfaOk) {
      throw new BadDataError(
        `regexp ${JSON.stringify(source.length > 80 ? `${source.slice(0, 80)}…` : source)} is valid but too large to run here`,
      );
    }
    if (src === undefined) this.engine = 'nfa';
    else if (!nfaOk) this.engine = 'js';
    else {
      this.jsMaxInput = backtrackInputLimit(risk, LONG_INPUT);
      this.engine = this.jsMaxInput === 0 ? 'nfa' : this.jsMaxInput === Infinity ? 'js' : 'js+nfa';
    }
    // Built even when the NFA answers: a pattern we cannot translate is refused, never guessed.
    if (src !== undefined) this.#re = jsRegExp(`^(?:${src})$`, source);
    if (this.engine !== 'js') this.#nfa = new Re2Nfa(tree);
  }

  matchString(s: string): boolean {
    const f = this.fastPath;
    switch (f.kind) {
      case 'literal':
        return s === f.value;
      case 'set':
        return f.values.has(s);
      case 'affix': {
        const { prefix, suffix, any } = f;
        if (s.length < prefix.length + suffix.length + any.min) return false;
        if (!s.startsWith(prefix) || !s.endsWith(suffix)) return false;
        if (any.nl) return true;
        const nl = s.indexOf('\n', prefix.length);
        return nl < 0 || nl >= s.length - suffix.length;
      }
      case 'contains': {
        const { lit, left, right } = f;
        // Both runs share `nl` and lit has no \n (see analyse): without (?s) no \n anywhere.
        if (!left.nl && s.includes('\n')) return false;
        const last = s.length - lit.length - right.min;
        for (let i = s.indexOf(lit, left.min); i >= 0 && i <= last; i = s.indexOf(lit, i + 1))
          return true;
        return false;
      }
      case 'regexp':
        if (this.engine === 'nfa' || (this.engine === 'js+nfa' && s.length > this.jsMaxInput))
          return this.#nfa!.match(s);
        return this.#re!.test(s);
    }
  }
}

function unwrap(n: Re2Node): Re2Node {
  while (n.op === 'capture') n = n.sub;
  return n;
}

/** The exact string a case-sensitive literal node sequence matches, or undefined. */
function literalString(n: Re2Node): string | undefined {
  n = unwrap(n);
  if (n.op === 'empty') return '';
  if (n.op === 'literal') return n.fold ? undefined : String.fromCodePoint(n.cp);
  if (n.op === 'concat') {
    let out = '';
    for (const sub of n.subs) {
      const lit = literalString(sub);
      if (lit === undefined) return undefined;
      out += lit;
    }
    return out;
  }
  return undefined;
}

function anyRun(n: Re2Node): AnyRun | undefined {
  n = unwrap(n);
  if (n.op !== 'repeat' || n.max !== -1 || n.min > 1) return undefined;
  const sub = unwrap(n.sub);
  if (sub.op !== 'any') return undefined;
  return { nl: sub.nl, min: n.min as 0 | 1 };
}

function analyse(tree: Re2Node): FastPath {
  const t = unwrap(tree);
  const lit = literalString(t);
  if (lit !== undefined) return { kind: 'literal', value: lit };
  if (t.op === 'alternate') {
    const values = new Set<string>();
    for (const sub of t.subs) {
      const v = literalString(sub);
      if (v === undefined) return { kind: 'regexp' };
      values.add(v);
    }
    return { kind: 'set', values };
  }
  const run = anyRun(t);
  if (run) return { kind: 'affix', prefix: '', suffix: '', any: run };
  if (t.op === 'concat' && t.subs.length >= 3) {
    const left = anyRun(t.subs[0]!);
    const right = anyRun(t.subs[t.subs.length - 1]!);
    const lit = literalString({ op: 'concat', subs: t.subs.slice(1, -1) });
    if (
      left &&
      right &&
      lit !== undefined &&
      lit !== '' &&
      left.nl === right.nl &&
      (left.nl || !lit.includes('\n'))
    ) {
      return { kind: 'contains', lit, left, right };
    }
  }
  if (t.op === 'concat') {
    // Exactly one `.*`/`.+` with only literals around it.
    const idx = t.subs.map((s) => anyRun(s) !== undefined);
    const at = idx.indexOf(true);
    if (at >= 0 && idx.lastIndexOf(true) === at) {
      const prefix = literalString({ op: 'concat', subs: t.subs.slice(0, at) });
      const suffix = literalString({ op: 'concat', subs: t.subs.slice(at + 1) });
      if (prefix !== undefined && suffix !== undefined) {
        return { kind: 'affix', prefix, suffix, any: anyRun(t.subs[at]!)! };
      }
    }
  }
  return { kind: 'regexp' };
}
