/**
 * @module core/regexp/translate — RE2 (Go regexp/syntax) patterns translated to equivalent JS RegExps.
 *
 * The pattern is parsed by our own RE2 parser (parse.ts) and re-emitted as JS `u`-mode source
 * in which every construct means exactly what it means in Go:
 * - `.` is `[^\n]` (JS's `.` also stops at \r, U+2028, U+2029); `(?s).` is every code point.
 * - `^`/`$` are text anchors (JS without the m flag); `(?m)^`/`(?m)$` become lookarounds on
 *   `\n` only, because JS's m flag also treats \r, U+2028 and U+2029 as line ends.
 * - `\d \s \w` are Go's ASCII sets spelled as ranges (JS's `\s` is far wider).
 * - `\b`/`\B` stay ASCII-word based: the JS `i` flag is never used (with `u`/`v` and `i`, JS
 *   widens `\w`/`\b` with U+017F and U+212A); `(?i)` is applied by expanding literals and classes
 *   to their simple-fold orbits, which is what Go does and what makes `(?i:…)` scoping exact.
 * - `\pL`, `\p{Greek}` and friends are Go 1.19's own tables (Unicode 13.0) as explicit ranges,
 *   not JS property escapes (JS engines carry newer Unicode data).
 * - Groups become non-capturing: matching only needs a yes/no answer.
 * Matching time: JS backtracks, RE2 does not; fast-regex-matcher.ts routes risky patterns to nfa.ts.
 */
import { BadDataError } from '../errors.ts';
import { classSource } from './charclass.ts';
import type { Re2Node } from './ast.ts';
import { parseRe2 } from './parse.ts';
import { cpEscape, foldOrbit } from './unicode.ts';

/**
 * The JS flags every translated pattern needs: `u` for code point semantics. Not `v`: V8 11.x
 * (Node 20) mis-matches negated classes inside quantified groups in `v` mode (`/^(?:a[^b])+$/v`
 * accepts "ab"), and the translation needs no set operations since classes are flat range lists.
 */
export const JS_FLAGS = 'u';

interface Emitted {
  readonly src: string;
  /** Whether a quantifier may follow directly (JS refuses to quantify assertions). */
  readonly atom: boolean;
}

/** Thrown inside emit when the source grows past the caller's budget. */
const OVER_BUDGET = Symbol('over budget');

interface Budget {
  left: number;
}

function leaf(src: string, atom: boolean, b: Budget): Emitted {
  b.left -= src.length;
  if (b.left < 0) throw OVER_BUDGET;
  return { src, atom };
}

function emit(n: Re2Node, b: Budget): Emitted {
  switch (n.op) {
    case 'literal': {
      const orbit = n.fold ? foldOrbit(n.cp) : undefined;
      if (!orbit) return leaf(cpEscape(n.cp), true, b);
      return leaf(`[${orbit.map(cpEscape).join('')}]`, true, b);
    }
    case 'class':
      return leaf(classSource(n.cls), true, b);
    case 'any':
      return leaf(n.nl ? '[\\u{0}-\\u{10ffff}]' : '[^\\n]', true, b);
    case 'beginText':
      return { src: '^', atom: false };
    case 'endText':
      return { src: '$', atom: false };
    case 'beginLine':
      return { src: '(?<![^\\n])', atom: false };
    case 'endLine':
      return { src: '(?![^\\n])', atom: false };
    case 'wordBoundary':
      return { src: '\\b', atom: false };
    case 'noWordBoundary':
      return { src: '\\B', atom: false };
    case 'empty':
      return { src: '(?:)', atom: true };
    case 'concat':
      return { src: n.subs.map((s) => emit(s, b).src).join(''), atom: false };
    case 'alternate':
      return { src: `(?:${n.subs.map((s) => emit(s, b).src).join('|')})`, atom: true };
    case 'capture':
      return { src: `(?:${emit(n.sub, b).src})`, atom: true };
    case 'repeat': {
      const sub = emit(n.sub, b);
      const operand = sub.atom ? sub.src : `(?:${sub.src})`;
      return { src: operand + quantifier(n), atom: false };
    }
  }
}

/** The JS quantifier of a repeat node (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`), `?`-suffixed when lazy. */
export function quantifier(n: Extract<Re2Node, { op: 'repeat' }>): string {
  let q: string;
  if (n.min === 0 && n.max === -1) q = '*';
  else if (n.min === 1 && n.max === -1) q = '+';
  else if (n.min === 0 && n.max === 1) q = '?';
  else if (n.max === -1) q = `{${n.min},}`;
  else if (n.min === n.max) q = `{${n.min}}`;
  else q = `{${n.min},${n.max}}`;
  return q + (n.greedy ? '' : '?');
}

/**
 * JS `u`-mode source for a parsed RE2 tree (unanchored, like the Go pattern itself), or undefined
 * when it would exceed `maxLength` characters (a pattern repeating a large Unicode class
 * thousands of times: Go accepts it, but a JS engine would choke on the expanded source).
 */
export function re2TreeToSource(tree: Re2Node, maxLength = Infinity): string | undefined {
  try {
    return emit(tree, { left: maxLength }).src;
  } catch (err) {
    if (err === OVER_BUDGET) return undefined;
    throw err;
  }
}

/** JS source for an RE2 pattern; throws Re2SyntaxError (a BadDataError) where Go would fail. */
export function re2ToSource(pattern: string): string {
  return re2TreeToSource(parseRe2(pattern))!;
}

/**
 * Compiles an RE2 pattern to a JS RegExp with the same matches. `anchored` wraps it as
 * Prometheus does (`^(?:re)$`) so `test` answers "does the whole string match".
 */
export function compileRe2(pattern: string, options: { anchored?: boolean } = {}): RegExp {
  const src = re2ToSource(pattern);
  return jsRegExp(options.anchored ? `^(?:${src})$` : src, pattern);
}

/** Builds the RegExp; a translation the JS engine refuses is our gap, said as such. */
export function jsRegExp(source: string, pattern: string): RegExp {
  try {
    return new RegExp(source, JS_FLAGS);
  } catch (err) {
    throw new BadDataError(
      `regexp ${JSON.stringify(pattern)} cannot be translated to a JavaScript RegExp: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}
