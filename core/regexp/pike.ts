/**
 * @module core/regexp/pike — submatches in linear time: the NFA of nfa.ts with save
 * instructions, simulated with threads kept in priority order (Pike's VM, as Go's regexp runs
 * it). Each thread carries its capture slots; the first thread to reach `match` in a step wins
 * over every lower-priority one, which is Go's leftmost-first rule, and a capture inside a repeat
 * keeps the value of the last iteration that set it, as in Go. Time is O(len(s) × program size ×
 * groups), whatever the pattern: `(a+)+c` or `(.*a){20}c` cannot stall an isolate.
 */
import type { Re2Node } from './ast.ts';
import { Compiler, type Inst, assertionHolds } from './nfa.ts';

/** Captures as [start0, end0, start1, end1, …] (UTF-16 offsets), -1 when unset; index 0 is the match. */
export type Submatches = Int32Array;

interface ThreadList {
  pcs: Int32Array;
  caps: Int32Array[];
  count: number;
}

export class Re2Pike {
  readonly #prog: Inst[];
  readonly #start: number;
  readonly #slots: number;
  readonly #mark: Int32Array;
  #gen = 0;
  // Pending closure work: program counters and the captures they carry.
  readonly #stackPc: Int32Array;
  readonly #stackCaps: Int32Array[];

  constructor(tree: Re2Node) {
    const c = new Compiler({ captures: true });
    const push = (inst: Inst): number => c.prog.push(inst) - 1;
    c.numberGroups(tree);
    // save 0, the pattern, save 1, match.
    const open = push({ op: 'save', slot: 0, next: -1 });
    const [entry, holes] = c.compile(tree);
    (c.prog[open] as { next: number }).next = entry;
    const close = push({ op: 'save', slot: 1, next: -1 });
    for (const patch of holes) patch(close);
    (c.prog[close] as { next: number }).next = push({ op: 'match' });
    this.#prog = c.prog;
    this.#start = open;
    this.#slots = 2 * (c.groups + 1);
    const size = c.prog.length;
    this.#mark = new Int32Array(size).fill(-1);
    this.#stackPc = new Int32Array(2 * size + 2);
    this.#stackCaps = new Array<Int32Array>(2 * size + 2);
  }

  /** Number of capture groups (without group 0). */
  get groups(): number {
    return this.#slots / 2 - 1;
  }

  #list(): ThreadList {
    const n = this.#prog.length;
    return { pcs: new Int32Array(n), caps: new Array<Int32Array>(n), count: 0 };
  }

  /** Adds the thread at pc0 and its ε-closure, in priority order, at string position pos. */
  #add(
    list: ThreadList,
    pc0: number,
    caps0: Int32Array,
    pos: number,
    atEnd: boolean,
    prev: number,
    next: number,
  ): void {
    const prog = this.#prog;
    const mark = this.#mark;
    const gen = this.#gen;
    const stackPc = this.#stackPc;
    const stackCaps = this.#stackCaps;
    let sp = 0;
    stackPc[sp] = pc0;
    stackCaps[sp++] = caps0;
    while (sp > 0) {
      const pc = stackPc[--sp]!;
      const caps = stackCaps[sp]!;
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      const inst = prog[pc]!;
      switch (inst.op) {
        case 'jmp':
          stackPc[sp] = inst.next;
          stackCaps[sp++] = caps;
          break;
        case 'split':
          stackPc[sp] = inst.y;
          stackCaps[sp++] = caps;
          stackPc[sp] = inst.x;
          stackCaps[sp++] = caps;
          break;
        case 'save': {
          // Copy on write: sibling threads share the captures they have in common.
          const copy = caps.slice();
          copy[inst.slot] = pos;
          stackPc[sp] = inst.next;
          stackCaps[sp++] = copy;
          break;
        }
        case 'assert':
          if (assertionHolds(inst.kind, pos === 0, atEnd, prev, next)) {
            stackPc[sp] = inst.next;
            stackCaps[sp++] = caps;
          }
          break;
        default:
          list.pcs[list.count] = pc;
          list.caps[list.count++] = caps;
      }
    }
  }

  #nextGen(): void {
    if (this.#gen === 0x3fffffff) {
      this.#mark.fill(-1);
      this.#gen = 0;
    }
    this.#gen++;
  }

  /** Leftmost-first submatches of the pattern in `s` (unanchored, as Go's FindStringSubmatch), or null. */
  exec(s: string): Submatches | null {
    const prog = this.#prog;
    const len = s.length;
    let clist = this.#list();
    let nlist = this.#list();
    const empty = new Int32Array(this.#slots).fill(-1);
    let matched: Int32Array | null = null;
    let pos = 0;
    let prev = -1;
    let cp = len > 0 ? s.codePointAt(0)! : -1;
    this.#nextGen();
    for (;;) {
      // A new start at every position, lowest priority, until something matched.
      if (matched === null) this.#add(clist, this.#start, empty, pos, pos >= len, prev, cp);
      if (clist.count === 0) break;
      const w = cp > 0xffff ? 2 : 1;
      const nextPos = pos + w;
      const nextCp = nextPos < len ? s.codePointAt(nextPos)! : -1;
      this.#nextGen();
      nlist.count = 0;
      for (let k = 0; k < clist.count; k++) {
        const inst = prog[clist.pcs[k]!]!;
        if (inst.op === 'match') {
          matched = clist.caps[k]!;
          break; // every thread after this one has lower priority
        }
        if (inst.op === 'rune' && pos < len && inst.test(cp)) {
          this.#add(nlist, inst.next, clist.caps[k]!, nextPos, nextPos >= len, cp, nextCp);
        }
      }
      if (pos >= len) break;
      [clist, nlist] = [nlist, clist];
      pos = nextPos;
      prev = cp;
      cp = nextCp;
      if (clist.count === 0 && matched !== null) break;
    }
    return matched;
  }
}
