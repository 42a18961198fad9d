/**
 * @module core/regexp/nfa — a linear-time matcher for RE2 parse trees (Thompson NFA, simulated
 * as a state set, as RE2/Go do). JS RegExps backtrack: `(a+)+b` or `(a|a)*c` take exponential
 * time on a long non-matching value, where Go takes linear time. The matcher uses this engine for
 * such patterns so a hostile or unlucky regex cannot stall an isolate. Answers "does the whole
 * string match" only (Prometheus's anchored `^(?:re)$`); no captures.
 */
import { type CharClass, classMatches } from './charclass.ts';
import type { Re2Node } from './ast.ts';
import { foldOrbit } from './unicode.ts';

type Assertion =
  'beginLine' | 'endLine' | 'beginText' | 'endText' | 'wordBoundary' | 'noWordBoundary';

type Inst =
  | { op: 'rune'; test: (cp: number) => boolean; next: number }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; next: number }
  | { op: 'assert'; kind: Assertion; next: number }
  | { op: 'match' };

const isWord = (cp: number): boolean =>
  (cp >= 0x30 && cp <= 0x39) ||
  (cp >= 0x41 && cp <= 0x5a) ||
  (cp >= 0x61 && cp <= 0x7a) ||
  cp === 0x5f;

function classTest(cls: CharClass): (cp: number) => boolean {
  return (cp) => classMatches(cls, cp);
}

/** Compiles a tree into instructions; `out` holds patch lists as in Thompson's construction. */
class Compiler {
  readonly prog: Inst[] = [];

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
      case 'capture':
        return this.compile(n.sub);
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
        return this.#repeat(n.sub, n.min, n.max);
    }
  }

  /** x{min,max}: min mandatory copies, then max-min optional ones (or a star when unbounded). */
  #repeat(sub: Re2Node, min: number, max: number): [number, ((to: number) => void)[]] {
    const p = this.prog;
    const push = (inst: Inst): number => p.push(inst) - 1;
    let entry = -1;
    let holes: ((to: number) => void)[] = [];
    const chain = (e: number, h: ((to: number) => void)[]): void => {
      if (entry < 0) entry = e;
      for (const patch of holes) patch(e);
      holes = h;
    };
    for (let k = 0; k < min; k++) chain(...this.compile(sub));
    if (max === -1) {
      // L: split(body, out); body → L
      const split = push({ op: 'split', x: -1, y: -1 });
      const [e, h] = this.compile(sub);
      (p[split] as { x: number }).x = e;
      for (const patch of h) patch(split);
      chain(split, [(to) => ((p[split] as { y: number }).y = to)]);
    } else {
      // Optional copies nest: (x(x(x)?)?)? — every exit jumps to the continuation.
      const exits: ((to: number) => void)[] = [];
      for (let k = min; k < max; k++) {
        const split = push({ op: 'split', x: -1, y: -1 });
        exits.push((to) => ((p[split] as { y: number }).y = to));
        const [e, h] = this.compile(sub);
        (p[split] as { x: number }).x = e;
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
        case 'assert': {
          let ok: boolean;
          switch (inst.kind) {
            case 'beginText':
              ok = atStart;
              break;
            case 'endText':
              ok = atEnd;
              break;
            case 'beginLine':
              ok = atStart || prev === 0x0a;
              break;
            case 'endLine':
              ok = atEnd || next === 0x0a;
              break;
            case 'wordBoundary':
              ok = (prev >= 0 && isWord(prev)) !== (next >= 0 && isWord(next));
              break;
            case 'noWordBoundary':
              ok = (prev >= 0 && isWord(prev)) === (next >= 0 && isWord(next));
              break;
          }
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
