/**
 * @module core/regexp/nfa — a linear-time matcher for RE2 parse trees (Thompson NFA, simulated
 * as a state set, as RE2/Go do). JS RegExps backtrack: `(a+)+b` or `(a|a)*c` take exponential
 * time on a long non-matching value, where Go takes linear time. The matcher uses this engine for
 * such patterns so a hostile or unlucky regex cannot stall an isolate. Answers "does the whole
 * string match" only (Prometheus's anchored `^(?:re)$`); no captures.
 */
import { type CharClass, classMatches } from './charclass.ts';
import { type Re2Node, children } from './ast.ts';
import { foldOrbit } from './unicode.ts';

type Assertion =
  'beginLine' | 'endLine' | 'beginText' | 'endText' | 'wordBoundary' | 'noWordBoundary';

/** One instruction; a split tries x before y (the preferred branch, for submatch priority). */
export type Inst =
  | { op: 'rune'; test: (cp: number) => boolean; next: number }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; next: number }
  | { op: 'assert'; kind: Assertion; next: number }
  | { op: 'save'; slot: number; next: number }
  | { op: 'match' };

const isWord = (cp: number): boolean =>
  (cp >= 0x30 && cp <= 0x39) ||
  (cp >= 0x41 && cp <= 0x5a) ||
  (cp >= 0x61 && cp <= 0x7a) ||
  cp === 0x5f;

function classTest(cls: CharClass): (cp: number) => boolean {
  return (cp) => classMatches(cls, cp);
}

/** Whether a zero-width assertion holds between code points prev and next (-1 at the ends). */
export function assertionHolds(
  kind: Assertion,
  atStart: boolean,
  atEnd: boolean,
  prev: number,
  next: number,
): boolean {
  switch (kind) {
    case 'beginText':
      return atStart;
    case 'endText':
      return atEnd;
    case 'beginLine':
      return atStart || prev === 0x0a;
    case 'endLine':
      return atEnd || next === 0x0a;
    case 'wordBoundary':
      return (prev >= 0 && isWord(prev)) !== (next >= 0 && isWord(next));
    case 'noWordBoundary':
      return (prev >= 0 && isWord(prev)) === (next >= 0 && isWord(next));
  }
}

/**
 * Compiles a tree into instructions; `out` holds patch lists as in Thompson's construction.
 * With `captures`, groups emit save instructions (slots 2g, 2g+1) and non-greedy repeats prefer
 * to stop, so a priority-ordered simulation (pike.ts) finds Go's leftmost-first submatches.
 */
export class Compiler {
  readonly prog: Inst[] = [];
  readonly #captures: boolean;
  // Fixed per group node: a counted repeat compiles its body more than once.
  readonly #groupOf = new Map<Re2Node, number>();

  constructor(opts: { captures: boolean } = { captures: false }) {
    this.#captures = opts.captures;
  }

  /** Capture groups numbered (group 0, the whole match, not counted). */
  get groups(): number {
    return this.#groupOf.size;
  }

  /**
   * Numbers the groups of a tree in Go's order (by opening parenthesis) before compiling, so a
   * group compiled zero times (`(a){0}`) still has its number and later groups keep theirs.
   */
  numberGroups(n: Re2Node): void {
    if (n.op === 'capture') this.#groupOf.set(n, this.#groupOf.size + 1);
    for (const c of children(n)) this.numberGroups(c);
  }

