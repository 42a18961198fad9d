/**
 * @module core/rule/template/fmt — Go's fmt for template values: Sprint, Sprintln and Sprintf with
 * the verbs alert templates use (%v %s %d %f %F %e %E %g %G %q %x %X %t %%), flags `-+ 0#`,
 * width and precision, and Go's error forms (`%!d(float64=1.5)`, `%!s(MISSING)`, `%!(EXTRA …)`).
 */
import { formatOne, PLAIN, type Spec } from './fmt-verbs.ts';
import { formatV } from './fmt-value.ts';
import { typeName, type TValue } from './value.ts';

export { formatV, timeString } from './fmt-value.ts';

/** Go's fmt.Sprint: operands joined, a space between two operands when neither is a string. */
export function goSprint(args: readonly TValue[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatV(a);
  });
  return out;
}

/** Go's fmt.Sprintln: always spaces between operands, a newline at the end. */
export function goSprintln(args: readonly TValue[]): string {
  return `${args.map(formatV).join(' ')}\n`;
}

/** Go's fmt.Sprintf. */
export function goSprintf(format: string, args: readonly TValue[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { ...PLAIN };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === '-') spec.minus = true;
      else if (c === '+') spec.plus = true;
      else if (c === ' ') spec.space = true;
      else if (c === '0') spec.zero = !spec.minus;
      else if (c === '#') spec.sharp = true;
      else break;
    }
    const w = /^\d+/.exec(format.slice(i));
    if (w) {
      spec.width = Number(w[0]);
      i += w[0].length;
    }
    if (format[i] === '.') {
      i++;
      const p = /^\d+/.exec(format.slice(i));
      spec.prec = p ? Number(p[0]) : 0;
      if (p) i += p[0].length;
    }
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatOne(verb, args[argi++]!, spec);
  }
  if (argi < args.length) {
    const extra = args
      .slice(argi)
      .map((a) => (a === null ? '<nil>' : `${typeName(a)}=${formatV(a)}`));
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}
