/**
 * @module core/regexp/backtrack — a small backtracking matcher over the RE2 syntax
 * tree with Go's submatch semantics, for the one case JS RegExps answer differently: a capture
 * group inside a repetition. JS clears such captures at the start of every iteration; Go (like
 * Perl) keeps the value from the last iteration that set it, so `(?:(a)|b)+` on "ab" gives $1 = "a"
 * in Prometheus and nothing in JS.
 *
 * Alternatives are tried in order and greedy repeats longest-first, which is Go's leftmost-first
 * preference. Single-character nodes are tested with translate.ts's own translation, so
 * character semantics stay exactly those of the yes/no matcher. A step budget bounds
 * pathological patterns; past it the caller falls back to the JS RegExp.
 */
import type { Re2Node } from './ast.ts';
import { jsRegExp, re2TreeToSource } from './translate.ts';

/** Captures as [start0, end0, start1, end1, …] (UTF-16 offsets), -1 when unset; index 0 is the match. */
export type Submatches = Int32Array;

const MAX_STEPS = 200_000;

class BudgetExceeded extends Error {}

const isWordChar = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

export class Backtracker {
  readonly #root: Re2Node;
  readonly #groups: Map<Re2Node, number>;
  readonly #ngroups: number;
  readonly #leaf = new Map<Re2Node, RegExp>();
  #s = '';
  #caps: Int32Array = new Int32Array(0);
  #steps = 0;

  constructor(root: Re2Node) {
    this.#root = root;
    this.#groups = new Map();
    let n = 0;
    const visit = (node: Re2Node): void => {
      if (node.op === 'capture') this.#groups.set(node, ++n);
      if (node.op === 'capture' || node.op === 'repeat') visit(node.sub);
      else if (node.op === 'concat' || node.op === 'alternate') node.subs.forEach(visit);
    };
    visit(root);
    this.#ngroups = n;
  }

  /** Leftmost-first submatches of the pattern in `s`, null when it does not match, undefined past the budget. */
  exec(s: string): Submatches | null | undefined {
    this.#s = s;
    this.#steps = 0;
    try {
      for (let start = 0; start <= s.length; start++) {
        this.#caps = new Int32Array(2 * (this.#ngroups + 1)).fill(-1);
        const caps = this.#caps;
        if (this.#m(this.#root, start, (end) => ((caps[0] = start), (caps[1] = end), true)))
          return caps;
        // Do not start inside a surrogate pair.
        if (start < s.length && this.#isHighSurrogateAt(start)) start++;
      }
      return null;
    } catch (err) {
      if (err instanceof BudgetExceeded) return undefined;
      throw err;
    }
  }

  #isHighSurrogateAt(i: number): boolean {
    const c = this.#s.charCodeAt(i);
    return c >= 0xd800 && c <= 0xdbff && i + 1 < this.#s.length;
  }

  #leafMatch(node: Re2Node, pos: number): number {
    const s = this.#s;
    if (pos >= s.length) return -1;
    const cp = s.codePointAt(pos)!;
    const len = cp > 0xffff ? 2 : 1;
    let re = this.#leaf.get(node);
    if (re === undefined) {
      re = jsRegExp(`^(?:${re2TreeToSource(node)})$`, '');
      this.#leaf.set(node, re);
    }
    return re.test(s.slice(pos, pos + len)) ? pos + len : -1;
  }

  /** Matches `node` at `pos`, then the continuation; true when the whole rest matched. */
  #m(node: Re2Node, pos: number, k: (pos: number) => boolean): boolean {
    if (++this.#steps > MAX_STEPS) throw new BudgetExceeded();
    const s = this.#s;
    switch (node.op) {
      case 'literal':
      case 'class':
      case 'any': {
        const next = this.#leafMatch(node, pos);
        return next >= 0 && k(next);
      }
      case 'beginText':
        return pos === 0 && k(pos);
      case 'endText':
        return pos === s.length && k(pos);
      case 'beginLine':
        return (pos === 0 || s.charCodeAt(pos - 1) === 10) && k(pos);
      case 'endLine':
        return (pos === s.length || s.charCodeAt(pos) === 10) && k(pos);
      case 'wordBoundary':
      case 'noWordBoundary': {
        const before = pos > 0 && isWordChar(s.charCodeAt(pos - 1));
        const after = pos < s.length && isWordChar(s.charCodeAt(pos));
        return (before !== after) === (node.op === 'wordBoundary') && k(pos);
      }
      case 'empty':
        return k(pos);
      case 'concat':
        return this.#concat(node.subs, 0, pos, k);
      case 'alternate':
        for (const sub of node.subs) if (this.#m(sub, pos, k)) return true;
        return false;
      case 'capture': {
        const g = this.#groups.get(node)!;
        const caps = this.#caps;
        const oldStart = caps[2 * g]!;
        const oldEnd = caps[2 * g + 1]!;
        const ok = this.#m(node.sub, pos, (end) => {
          const ps = caps[2 * g]!;
          const pe = caps[2 * g + 1]!;
          caps[2 * g] = pos;
          caps[2 * g + 1] = end;
          if (k(end)) return true;
          caps[2 * g] = ps;
          caps[2 * g + 1] = pe;
          return false;
        });
        if (!ok) {
          caps[2 * g] = oldStart;
          caps[2 * g + 1] = oldEnd;
        }
        return ok;
      }
      case 'repeat':
        return this.#repeat(node, 0, pos, k);
    }
  }

  #concat(subs: readonly Re2Node[], i: number, pos: number, k: (pos: number) => boolean): boolean {
    if (i === subs.length) return k(pos);
    return this.#m(subs[i]!, pos, (p) => this.#concat(subs, i + 1, p, k));
  }

  #repeat(
    node: Extract<Re2Node, { op: 'repeat' }>,
    count: number,
    pos: number,
    k: (pos: number) => boolean,
  ): boolean {
    const more = node.max === -1 || count < node.max;
    // An iteration that consumes nothing cannot lead anywhere new once the minimum is met.
    const iterate = () =>
      this.#m(node.sub, pos, (p) =>
        p === pos && count >= node.min ? false : this.#repeat(node, count + 1, p, k),
      );
    if (count < node.min) return iterate();
    if (!more) return k(pos);
    if (node.greedy) return iterate() || k(pos);
    return k(pos) || iterate();
  }
}

/** Whether some capture group sits inside a repetition (the case JS and Go disagree on). */
export function hasCaptureInRepeat(n: Re2Node, inRepeat = false): boolean {
  switch (n.op) {
    case 'capture':
      return inRepeat || hasCaptureInRepeat(n.sub, inRepeat);
    case 'repeat':
      return hasCaptureInRepeat(n.sub, inRepeat || n.max !== 1);
    case 'concat':
    case 'alternate':
      return n.subs.some((s) => hasCaptureInRepeat(s, inRepeat));
    default:
      return false;
  }
}