  /** Emits n and returns [entry, holes to patch with the continuation]. */
  compile(n: Re2Node): [number, ((to: number) => void)[]] {
    const p = this.prog;
    const push = (inst: Inst): number => p.push(inst) - 1;
    switch (n.op) {
      case 'literal': {
        const orbit = n.fold ? foldOrbit(n.cp) : undefined;
        const cp0 = n.cp;
        const test = orbit ? (cp: number) => orbit.includes(cp) : (cp: number) => cp === cp0;
        const i = push({ op: 'rune', test, next: -1 });
        return [i, [(to) => ((p[i] as { next: number }).next = to)]];
      }
      case 'class':
      case 'any': {
        const test =
          n.op === 'class' ? classTest(n.cls) : n.nl ? () => true : (cp: number) => cp !== 0x0a;
        const i = push({ op: 'rune', test, next: -1 });
        return [i, [(to) => ((p[i] as { next: number }).next = to)]];
      }
      case 'beginLine':
      case 'endLine':
      case 'beginText':
      case 'endText':
      case 'wordBoundary':
      case 'noWordBoundary': {
        const i = push({ op: 'assert', kind: n.op, next: -1 });
        return [i, [(to) => ((p[i] as { next: number }).next = to)]];
      }
      case 'empty': {
        const i = push({ op: 'jmp', next: -1 });
        return [i, [(to) => ((p[i] as { next: number }).next = to)]];
      }
      case 'capture': {
        if (!this.#captures) return this.compile(n.sub);
        let g = this.#groupOf.get(n);
        if (g === undefined) this.#groupOf.set(n, (g = this.#groupOf.size + 1));
        const open = push({ op: 'save', slot: 2 * g, next: -1 });
        const [e, h] = this.compile(n.sub);
        (p[open] as { next: number }).next = e;
        const close = push({ op: 'save', slot: 2 * g + 1, next: -1 });
        for (const patch of h) patch(close);
        return [open, [(to) => ((p[close] as { next: number }).next = to)]];
      }
      case 'concat': {
        let entry = -1;
        let holes: ((to: number) => void)[] = [];
        for (const sub of n.subs) {
          const [e, h] = this.compile(sub);
          if (entry < 0) entry = e;
          for (const patch of holes) patch(e);
          holes = h;
        }
        return [entry, holes];
      }
      case 'alternate': {
        // A chain of splits: split(alt0, split(alt1, …)).
        const holes: ((to: number) => void)[] = [];
        const entries: number[] = [];
        for (const sub of n.subs) {
          const [e, h] = this.compile(sub);
          entries.push(e);
          holes.push(...h);
        }
        let entry = entries[entries.length - 1]!;
        for (let k = entries.length - 2; k >= 0; k--)
          entry = push({ op: 'split', x: entries[k]!, y: entry });
        return [entry, holes];
      }
      case 'repeat':
        return this.#repeat(n.sub, n.min, n.max, n.greedy || !this.#captures);
    }
  }

  /**
   * x{min,max}: min mandatory copies, then max-min optional ones (or a star when unbounded).
   * A lazy repeat's splits prefer the exit (y is the body, x the continuation).
   */
  #repeat(
    sub: Re2Node,
    min: number,
    max: number,
    greedy: boolean,
  ): [number, ((to: number) => void)[]] {
    const p = this.prog;
    const push = (inst: Inst): number => p.push(inst) - 1;
    type Split = { x: number; y: number };
    const setBody = (i: number, to: number): void => {
      if (greedy) (p[i] as Split).x = to;
      else (p[i] as Split).y = to;
    };
    const setExit = (i: number, to: number): void => {
      if (greedy) (p[i] as Split).y = to;
      else (p[i] as Split).x = to;
    };
    let entry = -1;
    let holes: ((to: number) => void)[] = [];
    const chain = (e: number, h: ((to: number) => void)[]): void => {
      if (entry < 0) entry = e;
      for (const patch of holes) patch(e);
      holes = h;
    };
    if (max === -1 && this.#captures) {
      // Go's shapes, whose priorities decide submatches: x{n,} is n-1 copies then x+, and a star
      // over a body that can match empty is (x+)? (golang.org/issue/46123).
      if (min === 0 && nullable(sub)) {
        const quest = push({ op: 'split', x: -1, y: -1 });
        const [e, h] = this.#plus(sub, setBody, setExit);
        setBody(quest, e);
        return [quest, [...h, (to) => setExit(quest, to)]];
      }
      if (min > 0) {
        for (let k = 0; k < min - 1; k++) chain(...this.compile(sub));
        chain(...this.#plus(sub, setBody, setExit));
        return [entry, holes];
      }
    }
    for (let k = 0; k < min; k++) chain(...this.compile(sub));
    if (max === -1) {
      // L: split(body, out); body → L
      const split = push({ op: 'split', x: -1, y: -1 });
      const [e, h] = this.compile(sub);
      setBody(split, e);
      for (const patch of h) patch(split);
      chain(split, [(to) => setExit(split, to)]);
    } else {
      // Optional copies nest: (x(x(x)?)?)? — every exit jumps to the continuation.
      const exits: ((to: number) => void)[] = [];
      for (let k = min; k < max; k++) {
        const split = push({ op: 'split', x: -1, y: -1 });
        exits.push((to) => setExit(split, to));
        const [e, h] = this.compile(sub);
        setBody(split, e);
        chain(split, h);
      }
      holes.push(...exits);
      if (entry < 0) {
        const j = push({ op: 'jmp', next: -1 });
        return [j, [(to) => ((p[j] as { next: number }).next = to)]];
      }
    }
    if (entry < 0) {
      const j = push({ op: 'jmp', next: -1 });
      return [j, [(to) => ((p[j] as { next: number }).next = to)]];
    }
    return [entry, holes];
  }

  /** x+: the body, then a split back to its entry or on to the continuation. */
  #plus(
    sub: Re2Node,
    setBody: (split: number, to: number) => void,
    setExit: (split: number, to: number) => void,
  ): [number, ((to: number) => void)[]] {
    const [e, h] = this.compile(sub);
    const split = this.prog.push({ op: 'split', x: -1, y: -1 }) - 1;
    for (const patch of h) patch(split);
    setBody(split, e);
    return [e, [(to) => setExit(split, to)]];
  }
}

