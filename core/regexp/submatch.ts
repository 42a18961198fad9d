/**
 * @module core/regexp/submatch — RE2 patterns with their capture groups, for
 * label_replace, and Go's `Regexp.ExpandString` template expansion (`$1`, `${name}`, `$$`).
 *
 * translate.ts translates patterns for yes/no matching and turns groups non-capturing; here the
 * subtrees holding captures are re-emitted with JS capturing groups in the same (pre-)order Go
 * numbers them, and capture-free subtrees reuse that translation unchanged.
 */
import type { Re2Node } from './ast.ts';
import { parseRe2 } from './parse.ts';
import { jsRegExp, quantifier, re2TreeToSource } from './translate.ts';
import { LONG_INPUT, MAX_NFA_SIZE } from './fast-regex-matcher.ts';
import { checkRegexLength, progSize } from './limits.ts';
import { Re2Pike } from './pike.ts';
import { backtrackInputLimit, backtrackRisk, hasCaptureInRepeat } from './risk.ts';
import { BadDataError } from '../errors.ts';

/** Group texts of one match: index 0 the whole match, undefined for groups that did not take part. */
export type Groups = ArrayLike<string | undefined>;

export interface SubmatchRegexp {
  readonly re: RegExp;
  /** names[i] is the name of group i (index 0 = whole match, ''), '' when unnamed. */
  readonly names: readonly string[];
  /** Leftmost-first match with Go's submatch semantics, or null. */
  exec(s: string): Groups | null;
}

function hasCapture(n: Re2Node): boolean {
  switch (n.op) {
    case 'capture':
      return true;
    case 'concat':
    case 'alternate':
      return n.subs.some(hasCapture);
    case 'repeat':
      return hasCapture(n.sub);
    default:
      return false;
  }
}

function emit(n: Re2Node, names: string[]): string {
  // Wrapped so the piece is always quantifiable and concatenation-safe.
  if (!hasCapture(n)) return `(?:${re2TreeToSource(n)})`;
  switch (n.op) {
    case 'capture': {
      names.push(n.name ?? '');
      return `(${emit(n.sub, names)})`;
    }
    case 'concat':
      return n.subs.map((s) => emit(s, names)).join('');
    case 'alternate':
      return `(?:${n.subs.map((s) => emit(s, names)).join('|')})`;
    case 'repeat':
      return `(?:${emit(n.sub, names)})${quantifier(n)}`;
    default:
      return `(?:${re2TreeToSource(n)})`;
  }
}

/**
 * Compiles an RE2 pattern keeping its groups; throws Re2SyntaxError where Go's regexp.Compile fails.
 * The JS engine answers where it is both fast and Go-exact; the linear-time Pike VM answers where
 * JS would backtrack exponentially (nested repeats), polynomially on a long value (several
 * choice points: the more, the shorter the values JS takes), or where JS captures differ from Go's (a group inside a repeat).
 */
export function compileSubmatch(pattern: string): SubmatchRegexp {
  checkRegexLength(pattern);
  const tree = parseRe2(pattern);
  const names = [''];
  const src = emit(tree, names);
  const re = jsRegExp(src, pattern);
  const jsExec = (s: string): Groups | null => {
    re.lastIndex = 0;
    return re.exec(s);
  };
  const risk = backtrackRisk(tree);
  const jsMaxInput = backtrackInputLimit(risk, LONG_INPUT);
  const always = jsMaxInput === 0 || hasCaptureInRepeat(tree);
  if (!always && jsMaxInput === Infinity) return { re, names, exec: jsExec };
  if (progSize(tree) > MAX_NFA_SIZE) {
    const shown = pattern.length > 80 ? `${pattern.slice(0, 80)}…` : pattern;
    throw new BadDataError(`regexp ${JSON.stringify(shown)} is valid but too large to run here`);
  }
  const pike = new Re2Pike(tree);
  const pikeExec = (s: string): Groups | null => {
    const caps = pike.exec(s);
    if (caps === null) return null;
    const out: (string | undefined)[] = [];
    for (let g = 0; g < names.length; g++) {
      const a = caps[2 * g]!;
      out.push(a < 0 ? undefined : s.slice(a, caps[2 * g + 1]!));
    }
    return out;
  };
  if (always) return { re, names, exec: pikeExec };
  return { re, names, exec: (s) => (s.length > jsMaxInput ? pikeExec(s) : jsExec(s)) };
}

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

/**
 * Go's Regexp.ExpandString: `$name` takes the longest run of letters, digits and underscores
 * (so `$1x` names the group "1x", which usually does not exist and expands to nothing), `${name}`
 * is explicit, `$$` is a dollar, and a malformed reference keeps its `$`.
 */
export function expandTemplate(template: string, m: Groups, names: readonly string[]): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) break;
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    // extract(): optional brace, then a name of letters/digits/underscores.
    let j = i;
    const brace = template[j] === '{';
    if (brace) j++;
    const nameStart = j;
    while (j < template.length) {
      const cp = template.codePointAt(j)!;
      const ch = String.fromCodePoint(cp);
      if (!NAME_CHAR.test(ch)) break;
      j += ch.length;
    }
    const name = template.slice(nameStart, j);
    if (name === '' || (brace && template[j] !== '}')) {
      out += '$';
      continue; // malformed: the `$` is literal text, scanning goes on after it
    }
    if (brace) j++;
    i = j;
    let num = 0;
    for (let k = 0; k < name.length; k++) {
      const c = name.charCodeAt(k);
      if (c < 48 || c > 57 || num >= 1e8) {
        num = -1;
        break;
      }
      num = num * 10 + (c - 48);
    }
    if (name.length > 1 && name[0] === '0') num = -1;
    if (num >= 0) {
      if (num < m.length && m[num] !== undefined) out += m[num];
    } else {
      for (let g = 0; g < names.length; g++) {
        if (names[g] === name && g < m.length && m[g] !== undefined) {
          out += m[g];
          break;
        }
      }
    }
  }
  return out + template.slice(i);
}
