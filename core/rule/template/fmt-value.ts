/**
 * @module core/rule/template/fmt-value — Go's default print form of template values (`%v`,
 * fmt.Sprint, and what an action prints): floats as strconv 'g' shortest, maps with sorted keys,
 * `*sample` as `&{map[…] 1}`, times as time.Time.String().
 */
import { goFormatFloat } from '../../gocompat/strconv.ts';
import { goTimeString } from '../../gocompat/time.ts';
import {
  GoInt,
  GoMap,
  GoSlice,
  GoStruct,
  GoTime,
  SafeHtml,
  TemplateSample,
  type TValue,
} from './value.ts';

/** Go's time.Time String() in UTC: `1970-01-01 00:00:01.5 +0000 UTC`. */
export function timeString(ms: number): string {
  const sec = Math.floor(ms / 1000);
  const frac = ms - sec * 1000;
  const base = goTimeString(sec);
  if (frac === 0) return base;
  const digits = String(frac).padStart(3, '0').replace(/0+$/, '');
  return base.replace(' +0000', `.${digits} +0000`);
}

function floatV(v: number): string {
  return goFormatFloat(v, 'g', -1);
}

/** `%v` of a value (Go's default format). */
export function formatV(v: TValue): string {
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return floatV(v);
  if (typeof v === 'boolean') return String(v);
  if (v instanceof GoInt) return String(v.v);
  if (v instanceof SafeHtml) return v.s;
  if (v instanceof GoTime) return timeString(v.ms);
  if (v instanceof GoMap) {
    const keys = [...v.entries.keys()].sort();
    return `map[${keys.map((k) => `${k}:${formatV(v.entries.get(k)!)}`).join(' ')}]`;
  }
  if (v instanceof GoSlice) return `[${v.items.map(formatV).join(' ')}]`;
  if (v instanceof TemplateSample) return `&{${formatV(v.labels)} ${floatV(v.value)}}`;
  if (v instanceof GoStruct) return `{${[...v.fields.values()].map(formatV).join(' ')}}`;
  return String(v);
}
