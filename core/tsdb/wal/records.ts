/**
 * @module core/tsdb/wal/records — the WAL record kinds the head replays for reading: series
 * (ref → labels), float samples, tombstones (prometheus tsdb/record). Other kinds (exemplars,
 * m-map markers, metadata, histograms) are reported as their type and skipped.
 */
import type { Label, Labels } from '../../labels/labels.ts';
import { Decbuf } from '../encoding.ts';

export const RECORD_SERIES = 1;
export const RECORD_SAMPLES = 2;
export const RECORD_TOMBSTONES = 3;

export interface WalSeries {
  ref: number;
  labels: Labels;
}

/** Columnar samples of one record. */
export interface WalSamples {
  refs: Float64Array;
  t: Float64Array;
  v: Float64Array;
}

export interface WalStone {
  ref: number;
  mint: number;
  maxt: number;
}

const clamp = (v: bigint): number =>
  v <= -(2n ** 53n)
    ? Number.MIN_SAFE_INTEGER
    : v >= 2n ** 53n
      ? Number.MAX_SAFE_INTEGER
      : Number(v);

/** Parses a series record; returns the error text on malformed input. */
export function decodeSeries(rec: Uint8Array): WalSeries[] | string {
  const d = new Decbuf(rec, 1);
  const out: WalSeries[] = [];
  while (d.remaining > 0 && !d.err) {
    const ref = d.be64();
    const n = d.uvarint();
    if (n * 2 > d.remaining) return 'series record: label count exceeds record';
    const labels: Label[] = [];
    for (let i = 0; i < n; i++) labels.push({ name: d.uvarintStr(), value: d.uvarintStr() });
    out.push({ ref, labels });
  }
  return d.err ? `series record: ${d.err}` : out;
}

export function decodeSamples(rec: Uint8Array): WalSamples | string {
  const d = new Decbuf(rec, 1);
  const baseRef = Number(d.be64BigInt());
  const baseT = clamp(BigInt.asIntN(64, d.be64BigInt()));
  // Each row is ≥ 10 bytes (two varints and a float).
  const max = Math.floor(d.remaining / 10);
  const refs = new Float64Array(max);
  const t = new Float64Array(max);
  const v = new Float64Array(max);
  const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
  let n = 0;
  while (d.remaining > 0 && !d.err && n < max) {
    // Deltas are small: plain-number varints are exact here.
    refs[n] = baseRef + d.varint();
    t[n] = baseT + d.varint();
    if (d.remaining < 8) return 'samples record: truncated value';
    v[n] = dv.getFloat64(d.pos);
    d.skip(8);
    n++;
  }
  if (d.err) return `samples record: ${d.err}`;
  if (d.remaining > 0) return 'samples record: trailing bytes';
  return { refs: refs.subarray(0, n), t: t.subarray(0, n), v: v.subarray(0, n) };
}

export function decodeTombstones(rec: Uint8Array): WalStone[] | string {
  const d = new Decbuf(rec, 1);
  const out: WalStone[] = [];
  while (d.remaining > 0 && !d.err) {
    const ref = d.be64();
    const mint = clamp(d.varint64());
    const maxt = clamp(d.varint64());
    out.push({ ref, mint, maxt });
  }
  return d.err ? `tombstones record: ${d.err}` : out;
}