/** Whether a tree can match the empty string (Go's frag.nullable). */
function nullable(n: Re2Node): boolean {
  switch (n.op) {
    case 'literal':
    case 'class':
    case 'any':
      return false;
    case 'concat':
      return n.subs.every(nullable);
    case 'alternate':
      return n.subs.some(nullable);
    case 'capture':
      return nullable(n.sub);
    case 'repeat':
      return n.min === 0 || nullable(n.sub);
    default:
      return true;
  }
}

/** A compiled full-match program; `match(s)` runs in O(len(s) × program size). */
export class Re2Nfa {
  readonly #prog: Inst[];
  readonly #start: number;
  // Work space kept between calls (matching is synchronous, so never shared concurrently).
  #clist: Int32Array;
  #nlist: Int32Array;
  readonly #mark: Int32Array;
  readonly #stack: Int32Array;
  #gen = 0;

  constructor(tree: Re2Node) {
    const c = new Compiler();
    const [entry, holes] = c.compile(tree);
    const m = c.prog.push({ op: 'match' }) - 1;
    for (const patch of holes) patch(m);
    this.#prog = c.prog;
    this.#start = entry;
    const size = c.prog.length;
    this.#clist = new Int32Array(size);
    this.#nlist = new Int32Array(size);
    this.#mark = new Int32Array(size).fill(-1);
    // Each pc is pushed at most twice per closure (once per incoming edge is bounded by 2 for split).
    this.#stack = new Int32Array(2 * size + 2);
  }

  /** Adds pc and its ε-closure at a position (prev/next code points, -1 at the ends) to list. */
  #add(
    list: Int32Array,
    count: number,
    pc0: number,
    atStart: boolean,
    atEnd: boolean,
    prev: number,
    next: number,
  ): number {
    const prog = this.#prog;
    const mark = this.#mark;
    const stack = this.#stack;
    const gen = this.#gen;
    let sp = 0;
    stack[sp++] = pc0;
    while (sp > 0) {
      const pc = stack[--sp]!;
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      const inst = prog[pc]!;
      switch (inst.op) {
        case 'jmp':
          stack[sp++] = inst.next;
          break;
        case 'split':
          stack[sp++] = inst.y;
          stack[sp++] = inst.x;
          break;
        case 'save':
          stack[sp++] = inst.next;
          break;
        case 'assert': {
          const ok = assertionHolds(inst.kind, atStart, atEnd, prev, next);
          if (ok) stack[sp++] = inst.next;
          break;
        }
        default:
          list[count++] = pc;
      }
    }
    return count;
  }

  /** Whether all of `s` matches (anchored at both ends). */
  match(s: string): boolean {
    const prog = this.#prog;
    const len = s.length;
    let clist = this.#clist;
    let nlist = this.#nlist;
    let i = 0;
    let cp = len > 0 ? s.codePointAt(0)! : -1;
    // Generations live in an Int32Array: start over long before they could wrap.
    if (this.#gen > 0x3fffffff - len) {
      this.#mark.fill(-1);
      this.#gen = 0;
    }
    this.#gen++;
    let ccount = this.#add(clist, 0, this.#start, true, len === 0, -1, cp);
    while (i < len && ccount > 0) {
      const w = cp > 0xffff ? 2 : 1;
      const nextI = i + w;
      const nextCp = nextI < len ? s.codePointAt(nextI)! : -1;
      this.#gen++;
      let ncount = 0;
      for (let k = 0; k < ccount; k++) {
        const inst = prog[clist[k]!]!;
        if (inst.op === 'rune' && inst.test(cp)) {
          ncount = this.#add(nlist, ncount, inst.next, false, nextI >= len, cp, nextCp);
        }
      }
      [clist, nlist] = [nlist, clist];
      ccount = ncount;
      i = nextI;
      cp = nextCp;
    }
    this.#clist = clist;
    this.#nlist = nlist;
    if (i < len) return false;
    for (let k = 0; k < ccount; k++) if (prog[clist[k]!]!.op === 'match') return true;
    return false;
  }
}
