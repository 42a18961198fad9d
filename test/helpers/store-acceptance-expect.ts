/**
 * @module test/helpers/store-acceptance-expect — what the StoreAPI acceptance suite expects,
 * computed from the data set and the request: the series and samples a series answer must hold
 * (checked down to each decoded chunk), and the bounds a label answer must stay within.
 */
import { expect } from 'vitest';
import { decodeXor, xorSampleCount } from '../../core/chunkenc/xor.ts';
import {
  compareLabels,
  compareStrings,
  getLabel,
  labelsToString,
  type Labels,
} from '../../core/labels/labels.ts';
import type { Matcher } from '../../core/labels/matcher.ts';
import type { LabelsResponse, SeriesFrame } from '../../core/storeapi/store.ts';
import type { TimeRange } from './store-acceptance-cases.ts';
import type { DataSeries, StoreDataSet } from './store-acceptance-data.ts';

/** Series of the data set with the external labels added (none clash with a series' own). */
function withExternal(s: DataSeries, data: StoreDataSet): Labels {
  return [...s.labels, ...data.externalLabels].sort((a, b) => compareStrings(a.name, b.name));
}

export function matching(
  data: StoreDataSet,
  matchers: readonly Matcher[],
): { labels: Labels; s: DataSeries }[] {
  return data.series
    .map((s) => ({ labels: withExternal(s, data), s }))
    .filter(({ labels }) => matchers.every((x) => x.matches(getLabel(labels, x.name))))
    .sort((a, b) => compareLabels(a.labels, b.labels));
}

function samplesIn(s: DataSeries, minTime: number, maxTime: number): { t: number[]; v: number[] } {
  const t: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < s.t.length; i++) {
    if (s.t[i]! >= minTime && s.t[i]! <= maxTime) {
      t.push(s.t[i]!);
      v.push(s.v[i]!);
    }
  }
  return { t, v };
}

/** Whether a chunk of this series could overlap the range without a sample in it (samples on both sides). */
function mayBridge(s: DataSeries, minTime: number, maxTime: number): boolean {
  return s.t[0]! < minTime && s.t[s.t.length - 1]! > maxTime;
}

function decodeChunk(data: Uint8Array): { t: Float64Array; v: Float64Array } {
  const n = xorSampleCount(data);
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  const got = decodeXor(data, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, t, v, 0);
  return { t: t.subarray(0, got), v: v.subarray(0, got) };
}

/**
 * Checks a series answer against the data set: sorted, unique, exactly the matching series with
 * samples in the range (plus, allowed, a series whose chunk may span the range without a sample in
 * it), every chunk overlapping the range and holding the data's samples, and all samples in the
 * range present. Chunks of overlapping blocks or stores may repeat samples; they must agree.
 */
