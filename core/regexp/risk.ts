/**
 * @module core/regexp/risk — what in a pattern makes a backtracking engine (JS RegExp) slow or
 * answer differently from Go, so callers can route it to the linear-time engines instead.
 */
import { type Re2Node, children } from './ast.ts';

/**
 * Where a backtracking engine could go super-linear: a repeat of something that itself repeats
 * or alternates (exponential: `(a+)+`, `(a|ab)*`), or several variable-length repeats in a row
 * (polynomial: `.*a.*b.*c`).
 */
export function backtrackRisk(tree: Re2Node): { nested: boolean; variableRepeats: number } {
  let nested = false;
  let variableRepeats = 0;
  const ambiguous = (n: Re2Node): boolean =>
    (n.op === 'repeat' && n.max !== n.min) || n.op === 'alternate' || children(n).some(ambiguous);
  const walk = (n: Re2Node): void => {
    if (n.op === 'repeat' && n.max !== n.min) {
      variableRepeats++;
      if (ambiguous(n.sub)) nested = true;
    }
    if (n.op === 'repeat' && n.max === n.min && n.min > 1 && ambiguous(n.sub)) nested = true;
    for (const c of children(n)) walk(c);
  };
  walk(tree);
  return { nested, variableRepeats };
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
