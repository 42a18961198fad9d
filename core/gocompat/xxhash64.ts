/**
 * @module core/compact/xxhash64 — XXH64 with seed 0 (github.com/cespare/xxhash's Sum64), and
 * Prometheus's `labels.Labels.Hash` over it: name, 0xff, value, 0xff per label. Thanos names a
 * compaction group `<resolution>@<that hash>`, so group keys here read the same as Thanos's.
 * BigInt arithmetic: it runs once per block per sync, never per series.
 * Spec: https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md
 */
import type { Labels } from '../labels/labels.ts';

const M = (1n << 64n) - 1n;
const P1 = 11400714785074694791n;
const P2 = 14029467366897019727n;
const P3 = 1609587929392839161n;
const P4 = 9650029242287828579n;
const P5 = 2870177450012600261n;
/** Prometheus's label separator byte (labels.seps). */
const SEP = 0xff;

function rotl(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & M;
}

function round(acc: bigint, lane: bigint): bigint {
  return (rotl((acc + lane * P2) & M, 31n) * P1) & M;
}

function mergeRound(acc: bigint, v: bigint): bigint {
  return ((((acc ^ round(0n, v)) * P1) & M) + P4) & M;
}

function u64(b: Uint8Array, i: number): bigint {
  const dv = new DataView(b.buffer, b.byteOffset + i, 8);
  return dv.getBigUint64(0, true);
}

function u32(b: Uint8Array, i: number): bigint {
  return BigInt(new DataView(b.buffer, b.byteOffset + i, 4).getUint32(0, true));
}

/** XXH64(b, seed 0) as an unsigned 64-bit BigInt. */
export function xxhash64(b: Uint8Array): bigint {
  const n = b.length;
  let i = 0;
  let h: bigint;
  if (n >= 32) {
    let v1 = (P1 + P2) & M;
    let v2 = P2;
    let v3 = 0n;
    let v4 = (0n - P1) & M;
    for (; i + 32 <= n; i += 32) {
      v1 = round(v1, u64(b, i));
      v2 = round(v2, u64(b, i + 8));
      v3 = round(v3, u64(b, i + 16));
      v4 = round(v4, u64(b, i + 24));
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & M;
    h = mergeRound(h, v1);
    h = mergeRound(h, v2);
    h = mergeRound(h, v3);
    h = mergeRound(h, v4);
  } else {
    h = P5;
  }
  h = (h + BigInt(n)) & M;
  for (; i + 8 <= n; i += 8) h = (((rotl(h ^ round(0n, u64(b, i)), 27n) * P1) & M) + P4) & M;
  for (; i + 4 <= n; i += 4) h = (((rotl(h ^ ((u32(b, i) * P1) & M), 23n) * P2) & M) + P3) & M;
  for (; i < n; i++) h = (rotl(h ^ ((BigInt(b[i]!) * P5) & M), 11n) * P1) & M;
  h ^= h >> 33n;
  h = (h * P2) & M;
  h ^= h >> 29n;
  h = (h * P3) & M;
  h ^= h >> 32n;
  return h;
}

/** Prometheus's `labels.Labels.Hash()` of a sorted label set, as a decimal string. */
export function prometheusLabelsHash(ls: Labels): string {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  let len = 0;
  for (const l of ls) {
    for (const s of [l.name, l.value]) {
      const b = enc.encode(s);
      parts.push(b, new Uint8Array([SEP]));
      len += b.length + 1;
    }
  }
  const all = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return xxhash64(all).toString();
}