export function checkSeries(
  frames: readonly SeriesFrame[],
  data: StoreDataSet,
  matchers: readonly Matcher[],
  range: TimeRange,
  opts: { skipChunks: boolean; warnings: 'none' | 'some' },
): Labels[] {
  const ctx = `${matchers.join(', ')} over ${range.name}`;
  const warnings = frames.flatMap((f) => (f.type === 'warning' ? [f.warning] : []));
  if (opts.warnings === 'none') expect(warnings, `${ctx}: warnings`).toEqual([]);
  else expect(warnings.length, `${ctx}: warnings`).toBeGreaterThan(0);
  const got = frames.flatMap((f) => (f.type === 'series' ? [f] : []));
  // Problems are collected and asserted once: an expect per sample would dominate the run time.
  const problems: string[] = [];
  for (let i = 1; i < got.length; i++) {
    if (compareLabels(got[i - 1]!.labels, got[i]!.labels) >= 0)
      problems.push(
        `${labelsToString(got[i]!.labels)} after ${labelsToString(got[i - 1]!.labels)}`,
      );
  }
  const want = new Map<string, { s: DataSeries; required: boolean }>();
  for (const { labels, s } of matching(data, matchers)) {
    const inRange = samplesIn(s, range.minTime, range.maxTime).t.length > 0;
    if (inRange || mayBridge(s, range.minTime, range.maxTime))
      want.set(labelsToString(labels), { s, required: inRange });
  }
  const seen = new Set<string>();
  for (const f of got) {
    const key = labelsToString(f.labels);
    const w = want.get(key);
    if (!w) {
      problems.push(`unexpected series ${key}`);
      continue;
    }
    seen.add(key);
    if (opts.skipChunks) {
      if (f.chunks.length > 0)
        problems.push(`${key}: ${f.chunks.length} chunks despite skipChunks`);
      continue;
    }
    const samples = new Map<number, number>();
    for (const c of f.chunks) {
      const span = `${key} chunk [${c.minTime}, ${c.maxTime}]`;
      if (c.maxTime < range.minTime || c.minTime > range.maxTime)
        problems.push(`${span} outside the range`);
      if (c.raw?.encoding !== 'XOR') {
        problems.push(`${span}: encoding ${c.raw?.encoding}`);
        continue;
      }
      const d = decodeChunk(c.raw.data);
      if (d.t.length === 0 || d.t[0]! < c.minTime || d.t[d.t.length - 1]! > c.maxTime)
        problems.push(`${span} holds ${d.t.length} samples, from ${d.t[0]} to ${d.t.at(-1)}`);
      const index = sampleIndex(w.s);
      for (let i = 0; i < d.t.length; i++) {
        const at = index.get(d.t[i]!);
        if (at === undefined)
          problems.push(`${span}: a sample at ${d.t[i]} the data does not have`);
        else if (!Object.is(d.v[i], w.s.v[at]))
          problems.push(`${span}: at ${d.t[i]} ${d.v[i]} instead of ${w.s.v[at]}`);
        else if (d.t[i]! >= range.minTime && d.t[i]! <= range.maxTime)
          samples.set(d.t[i]!, d.v[i]!);
      }
    }
    const t = [...samples.keys()].sort((a, b) => a - b);
    const wantT = samplesIn(w.s, range.minTime, range.maxTime).t;
    if (t.length !== wantT.length || t.some((x, i) => x !== wantT[i]))
      problems.push(`${key}: ${t.length} samples in the range instead of ${wantT.length}`);
  }
  for (const [key, w] of want) if (w.required && !seen.has(key)) problems.push(`missing ${key}`);
  expect(problems.slice(0, 20), `${ctx}: ${problems.length} problems`).toEqual([]);
  return got.map((f) => f.labels);
}

const indexes = new WeakMap<DataSeries, Map<number, number>>();

/** Sample position by timestamp, per data series (built once). */
function sampleIndex(s: DataSeries): Map<number, number> {
  let index = indexes.get(s);
  if (!index) {
    index = new Map();
    for (let i = 0; i < s.t.length; i++) index.set(s.t[i]!, i);
    indexes.set(s, index);
  }
  return index;
}

/** Label names (or values of `name`) the data requires for a request, and those it can explain. */
export function labelBounds(
  data: StoreDataSet,
  matchers: readonly Matcher[],
  range: TimeRange,
  name: string | undefined,
): { required: Set<string>; allowed: Set<string> } {
  const required = new Set<string>();
  const allowed = new Set<string>();
  const add = (into: Set<string>, ls: Labels): void => {
    for (const l of ls) if (name === undefined) into.add(l.name);
    if (name !== undefined && getLabel(ls, name) !== '') into.add(getLabel(ls, name));
  };
  for (const { labels, s } of matching(data, matchers)) {
    add(allowed, labels);
    if (samplesIn(s, range.minTime, range.maxTime).t.length > 0) add(required, labels);
  }
  // Stores answer external labels from their configuration, not from series (Thanos's sidecar
  // returns its external label's value for any matchers): those are always explained.
  add(allowed, data.externalLabels);
  // Outside the data no block or head overlaps: only external labels can come back.
  if (range.outside) {
    for (const v of [...allowed]) {
      const ext = data.externalLabels.some((l) =>
        name === undefined ? l.name === v : l.name === name && l.value === v,
      );
      if (!ext) allowed.delete(v);
    }
  }
  return { required, allowed };
}

export function checkLabels(
  res: LabelsResponse,
  bounds: { required: Set<string>; allowed: Set<string> },
  ctx: string,
): void {
  expect(res.values, `${ctx}: sorted and unique`).toEqual(
    [...new Set(res.values)].sort(compareStrings),
  );
  for (const v of bounds.required) expect(res.values, `${ctx}: missing ${v}`).toContain(v);
  for (const v of res.values) expect(bounds.allowed.has(v), `${ctx}: unexpected ${v}`).toBe(true);
}
