/**
 * @module core/regexp/limits — Go's regexp/syntax resource limits, computed on our tree the
 * way Go computes them on its own: repeat counts (1000, also as a product when nested), tree
 * height (1000), compiled program size and runes held in classes (both 128 MiB budgets).
 */
import { BadDataError } from '../errors.ts';
import { type Re2Node, children } from './ast.ts';
import { classRangeCount } from './charclass.ts';

/** RE2's limit on a counted repetition and on the product of nested counts. */
export const MAX_REPEAT = 1000;
/** Go's maxHeight for the parse tree. */
export const MAX_HEIGHT = 1000;
/** Go's maxSize: compiled instructions allowed (128 MiB of 40-byte instructions). */
export const MAX_SIZE = Math.floor((128 << 20) / 40);
/** Go's maxRunes: runes held by all literals and class range lists (128 MiB of int32). */
export const MAX_RUNES = (128 << 20) / 4;

/** Go's repeatIsValid: nested counted repetitions may not multiply past n copies. */
export function repeatIsValid(re: Re2Node, n: number): boolean {
  if (re.op === 'repeat' && re.counted) {
    let m = re.max;
    if (m === 0) return true;
    if (m < 0) m = re.min;
    if (m > n) return false;
    if (m > 0) n = Math.trunc(n / m);
  }
  for (const sub of children(re)) if (!repeatIsValid(sub, n)) return false;
  return true;
}

/**
 * Tree height counted the way Go counts nodes: a group without capture adds no node, and a concat
 * inside a concat (or an alternation inside an alternation) is hoisted into its parent.
 */
export function height(re: Re2Node): number {
  let h = 0;
  const stack: [Re2Node, number][] = [[re, 1]];
  while (stack.length > 0) {
    const [n, d] = stack.pop()!;
    if (d > h) h = d;
    for (const c of children(n)) {
      const hoisted = (n.op === 'concat' || n.op === 'alternate') && c.op === n.op;
      stack.push([c, hoisted ? d : d + 1]);
    }
  }
  return h;
}

const isCharNode = (n: Re2Node): boolean =>
  n.op === 'literal' || n.op === 'class' || n.op === 'any';

/**
 * Go's calcSize: the instructions the compiled program would need. Go merges adjacent
 * single-character alternatives into one class (`a|b|c` → `[a-c]`), so they count once here too.
 */
export function progSize(re: Re2Node): number {
  let size: number;
  switch (re.op) {
    case 'literal':
      size = 1;
      break;
    case 'capture':
      size = 2 + progSize(re.sub);
      break;
    case 'concat':
      size = 0;
      for (const sub of re.subs) size += progSize(sub);
      break;
    case 'alternate': {
      let alts = 0;
      size = 0;
      for (let i = 0; i < re.subs.length; i++) {
        const sub = re.subs[i]!;
        if (i > 0 && isCharNode(sub) && isCharNode(re.subs[i - 1]!)) continue;
        alts++;
        size += progSize(sub);
      }
      size += Math.max(0, alts - 1);
      break;
    }
    case 'repeat': {
      const sub = progSize(re.sub);
      if (!re.counted) size = (re.min === 0 && re.max === -1 ? 2 : 1) + sub;
      else if (re.max === -1) size = re.min === 0 ? 2 + sub : 1 + re.min * sub;
      else size = re.max * sub + (re.max - re.min);
      break;
    }
    default:
      size = 1;
  }
  return Math.max(1, size);
}

/** Go's numRunes: 1 per literal, 2 per range of every class (Unicode tables by their range counts). */
export function runeCount(tree: Re2Node): number {
  let n = 0;
  const stack: Re2Node[] = [tree];
  while (stack.length > 0) {
    const re = stack.pop()!;
    if (re.op === 'literal') n += 1;
    else if (re.op === 'class') {
      n += 2 * classRangeCount(re.cls);
    } else stack.push(...children(re));
  }
  return n;
}

/**
 * Bytes of a regex source (a matcher's value, label_replace's pattern) we compile: 64 KiB. Go
 * bounds only the compiled program (MAX_SIZE); here a pattern is parsed, translated and maybe
 * compiled twice (JS and NFA) inside a 128 MB isolate, so its text is bounded first. The largest
 * real ones are alternations of label values; 64 KiB holds thousands of them.
 */
export const MAX_REGEX_LENGTH = 64 * 1024;

const UTF8 = new TextEncoder();

/** Throws BadDataError when `source` is longer than MAX_REGEX_LENGTH bytes (checked before parsing). */
export function checkRegexLength(source: string): void {
  // UTF-8 takes one to three bytes per UTF-16 unit: encode only when the limit is within reach.
  if (source.length * 3 <= MAX_REGEX_LENGTH) return;
  const bytes = UTF8.encode(source).length;
  if (bytes > MAX_REGEX_LENGTH) {
    throw new BadDataError(
      `regexp too long: ${bytes} bytes exceeds the limit of ${MAX_REGEX_LENGTH} bytes`,
    );
  }
}
