/**
 * @module core/rule/template/fmt-verbs — one operand under one verb, as Go 1.19's fmt formats
 * it (fmt/format.go's fmtFloat, fmtS, fmtQ, fmtSbx, fmtInteger): flags `-+ 0#`, width and
 * precision in runes (bytes for %x on strings), zero padding after the sign, `%#g` keeping
 * trailing zeros, and a wrong verb printing `%!d(float64=1.5)` with the operand formatted by %v
 * under the same flags.
 */
import { goQuote } from '../../gocompat/quote.ts';
import { goFormatFloat } from '../../gocompat/strconv.ts';
import { formatV, timeString } from './fmt-value.ts';
import { GoInt, GoMap, GoTime, SafeHtml, typeName, type TValue } from './value.ts';

export interface Spec {
  minus: boolean;
  plus: boolean;
  space: boolean;
  zero: boolean;
  sharp: boolean;
  width: number | undefined;
  prec: number | undefined;
}

export const PLAIN: Spec = {
  minus: false,
  plus: false,
  space: false,
  zero: false,
  sharp: false,
  width: undefined,
  prec: undefined,
};

const runes = (s: string): number => [...s].length;

/** fmt.pad: width in runes; zeros on the left with the 0 flag, spaces on the right with -. */
function pad(s: string, spec: Spec, zero = spec.zero): string {
  const w = spec.width ?? 0;
  const n = runes(s);
  if (n >= w) return s;
  if (spec.minus) return s + ' '.repeat(w - n);
  return (zero ? '0' : ' ').repeat(w - n) + s;
}

function fmtFloat(v: number, verb: string, spec: Spec, defaultPrec: number): string {
  const lower = verb.toLowerCase() as 'e' | 'f' | 'g';
  const prec = spec.prec ?? defaultPrec;
  let num = goFormatFloat(v, lower, prec);
  if (verb !== lower && Number.isFinite(v)) num = num.toUpperCase();
  let sign = num[0] === '-' ? '-' : '+';
  let body = num[0] === '-' || num[0] === '+' ? num.slice(1) : num;
  if (spec.space && sign === '+' && !spec.plus) sign = ' ';
  if (body[0] === 'I' || body[0] === 'N') {
    // Infinities and NaN are not zero padded; NaN has no sign unless asked for.
    const s = body[0] === 'N' && !spec.space && !spec.plus ? body : sign + body;
    return pad(s, spec, false);
  }
  if (spec.sharp) {
    let digits = lower === 'g' ? (prec === -1 ? 6 : prec) : 0;
    let tail = '';
    let hasDot = false;
    let sawNonzero = false;
    let head = '';
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!;
      if (c === '.') hasDot = true;
      else if (c === 'e' || c === 'E') {
        tail = body.slice(i);
        break;
      } else {
        if (c !== '0') sawNonzero = true;
        if (sawNonzero) digits--;
      }
      head += c;
    }
    if (!hasDot) {
      if (head === '0') digits--;
      head += '.';
    }
    body = head + '0'.repeat(Math.max(0, digits)) + tail;
  }
  if (spec.plus || sign !== '+') {
    const w = spec.width ?? 0;
    const len = runes(body) + 1;
    if (spec.zero && w > len) return sign + '0'.repeat(w - len) + body;
    return pad(sign + body, spec);
  }
  return pad(body, spec);
}

function truncate(s: string, spec: Spec): string {
  return spec.prec !== undefined ? [...s].slice(0, spec.prec).join('') : s;
}

/** strconv.CanBackquote: no control characters but tab, no backquote, no BOM. */
function canBackquote(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if ((cp < 0x20 && cp !== 9) || cp === 0x60 || cp === 0x7f || cp === 0xfeff) return false;
  }
  return true;
}

