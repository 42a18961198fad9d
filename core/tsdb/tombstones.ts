/**
 * @module core/tsdb/tombstones — a block's `tombstones` file: deleted time intervals per series.
 * Layout: magic 0x0130BA30 <4b> | version 1 <1b> | (series ref <uvarint64>, mint <varint64>,
 * maxt <varint64>)* | CRC32C of the entries <4b>. Intervals are inclusive and merged on load.
 * Spec: prometheus tsdb/docs/format/tombstones.md (the CRC covers the entries after the version).
 */
import { CorruptBlockError } from '../errors.ts';
import { Decbuf, crc32c } from './encoding.ts';

export const TOMBSTONES_FILENAME = 'tombstones';
export const MAGIC_TOMBSTONES = 0x0130ba30;
export const TOMBSTONES_FORMAT_V1 = 1;
const HEADER_LEN = 5;
const CRC_LEN = 4;

/** Deleted ranges of one series: sorted, non-overlapping, inclusive [mint, maxt] pairs. */
export type Intervals = readonly (readonly [number, number])[];

export class Tombstones {
  readonly #m = new Map<number, [number, number][]>();

  get size(): number {
    return this.#m.size;
  }

  /** Total number of intervals (meta.json's numTombstones). */
  get intervalCount(): number {
    let n = 0;
    for (const v of this.#m.values()) n += v.length;
    return n;
  }

  get(ref: number): Intervals | undefined {
    return this.#m.get(ref);
  }

  /** Adds [mint, maxt], merging with overlapping or adjacent intervals (Prometheus `AddInterval`). */
  add(ref: number, mint: number, maxt: number): void {
    const list = this.#m.get(ref) ?? [];
    list.push([mint, maxt]);
    list.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const iv of list) {
      const last = merged[merged.length - 1];
      if (last && iv[0] <= last[1] + 1) last[1] = Math.max(last[1], iv[1]);
      else merged.push([iv[0], iv[1]]);
    }
    this.#m.set(ref, merged);
  }
}

/** True when t lies in one of the intervals. */
export function isDeleted(ivs: Intervals, t: number): boolean {
  for (const [a, b] of ivs) {
    if (t < a) return false;
    if (t <= b) return true;
  }
  return false;
}

/** Int64 bounds (±2^63, as `math.MinInt64`/`MaxInt64` deletes write) become ±Infinity-safe numbers. */
function toNumber(v: bigint): number {
  if (v <= -(2n ** 53n)) return Number.MIN_SAFE_INTEGER;
  if (v >= 2n ** 53n) return Number.MAX_SAFE_INTEGER;
  return Number(v);
}

export function parseTombstones(b: Uint8Array, block?: string): Tombstones {
  const loc = (offset: number) => ({ block, file: TOMBSTONES_FILENAME, offset });
  if (b.length < HEADER_LEN + CRC_LEN)
    throw new CorruptBlockError(`tombstones too small (${b.length} bytes)`, loc(0));
  const d = new Decbuf(b, 0, b.length - CRC_LEN);
  const magic = d.be32();
  if (magic !== MAGIC_TOMBSTONES)
    throw new CorruptBlockError(`invalid tombstones magic 0x${magic.toString(16)}`, loc(0));
  const version = d.byte();
  if (version !== TOMBSTONES_FORMAT_V1)
    throw new CorruptBlockError(`unsupported tombstones version ${version}`, loc(4));
  const want = new Decbuf(b, b.length - CRC_LEN).be32();
  if (crc32c(b, 0, HEADER_LEN, b.length - CRC_LEN) !== want) {
    throw new CorruptBlockError('tombstones checksum mismatch', loc(b.length - CRC_LEN));
  }
  const t = new Tombstones();
  while (d.remaining > 0 && !d.err) {
    const at = d.pos;
    const ref = d.uvarint();
    const mint = toNumber(d.varint64());
    const maxt = toNumber(d.varint64());
    if (d.err) throw new CorruptBlockError(`read tombstone: ${d.err}`, loc(at));
    t.add(ref, mint, maxt);
  }
  return t;
}
