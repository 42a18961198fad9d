/**
 * @module core/regexp/parse — a parser for Go's regexp/syntax in Perl mode (what
 * `regexp.Compile` uses), producing a small AST. It accepts exactly what Go 1.19 accepts and
 * fails with Go's error text (`error parsing regexp: <code>: \`<expr>\``), scanning left to right
 * as Go does so the first error reported is the same one.
 */
import { ErrorCode, type Re2Node, Re2SyntaxError } from './ast.ts';
import { POSIX_GROUPS, cleanRanges, foldRanges } from './charclass.ts';
import {
  MAX_HEIGHT,
  MAX_REPEAT,
  MAX_RUNES,
  MAX_SIZE,
  height,
  progSize,
  repeatIsValid,
  runeCount,
} from './limits.ts';
import {
  classGroup,
  isAlnum,
  parseEscape,
  perlClassAt,
  runeAt,
  unicodeClassAt,
} from './parse-escape.ts';

interface Flags {
  fold: boolean;
  dotNL: boolean;
  oneLine: boolean;
  nonGreedy: boolean;
}

interface Frame {
  /** Flags in force when the group opened; restored at its `)`. */
  readonly saved: Flags;
  readonly capture: boolean;
  readonly name: string | undefined;
  readonly alts: Re2Node[][];
}

/** Parses `src` as Go's `syntax.Parse(src, syntax.Perl)` does. */
export function parseRe2(src: string): Re2Node {
  return new Parser(src).parse();
}

class Parser {
  readonly #s: string;
  #pos = 0;
  #flags: Flags = { fold: false, dotNL: false, oneLine: true, nonGreedy: false };
  readonly #frames: Frame[];

  constructor(src: string) {
    this.#s = src;
    this.#frames = [{ saved: this.#flags, capture: false, name: undefined, alts: [[]] }];
  }

