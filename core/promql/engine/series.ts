/**
 * @module core/promql/engine/series — label-set helpers shared by the engine's operators:
 * map keys for label sets, metric-name removal, and merging series that end up with the same
 * labels (Prometheus's per-step "vector cannot contain metrics with the same labelset" check).
 */
import { METRIC_NAME, compareStrings, type Label, type Labels } from '../../labels/labels.ts';
import { ExecutionError } from '../../errors.ts';
import type { StepSeries } from '../value.ts';

const keyCache = new WeakMap<Labels, string>();

/** A string that identifies a label set exactly (names and values cannot contain \xff\xfe pairs ambiguously). */
export function labelsKey(ls: Labels): string {
  let k = keyCache.get(ls);
  if (k === undefined) {
    k = '';
    for (const l of ls) k += `${l.name}\xff${l.value}\xfe`;
    keyCache.set(ls, k);
  }
  return k;
}

export function dropMetricName(ls: Labels): Labels {
  for (let i = 0; i < ls.length; i++) {
    if (ls[i]!.name === METRIC_NAME) return [...ls.slice(0, i), ...ls.slice(i + 1)];
  }
  return ls;
}

/** Labels with the given names only (Prometheus labels.Builder.Keep). */
export function keepLabels(ls: Labels, names: readonly string[]): Labels {
  const out: Label[] = [];
  for (const l of ls) if (names.includes(l.name)) out.push(l);
  return out;
}

/** Labels without the given names (labels.Builder.Del). */
export function deleteLabels(ls: Labels, names: readonly string[]): Labels {
  let hit = false;
  for (const l of ls) if (names.includes(l.name)) hit = true;
  if (!hit) return ls;
  const out: Label[] = [];
  for (const l of ls) if (!names.includes(l.name)) out.push(l);
  return out;
}

/** Sets (or, with an empty value, deletes) one label, keeping the set sorted. */
export function setLabel(ls: Labels, name: string, value: string): Labels {
  const out: Label[] = [];
  let done = false;
  for (const l of ls) {
    if (l.name === name) continue;
    if (!done && compareStrings(l.name, name) > 0) {
      if (value !== '') out.push({ name, value });
      done = true;
    }
    out.push(l);
  }
  if (!done && value !== '') out.push({ name, value });
  return out;
}

export const DUPLICATE_LABELSET = 'vector cannot contain metrics with the same labelset';

export function hasAnyPresent(s: StepSeries): boolean {
  const p = s.present;
  for (let i = 0; i < p.length; i++) if (p[i] === 1) return true;
  return false;
}

/**
 * Merges series with equal label sets into one, as Prometheus's range evaluation does when it
 * collects per-step outputs by label hash. Two of them present at the same step is the error
 * Prometheus raises. Series without any present step are dropped. Order: first occurrence.
 */
export function mergeSameLabels(series: StepSeries[]): StepSeries[] {
  let needs = false;
  const seen = new Map<string, number>();
  for (let i = 0; i < series.length; i++) {
    const k = labelsKey(series[i]!.labels);
    if (seen.has(k)) {
      needs = true;
      break;
    }
    seen.set(k, i);
  }
  if (!needs) return series.filter(hasAnyPresent);
  const out: StepSeries[] = [];
  const byKey = new Map<string, StepSeries>();
  for (const s of series) {
    if (!hasAnyPresent(s)) continue;
    const k = labelsKey(s.labels);
    const prev = byKey.get(k);
    if (prev === undefined) {
      // Copy: the merge writes into it, and the input may be shared.
      const copy: StepSeries = {
        labels: s.labels,
        values: s.values.slice(),
        present: s.present.slice(),
      };
      byKey.set(k, copy);
      out.push(copy);
      continue;
    }
    const pv = prev.values as Float64Array;
    const pp = prev.present as Uint8Array;
    for (let i = 0; i < s.present.length; i++) {
      if (s.present[i] !== 1) continue;
      if (pp[i] === 1) throw new ExecutionError(DUPLICATE_LABELSET);
      pp[i] = 1;
      pv[i] = s.values[i]!;
    }
  }
  return out;
}

/**
 * Prometheus's Matrix.ContainsSameLabelset after a range-vector function or unary minus: any two
 * non-empty series with equal labels are an error, even at different steps.
 */
export function checkUniqueStrict(series: StepSeries[]): StepSeries[] {
  const out = series.filter(hasAnyPresent);
  if (out.length < 2) return out;
  const seen = new Set<string>();
  for (const s of out) {
    const k = labelsKey(s.labels);
    if (seen.has(k)) throw new ExecutionError(DUPLICATE_LABELSET);
    seen.add(k);
  }
  return out;
}

export function newStepSeries(labels: Labels, count: number): StepSeries {
  return { labels, values: new Float64Array(count), present: new Uint8Array(count) };
}
