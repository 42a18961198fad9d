/** @module core/labels/labels — label sets as Prometheus defines them: sorted by name, unique names. */
import { goQuote } from '../gocompat/quote.ts';

export interface Label {
  readonly name: string;
  readonly value: string;
}

/** A label set, always sorted by name with unique names (Prometheus `labels.Labels`). */
export type Labels = readonly Label[];

export const METRIC_NAME = '__name__';

/** Builds a sorted label set from a plain object or pairs; empty values are dropped as in Prometheus. */
export function labelsFrom(
  input: Record<string, string> | Iterable<readonly [string, string]>,
): Labels {
  const entries =
    Symbol.iterator in input
      ? [...(input as Iterable<readonly [string, string]>)]
      : Object.entries(input);
  const out: Label[] = [];
  for (const [name, value] of entries) if (value !== '') out.push({ name, value });
  out.sort((a, b) => compareStrings(a.name, b.name));
  return out;
}

/** Byte-wise comparison of UTF-16 strings that matches Go's byte-wise UTF-8 ordering for all BMP and astral code points. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // Surrogates (0xD800–0xDFFF) encode code points above 0xFFFF, which sort after 0xE000–0xFFFF in UTF-8.
    if (ca >= 0xd800 && ca <= 0xdfff) ca += 0x2000;
    else if (ca >= 0xe000) ca -= 0x800;
    if (cb >= 0xd800 && cb <= 0xdfff) cb += 0x2000;
    else if (cb >= 0xe000) cb -= 0x800;
    return ca < cb ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * Adds external labels; on a name clash the external label wins, as Thanos's stores do. Both
 * sets sorted by name (as series labels are) merge in one pass: a store adds them to every series
 * of every block it reads.
 */
export function withExternal(ls: Labels, ext: Labels): Labels {
  if (ext.length === 0) return ls;
  for (let k = 1; k < ext.length; k++) {
    if (compareStrings(ext[k - 1]!.name, ext[k]!.name) >= 0) return withExternalUnsorted(ls, ext);
  }
  const out: Label[] = [];
  let j = 0;
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    if (i > 0 && compareStrings(ls[i - 1]!.name, l.name) >= 0) return withExternalUnsorted(ls, ext);
    while (j < ext.length && compareStrings(ext[j]!.name, l.name) < 0) out.push(ext[j++]!);
    if (j < ext.length && ext[j]!.name === l.name) continue;
    out.push(l);
  }
  while (j < ext.length) out.push(ext[j++]!);
  return out;
}

function withExternalUnsorted(ls: Labels, ext: Labels): Labels {
  const out = ls.filter((l) => !ext.some((e) => e.name === l.name)).concat(ext);
  out.sort((a, b) => compareStrings(a.name, b.name));
  return out;
}

/** Orders label sets as Prometheus's `labels.Compare` does. */
export function compareLabels(a: Labels, b: Labels): number {
  return compareLabelsFrom(a, b, 0);
}

/** compareLabels of two sets whose first `from` labels are known equal. */
function compareLabelsFrom(a: Labels, b: Labels, from: number): number {
  const n = Math.min(a.length, b.length);
  for (let i = from; i < n; i++) {
    const la = a[i]!;
    const lb = b[i]!;
    if (la.name !== lb.name) return compareStrings(la.name, lb.name);
    if (la.value !== lb.value) return compareStrings(la.value, lb.value);
  }
  return a.length - b.length;
}

/**
 * Orders label sets as if the `ignored` labels were absent, then ties by the full sets. The
 * series of HA replicas (equal but for replica labels) come next to each other in this order,
 * which is what lets deduplication stream.
 */
export function compareLabelsIgnoring(a: Labels, b: Labels, ignored: ReadonlySet<string>): number {
  if (ignored.size === 0) return compareLabels(a, b);
  // A common prefix orders nothing either way (its labels are ignored in both or in neither):
  // skipped without set lookups, which makes equal sets, a merge's usual case, cheap.
  let p = 0;
  const n = Math.min(a.length, b.length);
  while (p < n && a[p]!.name === b[p]!.name && a[p]!.value === b[p]!.value) p++;
  if (p === a.length && p === b.length) return 0;
  let i = p;
  let j = p;
  for (;;) {
    while (i < a.length && ignored.has(a[i]!.name)) i++;
    while (j < b.length && ignored.has(b[j]!.name)) j++;
    if (i === a.length || j === b.length) {
      if (i < a.length) return 1;
      if (j < b.length) return -1;
      return compareLabelsFrom(a, b, p);
    }
    const la = a[i++]!;
    const lb = b[j++]!;
    if (la.name !== lb.name) return compareStrings(la.name, lb.name);
    if (la.value !== lb.value) return compareStrings(la.value, lb.value);
  }
}

export function getLabel(ls: Labels, name: string): string {
  for (const l of ls) if (l.name === name) return l.value;
  return '';
}

/** Prometheus's text form `{a="1", b="2"}` (`Labels.String()`), values quoted as Go's strconv.Quote. */
export function labelsToString(ls: Labels): string {
  const parts: string[] = [];
  for (const l of ls) parts.push(`${l.name}=${goQuote(l.value)}`);
  return `{${parts.join(', ')}}`;
}

/** Whether two label sets are identical (same names and values in the same order). */
export function labelsEqual(a: Labels, b: Labels): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.name !== b[i]!.name || a[i]!.value !== b[i]!.value) return false;
  }
  return true;
}

/**
 * A string key for maps that is equal exactly when the label sets are equal. Each name and value
 * is length-prefixed, so no content (not even `\xff`, a valid JS character) can forge a boundary.
 */
export function labelsHash(ls: Labels): string {
  let key = '';
  for (const l of ls) key += `${l.name.length}:${l.name}${l.value.length}:${l.value}`;
  return key;
}

/**
 * The set without the given names. Unlike Prometheus's `Labels.WithoutLabels`, `__name__` is only
 * dropped when listed (PromQL's `without`/`ignoring` callers list it themselves).
 */
export function withoutLabels(ls: Labels, names: Iterable<string>): Labels {
  const drop = names instanceof Set ? (names as ReadonlySet<string>) : new Set(names);
  return ls.filter((l) => !drop.has(l.name));
}

/** The set restricted to the given names (Prometheus's `Labels.WithLabels`). */
export function onlyLabels(ls: Labels, names: Iterable<string>): Labels {
  const keep = names instanceof Set ? (names as ReadonlySet<string>) : new Set(names);
  return ls.filter((l) => keep.has(l.name));
}
