/**
 * @module core/rule/template/builtins — text/template's predefined functions: and, or (lazy, in
 * exec.ts), not, len, index, print, printf, println, html, urlquery, and the comparisons
 * eq/ne/lt/le/gt/ge with Go's rule that operands of different basic kinds do not compare.
 */
import type { TemplateFunc } from './exec.ts';
import { goSprint, goSprintf, goSprintln } from './fmt.ts';
import { queryEscape } from './net.ts';
import {
  GoInt,
  GoMap,
  GoSlice,
  SafeHtml,
  TemplateExecError,
  truth,
  typeName,
  type TValue,
} from './value.ts';

type Kind = 'bool' | 'int' | 'float' | 'string' | 'other';

function kind(v: TValue): Kind {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'float';
  if (v instanceof GoInt) return 'int';
  if (typeof v === 'string' || v instanceof SafeHtml) return 'string';
  return 'other';
}

function basic(v: TValue): boolean | number | string | null {
  if (v instanceof GoInt) return v.v;
  if (v instanceof SafeHtml) return v.s;
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  return null;
}

const BAD_COMPARISON = 'incompatible types for comparison';

function arity(name: string, args: TValue[], n: number): void {
  if (args.length !== n)
    throw new TemplateExecError(`wrong number of args for ${name}: want ${n} got ${args.length}`);
}

function eq(args: TValue[]): boolean {
  if (args.length < 2) throw new TemplateExecError('missing argument for comparison');
  const a = args[0]!;
  for (const b of args.slice(1)) {
    const ka = kind(a);
    const kb = kind(b);
    if (ka === 'other' || kb === 'other') {
      if (a === null || b === null) {
        if (a === b) return true;
        continue;
      }
      throw new TemplateExecError('non-comparable types');
    }
    if (ka !== kb) throw new TemplateExecError(BAD_COMPARISON);
    if (basic(a) === basic(b)) return true;
  }
  return false;
}

function lt(args: TValue[]): boolean {
  arity('lt', args, 2);
  const [a, b] = args as [TValue, TValue];
  const ka = kind(a);
  const kb = kind(b);
  if (ka === 'other' || ka === 'bool' || kb === 'other' || kb === 'bool')
    throw new TemplateExecError('invalid type for comparison');
  if (ka !== kb) throw new TemplateExecError(BAD_COMPARISON);
  const x = basic(a)!;
  const y = basic(b)!;
  if (typeof x === 'string') return x < (y as string);
  return x < y;
}

function len(args: TValue[]): GoInt {
  arity('len', args, 1);
  const v = args[0]!;
  if (typeof v === 'string') return new GoInt(new TextEncoder().encode(v).length);
  if (v instanceof GoMap) return new GoInt(v.entries.size);
  if (v instanceof GoSlice) return new GoInt(v.items.length);
  throw new TemplateExecError(`len of type ${typeName(v)}`);
}

function index(args: TValue[]): TValue {
  if (args.length === 0)
    throw new TemplateExecError('wrong number of args for index: want at least 1 got 0');
  let v: TValue = args[0]!;
  for (const k of args.slice(1)) {
    if (v instanceof GoMap) {
      if (typeof k !== 'string')
        throw new TemplateExecError(`value has type ${typeName(k)}; should be string`);
      v = v.entries.has(k) ? v.entries.get(k)! : v.zero;
    } else if (v instanceof GoSlice) {
      const i = k instanceof GoInt ? k.v : NaN;
      if (!(i >= 0 && i < v.items.length))
        throw new TemplateExecError(`error calling index: index out of range: ${i}`);
      v = v.items[i]!;
    } else if (v === null) throw new TemplateExecError('index of untyped nil');
    else throw new TemplateExecError(`can't index item of type ${typeName(v)}`);
  }
  return v;
}

const HTML_ESC: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  "'": '&#39;',
  '"': '&#34;',
  '\0': '\uFFFD',
};

export const builtinFuncs: ReadonlyMap<string, TemplateFunc> = new Map<string, TemplateFunc>([
  ['and', () => null], // evaluated lazily by exec.ts
  ['or', () => null],
  ['not', (a) => (arity('not', a, 1), !truth(a[0]!))],
  ['len', len],
  ['index', index],
  ['print', (a) => goSprint(a)],
  ['println', (a) => goSprintln(a)],
  [
    'printf',
    (a) => {
      if (typeof a[0] !== 'string')
        throw new TemplateExecError(
          `wrong type for value; expected string; got ${typeName(a[0] ?? null)}`,
        );
      return goSprintf(a[0], a.slice(1));
    },
  ],
  ['html', (a) => goSprint(a).replace(/[<>&'"\0]/g, (c) => HTML_ESC[c]!)],
  ['urlquery', (a) => queryEscape(goSprint(a))],
  ['eq', eq],
  ['ne', (a) => (arity('ne', a, 2), !eq(a))],
  ['lt', lt],
  ['le', (a) => lt(a) || eq(a)],
  ['gt', (a) => !lt(a) && !eq(a)],
  ['ge', (a) => !lt(a)],
]);
