/**
 * @module core/regexp/parse-escape — the pieces of Go's regexp/syntax parser that read one escape
 * or class item at a position: `\x{…}`, octal and single-character escapes (parseEscape), `\d`-style
 * Perl classes, `\p{…}` Unicode classes, and code points (lone surrogates are Go's invalid UTF-8).
 */
import { ErrorCode, Re2SyntaxError } from './ast.ts';
import { PERL_GROUPS, cleanRanges, foldRanges, negateRanges, unicodeGroup } from './charclass.ts';

export const isAlnum = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

function unhex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** The code point at i and its UTF-16 length; lone surrogates are Go's invalid UTF-8. */
export function runeAt(s: string, i: number): [number, number] {
  const c = s.codePointAt(i)!;
  if (c >= 0xd800 && c <= 0xdfff) throw new Re2SyntaxError(ErrorCode.invalidUTF8, s.slice(i));
  return [c, c > 0xffff ? 2 : 1];
}

/** `\d \D \s \S \w \W` at i as ranges (folded, then negated, as Go's appendGroup does). */
export function perlClassAt(s: string, i: number, fold: boolean): number[] | undefined {
  if (s[i] !== '\\' || i + 1 >= s.length) return undefined;
  const name = s[i + 1]!;
  const base = PERL_GROUPS[name.toLowerCase()];
  if (!base || !'dswDSW'.includes(name)) return undefined;
  return classGroup(base, name !== name.toLowerCase(), fold);
}

/** A Perl or POSIX group's ranges, case-folded under (?i), then negated if asked (Go's appendGroup). */
export function classGroup(base: readonly number[], negated: boolean, fold: boolean): number[] {
  const r = fold ? foldRanges(base) : cleanRanges(base);
  return negated ? negateRanges(r) : r;
}

/** `\pL`, `\p{Greek}`, `\P{^Lu}` at i → the item and the index after it. */
export function unicodeClassAt(s: string, i: number, fold: boolean): [readonly number[], number] {
  let negated = s[i + 1] === 'P';
  let name: string;
  let seqEnd: number;
  if (i + 2 >= s.length) {
    name = '';
    seqEnd = i + 2;
  } else if (s[i + 2] !== '{') {
    const [, n] = runeAt(s, i + 2);
    seqEnd = i + 2 + n;
    name = s.slice(i + 2, seqEnd);
  } else {
    const end = s.indexOf('}', i);
    if (end < 0) throw new Re2SyntaxError(ErrorCode.invalidCharRange, s.slice(i));
    seqEnd = end + 1;
    name = s.slice(i + 3, end);
  }
  if (name.startsWith('^')) {
    negated = !negated;
    name = name.slice(1);
  }
  const item = unicodeGroup(name, negated, fold);
  if (!item) throw new Re2SyntaxError(ErrorCode.invalidCharRange, s.slice(i, seqEnd));
  return [item, seqEnd];
}

/** A single-character escape at i (Go's parseEscape) → [code point, index after]. */
export function parseEscape(s: string, i: number): [number, number] {
  let t = i + 1;
  if (t >= s.length) throw new Re2SyntaxError(ErrorCode.trailingBackslash, '');
  const [c, n] = runeAt(s, t);
  t += n;
  const bad = (): never => {
    throw new Re2SyntaxError(ErrorCode.invalidEscape, s.slice(i, t));
  };
  const isOctal = (k: number): boolean =>
    k < s.length && s.charCodeAt(k) >= 0x30 && s.charCodeAt(k) <= 0x37;
  if (c < 0x80 && !isAlnum(c)) return [c, t];
  if (c >= 0x30 && c <= 0x37) {
    // \0 starts an octal escape; a lone non-zero digit is a backreference, unsupported in RE2.
    if (c !== 0x30 && !isOctal(t)) return bad();
    let r = c - 0x30;
    for (let k = 1; k < 3 && isOctal(t); k++) r = r * 8 + s.charCodeAt(t++) - 0x30;
    return [r, t];
  }
  switch (c) {
    case 0x78 /* x */: {
      if (t >= s.length) return bad();
      const [c1, n1] = runeAt(s, t);
      t += n1;
      if (c1 === 0x7b /* { */) {
        let nhex = 0;
        let r = 0;
        for (;;) {
          if (t >= s.length) return bad();
          const [d, nd] = runeAt(s, t);
          t += nd;
          if (d === 0x7d) break;
          const v = unhex(d);
          if (v < 0) return bad();
          r = r * 16 + v;
          if (r > 0x10ffff) return bad();
          nhex++;
        }
        if (nhex === 0) return bad();
        return [r, t];
      }
      const x = unhex(c1);
      if (t >= s.length) return bad();
      const [c2, n2] = runeAt(s, t);
      t += n2;
      const y = unhex(c2);
      if (x < 0 || y < 0) return bad();
      return [x * 16 + y, t];
    }
    case 0x61:
      return [0x07, t]; // \a
    case 0x66:
      return [0x0c, t]; // \f
    case 0x6e:
      return [0x0a, t]; // \n
    case 0x72:
      return [0x0d, t]; // \r
    case 0x74:
      return [0x09, t]; // \t
    case 0x76:
      return [0x0b, t]; // \v
  }
  return bad();
}
