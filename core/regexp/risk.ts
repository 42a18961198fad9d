/**
 * @module core/regexp/risk — what in a pattern makes a backtracking engine (JS RegExp) slow or
 * answer differently from Go, so callers can route it to the linear-time engines instead.
 */
import { type Re2Node, children } from './ast.ts';

/**
 * Where a backtracking engine could go super-linear: a repeat of something that itself repeats
 * or alternates (exponential: `(a+)+`, `(a|ab)*`), or several choice points in a row
 * (polynomial, of a degree up to their count: `.*a.*b.*c`, `a?a?a?…aaa`, `(a|aa)(a|aa)…`).
 * `choices` counts variable-length repeats and alternations whose branches can start alike (a
 * set like `api|web` cannot backtrack into a second branch once the first code point is read).
 */
export function backtrackRisk(tree: Re2Node): {
  nested: boolean;
  variableRepeats: number;
  choices: number;
} {
  let nested = false;
  let variableRepeats = 0;
  let alternations = 0;
  const ambiguous = (n: Re2Node): boolean =>
    (n.op === 'repeat' && n.max !== n.min) || n.op === 'alternate' || children(n).some(ambiguous);
  const walk = (n: Re2Node): void => {
    if (n.op === 'repeat' && n.max !== n.min) {
      variableRepeats++;
      if (ambiguous(n.sub)) nested = true;
    }
    if (n.op === 'repeat' && n.max === n.min && n.min > 1 && ambiguous(n.sub)) nested = true;
    if (n.op === 'alternate' && !distinctFirsts(n.subs)) alternations++;
    for (const c of children(n)) walk(c);
  };
  walk(tree);
  return { nested, variableRepeats, choices: variableRepeats + alternations };
}

/** Whether every branch starts with a case-sensitive literal and no two with the same one. */
function distinctFirsts(subs: readonly Re2Node[]): boolean {
  const seen = new Set<number>();
  for (const sub of subs) {
    let n = sub;
    for (;;) {
      if (n.op === 'capture') n = n.sub;
      else if (n.op === 'concat' && n.subs.length > 0) n = n.subs[0]!;
      else break;
    }
    if (n.op !== 'literal' || n.fold || seen.has(n.cp)) return false;
    seen.add(n.cp);
  }
  return true;
}

/** Below this input limit the JS engine is not worth its risk: the NFA answers everything. */
const MIN_JS_INPUT = 16;

/**
 * The longest input a backtracking engine may take for a pattern of this risk: about
 * `inputLimit²` steps at worst whatever the degree (`inputLimit` for 2 choice points,
 * `inputLimit^(2/k)` for k), unlimited with one choice point, none with nested repeats.
 */
export function backtrackInputLimit(
  risk: { nested: boolean; choices: number },
  inputLimit: number,
): number {
  if (risk.nested) return 0;
  if (risk.choices <= 1) return Infinity;
  const limit = Math.floor(inputLimit ** (2 / risk.choices));
  // Past a handful of choice points V8 itself is the risk: compiling `a?` x 60 to native code
  // took 1.4 s on the second match of a one-character value.
  return limit < MIN_JS_INPUT ? 0 : limit;
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
