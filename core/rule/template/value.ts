/**
 * @module core/rule/template/value — the Go values a Prometheus alert template handles, each a
 * class so `%v`, comparisons and function argument checks can tell Go's types apart: float64 is
 * a JS number, int a GoInt, `map[string]string` a GoMap, `*sample` a TemplateSample, `*time.Time`
 * a GoTime, `html/template.HTML` a SafeHtml, nil is null.
 */
import { BadDataError } from '../../errors.ts';

/** A Go `int` (integer constants in templates, len, range indexes). */
export class GoInt {
  constructor(readonly v: number) {}
}

/** A Go map with string keys; `zero` is what a missing key yields (missingkey=zero). */
export class GoMap {
  constructor(
    readonly entries: ReadonlyMap<string, TValue>,
    readonly typeName: string,
    readonly zero: TValue,
  ) {}

  static ofStrings(m: ReadonlyMap<string, string> | Record<string, string>): GoMap {
    const entries = m instanceof Map ? m : new Map(Object.entries(m));
    return new GoMap(entries, 'map[string]string', '');
  }
}

/** A Go struct value (the alert template data); fields in declaration order. */
export class GoStruct {
  constructor(
    readonly fields: ReadonlyMap<string, TValue>,
    readonly typeName: string,
  ) {}
}

/** Prometheus template's `*sample`: one element of a query result. */
export class TemplateSample {
  constructor(
    readonly labels: GoMap,
    readonly value: number,
  ) {}
}

/** A Go `*time.Time` in UTC, millisecond precision (Prometheus's model.Time). */
export class GoTime {
  constructor(readonly ms: number) {}
}

/** html/template.HTML (safeHtml's result): prints as its text. */
export class SafeHtml {
  constructor(readonly s: string) {}
}

/** A Go slice; `typeName` for error messages (`[]*template.sample`). */
export class GoSlice {
  constructor(
    readonly items: readonly TValue[],
    readonly typeName: string,
  ) {}
}

export type TValue =
  | string
  | number
  | boolean
  | null
  | GoInt
  | GoMap
  | GoStruct
  | TemplateSample
  | GoTime
  | SafeHtml
  | GoSlice;

/** Go's type name of a value, as `%!d(float64=1)` and comparison errors print it. */
export function typeName(v: TValue): string {
  if (v === null) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof GoInt) return 'int';
  if (v instanceof GoMap || v instanceof GoStruct || v instanceof GoSlice) return v.typeName;
  if (v instanceof TemplateSample) return '*template.sample';
  if (v instanceof GoTime) return '*time.Time';
  return 'template.HTML';
}

/** text/template's truth: false, 0, nil, and empty strings, maps and slices are false. */
export function truth(v: TValue): boolean {
  if (v === null) return false;
  if (typeof v === 'string') return v !== '';
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'boolean') return v;
  if (v instanceof GoInt) return v.v !== 0;
  if (v instanceof GoMap) return v.entries.size > 0;
  if (v instanceof GoSlice) return v.items.length > 0;
  if (v instanceof SafeHtml) return v.s !== '';
  return true;
}

/** Raised while executing a template; the expander adds Go's `template: NAME:…` prefix. */
export class TemplateExecError extends BadDataError {}

/** A value as a float64, as Prometheus's convertToFloat accepts it (float, int, numeric string). */
export function toFloat(v: TValue, parseFloat: (s: string) => number): number {
  if (typeof v === 'number') return v;
  if (v instanceof GoInt) return v.v;
  if (typeof v === 'string') return parseFloat(v);
  throw new TemplateExecError(`can't convert ${typeName(v)} to float`);
}