/** strconv.QuoteToASCII. */
function quoteASCII(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out += goQuote(ch).slice(1, -1);
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

function fmtQ(s: string, spec: Spec): string {
  s = truncate(s, spec);
  if (spec.sharp && canBackquote(s)) return pad(`\`${s}\``, spec);
  return pad(spec.plus ? quoteASCII(s) : goQuote(s), spec);
}

/** fmtSbx: hex of the string's bytes, at most `prec` of them; ` ` separates, `#` adds 0x. */
function fmtSbx(s: string, spec: Spec, upper: boolean): string {
  let bytes = new TextEncoder().encode(s);
  if (spec.prec !== undefined && spec.prec < bytes.length) bytes = bytes.slice(0, spec.prec);
  const x = upper ? 'X' : 'x';
  if (bytes.length === 0) return ' '.repeat(spec.width ?? 0).replace(/ /g, spec.zero ? '0' : ' ');
  let out = spec.sharp ? `0${x}` : '';
  bytes.forEach((b, i) => {
    if (spec.space && i > 0) out += spec.sharp ? ` 0${x}` : ' ';
    const h = b.toString(16).padStart(2, '0');
    out += upper ? h.toUpperCase() : h;
  });
  return pad(out, spec);
}

/** fmtInteger for a Go int in base 10 or 16. */
function fmtInteger(n: number, base: 10 | 16, upper: boolean, spec: Spec): string {
  let digits = Math.abs(n).toString(base);
  if (upper) digits = digits.toUpperCase();
  const signed = n < 0 || spec.plus || spec.space;
  let zero = spec.zero;
  if (spec.prec !== undefined) {
    if (spec.prec === 0 && n === 0) digits = '';
    digits = digits.padStart(spec.prec, '0');
    zero = false;
  } else if (spec.zero && spec.width !== undefined && !spec.minus) {
    digits = digits.padStart(
      spec.width - (signed ? 1 : 0) - (spec.sharp && base === 16 ? 2 : 0),
      '0',
    );
    zero = false;
  }
  if (spec.sharp && base === 16) digits = `0${upper ? 'X' : 'x'}${digits}`;
  const sign = n < 0 ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  return pad(sign + digits, spec, zero);
}

/** printArg(arg, 'v') under the current flags (also what a wrong verb prints inside `%!…(…)`). */
function formatValue(v: TValue, spec: Spec): string {
  if (typeof v === 'number') return fmtFloat(v, 'g', spec, -1);
  if (v instanceof GoInt) return fmtInteger(v.v, 10, false, spec);
  if (typeof v === 'string') return pad(truncate(v, spec), spec);
  if (v instanceof SafeHtml) return pad(truncate(v.s, spec), spec);
  if (v instanceof GoTime) return pad(truncate(timeString(v.ms), spec), spec);
  return pad(formatV(v), spec);
}

function bad(verb: string, v: TValue, spec: Spec): string {
  return v === null ? `%!${verb}(<nil>)` : `%!${verb}(${typeName(v)}=${formatValue(v, spec)})`;
}

/** One operand under one verb. */
export function formatOne(verb: string, v: TValue, spec: Spec): string {
  // %+v and %#v are Go's plusV/sharpV forms (struct field names, Go syntax), not flags on values.
  if (verb === 'v') {
    const plain = { ...spec, plus: false, sharp: false };
    // %#v of a string is its Go literal.
    if (spec.sharp && typeof v === 'string') return pad(goQuote(truncate(v, plain)), plain);
    return formatValue(v, plain);
  }
  if (typeof v === 'string' || v instanceof SafeHtml || v instanceof GoTime) {
    const s = typeof v === 'string' ? v : v instanceof SafeHtml ? v.s : timeString(v.ms);
    if (verb === 's') return pad(truncate(s, spec), spec);
    if (v instanceof GoTime) return bad(verb, v, spec);
    if (verb === 'q') return fmtQ(s, spec);
    if (verb === 'x' || verb === 'X') return fmtSbx(s, spec, verb === 'X');
    return bad(verb, v, spec);
  }
  if (typeof v === 'number') {
    if ('eEfFgG'.includes(verb))
      return fmtFloat(v, verb === 'F' ? 'f' : verb, spec, 'gG'.includes(verb) ? -1 : 6);
    return bad(verb, v, spec);
  }
  if (v instanceof GoInt) {
    if (verb === 'd') return fmtInteger(v.v, 10, false, spec);
    if (verb === 'x' || verb === 'X') return fmtInteger(v.v, 16, verb === 'X', spec);
    if (verb === 'c') return pad(String.fromCodePoint(v.v), spec);
    if (verb === 'q') return pad(`'${String.fromCodePoint(v.v)}'`, spec);
    return bad(verb, v, spec);
  }
  if (typeof v === 'boolean') return verb === 't' ? pad(String(v), spec) : bad(verb, v, spec);
  if (v instanceof GoMap && verb === 's') return pad(formatV(v), spec);
  return bad(verb, v, spec);
}