  get #items(): Re2Node[] {
    const alts = this.#frames[this.#frames.length - 1]!.alts;
    return alts[alts.length - 1]!;
  }

  parse(): Re2Node {
    const s = this.#s;
    let lastRepeat = -1;
    while (this.#pos < s.length) {
      let repeatAt = -1;
      const c = s.charCodeAt(this.#pos);
      switch (c) {
        case 0x28 /* ( */:
          if (s.charCodeAt(this.#pos + 1) === 0x3f /* ? */) this.#perlFlags();
          else {
            this.#open(true, undefined, this.#flags);
            this.#pos++;
          }
          break;
        case 0x7c /* | */:
          this.#frames[this.#frames.length - 1]!.alts.push([]);
          this.#pos++;
          break;
        case 0x29 /* ) */:
          this.#close();
          this.#pos++;
          break;
        case 0x5e /* ^ */:
          this.#items.push({ op: this.#flags.oneLine ? 'beginText' : 'beginLine' });
          this.#pos++;
          break;
        case 0x24 /* $ */:
          this.#items.push({ op: this.#flags.oneLine ? 'endText' : 'endLine' });
          this.#pos++;
          break;
        case 0x2e /* . */:
          this.#items.push({ op: 'any', nl: this.#flags.dotNL });
          this.#pos++;
          break;
        case 0x5b /* [ */:
          this.#class();
          break;
        case 0x2a /* * */:
        case 0x2b /* + */:
        case 0x3f /* ? */: {
          const before = this.#pos;
          const [min, max] = c === 0x2a ? [0, -1] : c === 0x2b ? [1, -1] : [0, 1];
          this.#repeat(min, max, before, before + 1, lastRepeat);
          repeatAt = before;
          break;
        }
        case 0x7b /* { */: {
          const before = this.#pos;
          const r = this.#parseRepeatBraces(before);
          if (!r) {
            this.#literal(0x7b);
            this.#pos++;
            break;
          }
          const [min, max, after] = r;
          if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) {
            throw new Re2SyntaxError(ErrorCode.invalidRepeatSize, s.slice(before, after));
          }
          this.#repeat(min, max, before, after, lastRepeat);
          repeatAt = before;
          break;
        }
        case 0x5c /* \ */:
          this.#backslash();
          break;
        default: {
          const [r, n] = runeAt(this.#s, this.#pos);
          this.#literal(r);
          this.#pos += n;
        }
      }
      lastRepeat = repeatAt;
    }
    if (this.#frames.length !== 1) throw new Re2SyntaxError(ErrorCode.missingParen, s);
    const tree = this.#collapse(this.#frames[0]!.alts);
    if (height(tree) > MAX_HEIGHT) throw new Re2SyntaxError(ErrorCode.nestingDepth, s);
    if (progSize(tree) > MAX_SIZE || runeCount(tree) > MAX_RUNES)
      throw new Re2SyntaxError(ErrorCode.internalError, s);
    return tree;
  }

  #literal(cp: number): void {
    this.#items.push({ op: 'literal', cp, fold: this.#flags.fold });
  }

  #open(capture: boolean, name: string | undefined, saved: Flags): void {
    this.#frames.push({ saved, capture, name, alts: [[]] });
  }

  #close(): void {
    if (this.#frames.length < 2) throw new Re2SyntaxError(ErrorCode.unexpectedParen, this.#s);
    const f = this.#frames.pop()!;
    this.#flags = f.saved;
    const inner = this.#collapse(f.alts);
    this.#items.push(f.capture ? { op: 'capture', sub: inner, name: f.name } : inner);
  }

  #collapse(alts: Re2Node[][]): Re2Node {
    const subs = alts.map((items): Re2Node => {
      if (items.length === 0) return { op: 'empty' };
      if (items.length === 1) return items[0]!;
      return { op: 'concat', subs: items };
    });
    return subs.length === 1 ? subs[0]! : { op: 'alternate', subs };
  }

  /** `*`, `+`, `?`, `{n,m}` applied to the last item; `after` is just past the operator. */
  #repeat(min: number, max: number, before: number, after: number, lastRepeat: number): void {
    const s = this.#s;
    let greedy = !this.#flags.nonGreedy;
    if (s.charCodeAt(after) === 0x3f /* ? */) {
      after++;
      greedy = !greedy;
    }
    // Perl forbids stacking operators: a** is an error, not a doubled star.
    if (lastRepeat >= 0)
      throw new Re2SyntaxError(ErrorCode.invalidRepeatOp, s.slice(lastRepeat, after));
    const items = this.#items;
    if (items.length === 0)
      throw new Re2SyntaxError(ErrorCode.missingRepeatArgument, s.slice(before, after));
    const counted = s.charCodeAt(before) === 0x7b;
    const node: Re2Node = { op: 'repeat', sub: items.pop()!, min, max, greedy, counted };
    items.push(node);
    if (counted && (min >= 2 || max >= 2) && !repeatIsValid(node, MAX_REPEAT)) {
      throw new Re2SyntaxError(ErrorCode.invalidRepeatSize, s.slice(before, after));
    }
    this.#pos = after;
  }

  /** `{n}`, `{n,}`, `{n,m}` at i → [min, max, end]; min -1 for overflow; undefined if not that form. */
  #parseRepeatBraces(i: number): [number, number, number] | undefined {
    const s = this.#s;
    let p = i + 1;
    const int = (): number | undefined => {
      const start = p;
      if (p >= s.length || s.charCodeAt(p) < 0x30 || s.charCodeAt(p) > 0x39) return undefined;
      // Go disallows leading zeros: {01} is a literal.
      if (
        s.charCodeAt(p) === 0x30 &&
        p + 1 < s.length &&
        s.charCodeAt(p + 1) >= 0x30 &&
        s.charCodeAt(p + 1) <= 0x39
      ) {
        return undefined;
      }
      while (p < s.length && s.charCodeAt(p) >= 0x30 && s.charCodeAt(p) <= 0x39) p++;
      let n = 0;
      for (let k = start; k < p; k++) {
        if (n >= 1e8) return -1;
        n = n * 10 + s.charCodeAt(k) - 0x30;
      }
      return n;
    };
    let min = int();
    if (min === undefined || p >= s.length) return undefined;
    let max: number;
    if (s.charCodeAt(p) !== 0x2c /* , */) max = min;
    else {
      p++;
      if (p >= s.length) return undefined;
      if (s.charCodeAt(p) === 0x7d) max = -1;
      else {
        const m = int();
        if (m === undefined) return undefined;
        max = m;
        if (m < 0) min = -1;
      }
    }
    if (p >= s.length || s.charCodeAt(p) !== 0x7d /* } */) return undefined;
    return [min, max, p + 1];
  }

  /** `(?` … : named capture, flag change, or non-capturing group. */
  #perlFlags(): void {
    const s = this.#s;
    const start = this.#pos;
    if (s.length - start > 4 && s[start + 2] === 'P' && s[start + 3] === '<') {
      const end = s.indexOf('>', start);
      if (end < 0) throw new Re2SyntaxError(ErrorCode.invalidNamedCapture, s.slice(start));
      const name = s.slice(start + 4, end);
      if (name === '' || ![...name].every((ch) => ch === '_' || isAlnum(ch.codePointAt(0)!))) {
        throw new Re2SyntaxError(ErrorCode.invalidNamedCapture, s.slice(start, end + 1));
      }
      this.#open(true, name, this.#flags);
      this.#pos = end + 1;
      return;
    }
    const flags = { ...this.#flags };
    let negate = false;
    let sawFlag = false;
    let t = start + 2;
    while (t < s.length) {
      const [c, n] = runeAt(this.#s, t);
      t += n;
      switch (c) {
        case 0x69 /* i */:
          flags.fold = !negate;
          sawFlag = true;
          continue;
        case 0x6d /* m */:
          flags.oneLine = negate;
          sawFlag = true;
          continue;
        case 0x73 /* s */:
          flags.dotNL = !negate;
          sawFlag = true;
          continue;
        case 0x55 /* U */:
          flags.nonGreedy = !negate;
          sawFlag = true;
          continue;
        case 0x2d /* - */:
          if (negate) break;
          negate = true;
          sawFlag = false;
          continue;
        case 0x3a /* : */:
        case 0x29 /* ) */:
          if (negate && !sawFlag) break;
          if (c === 0x3a) this.#open(false, undefined, this.#flags);
          this.#flags = flags;
          this.#pos = t;
          return;
      }
      break;
    }
    throw new Re2SyntaxError(ErrorCode.invalidPerlOp, s.slice(start, t));
  }

  #backslash(): void {
    const s = this.#s;
    const i = this.#pos;
    if (i + 1 < s.length) {
      switch (s[i + 1]) {
        case 'A':
          this.#items.push({ op: 'beginText' });
          this.#pos += 2;
          return;
        case 'b':
          this.#items.push({ op: 'wordBoundary' });
          this.#pos += 2;
          return;
        case 'B':
          this.#items.push({ op: 'noWordBoundary' });
          this.#pos += 2;
          return;
        case 'C':
          // Any byte: meaningless on JS strings and unsupported by Go too.
          throw new Re2SyntaxError(ErrorCode.invalidEscape, s.slice(i, i + 2));
        case 'Q': {
          let end = s.indexOf('\\E', i + 2);
          const lit = s.slice(i + 2, end < 0 ? s.length : end);
          for (let k = 0; k < lit.length;) {
            const [c, n] = runeAt(this.#s, i + 2 + k);
            this.#literal(c);
            k += n;
          }
          if (end < 0) end = s.length - 2;
          this.#pos = end + 2;
          return;
        }
        case 'z':
          this.#items.push({ op: 'endText' });
          this.#pos += 2;
          return;
      }
    }
    if (s[i + 1] === 'p' || s[i + 1] === 'P') {
      const [ranges, next] = unicodeClassAt(this.#s, i, this.#flags.fold);
      this.#items.push({ op: 'class', cls: { ranges, negated: false } });
      this.#pos = next;
      return;
    }
    const perl = perlClassAt(this.#s, i, this.#flags.fold);
    if (perl) {
      this.#items.push({ op: 'class', cls: { ranges: perl, negated: false } });
      this.#pos = i + 2;
      return;
    }
    const [c, next] = parseEscape(this.#s, i);
    this.#literal(c);
    this.#pos = next;
  }

  /** `[` … `]` at the current position. */
  #class(): void {
    const s = this.#s;
    const start = this.#pos;
    let t = start + 1;
    let negated = false;
    if (s[t] === '^') {
      negated = true;
      t++;
    }
    const ranges: number[] = [];
    const fold = this.#flags.fold;
    let first = true;
    while (t >= s.length || s[t] !== ']' || first) {
      first = false;
      if (s.length - t > 2 && s[t] === '[' && s[t + 1] === ':') {
        const end = s.indexOf(':]', t + 2);
        if (end >= 0) {
          const full = s.slice(t, end + 2);
          let name = s.slice(t + 2, end);
          const neg = name.startsWith('^');
          if (neg) name = name.slice(1);
          const g = Object.hasOwn(POSIX_GROUPS, name) ? POSIX_GROUPS[name] : undefined;
          if (!g) throw new Re2SyntaxError(ErrorCode.invalidCharRange, full);
          ranges.push(...classGroup(g, neg, fold));
          t = end + 2;
          continue;
        }
      }
      if (s[t] === '\\' && (s[t + 1] === 'p' || s[t + 1] === 'P')) {
        const [group, next] = unicodeClassAt(s, t, this.#flags.fold);
        for (const x of group) ranges.push(x);
        t = next;
        continue;
      }
      const perl = perlClassAt(s, t, this.#flags.fold);
      if (perl) {
        ranges.push(...perl);
        t += 2;
        continue;
      }
      const rng = t;
      let lo: number;
      [lo, t] = this.#classChar(t, start);
      let hi = lo;
      if (s.length - t >= 2 && s[t] === '-' && s[t + 1] !== ']') {
        [hi, t] = this.#classChar(t + 1, start);
        if (hi < lo) throw new Re2SyntaxError(ErrorCode.invalidCharRange, s.slice(rng, t));
      }
      if (fold) ranges.push(...foldRanges([lo, hi]));
      else ranges.push(lo, hi);
    }
    this.#pos = t + 1;
    this.#items.push({ op: 'class', cls: { ranges: cleanRanges(ranges), negated } });
  }

  #classChar(t: number, classStart: number): [number, number] {
    const s = this.#s;
    if (t >= s.length) throw new Re2SyntaxError(ErrorCode.missingBracket, s.slice(classStart));
    if (s[t] === '\\') return parseEscape(s, t);
    const [c, n] = runeAt(this.#s, t);
    return [c, t + n];
  }
}
