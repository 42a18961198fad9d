/**
 * @module core/tsdb/wal/head-replay — rebuilds the head (the samples not yet in a block) the
 * way Prometheus 2.42's `Head.Init` does for a read-only open: m-mapped head chunks
 * (`chunks_head/000001`…), then the last WAL checkpoint, then the WAL segments after it.
 * Samples before `minValidTime` (the last block's max time), at or before a series' last
 * m-mapped chunk, or not after the series' previous sample are dropped, as the head drops them.
 */
import { decodeXor, xorSampleCount } from '../../chunkenc/xor.ts';
import { CorruptBlockError } from '../../errors.ts';
import { compareLabels, type Labels } from '../../labels/labels.ts';
import { ENCODING_XOR } from '../chunk-reader.ts';
import { Decbuf, crc32c } from '../encoding.ts';
import { Tombstones, type Intervals } from '../tombstones.ts';
import {
  RECORD_SAMPLES,
  RECORD_SERIES,
  RECORD_TOMBSTONES,
  decodeSamples,
  decodeSeries,
  decodeTombstones,
} from './records.ts';
import { walRecords, type WalSegment } from './wal-reader.ts';

export const MAGIC_HEAD_CHUNKS = 0x0130bc91;
const HEAD_CHUNK_HEADER = 8;
/** Flag on the encoding byte of out-of-order head chunks. */
const OOO_FLAG = 0x80;

export interface HeadInput {
  /** Segments of the last `wal/checkpoint.N` (empty if none). */
  checkpoint: readonly WalSegment[];
  /** WAL segments numbered after the checkpoint, in order. */
  segments: readonly WalSegment[];
  /** `chunks_head` files in order. */
  headChunks: readonly WalSegment[];
  minValidTime: number;
}

export interface HeadSeries {
  /** Head series ref (creation order): the order of an unsorted head select. */
  ref: number;
  labels: Labels;
  t: Float64Array;
  v: Float64Array;
  deleted: Intervals | undefined;
}

interface MmapChunk {
  mint: number;
  maxt: number;
  data: Uint8Array;
}

interface State {
  labels: Labels;
  mm: MmapChunk[];
  mmMaxTime: number;
  t: number[];
  v: number[];
}

function headChunks(files: readonly WalSegment[], minValidTime: number): Map<number, MmapChunk[]> {
  const out = new Map<number, MmapChunk[]>();
  for (const f of files) {
    const b = f.bytes;
    const fail = (off: number, msg: string): never => {
      throw new CorruptBlockError(`head chunks: ${msg}`, { file: f.name, offset: off });
    };
    const h = new Decbuf(b);
    if (h.be32() !== MAGIC_HEAD_CHUNKS || h.byte() !== 1) fail(0, 'invalid header');
    let p = HEAD_CHUNK_HEADER;
    while (p < b.length) {
      // A crash can leave zeros after the last chunk.
      if (b.subarray(p).every((x) => x === 0)) break;
      const d = new Decbuf(b, p);
      const ref = d.be64();
      const mint = Number(BigInt.asIntN(64, d.be64BigInt()));
      const maxt = Number(BigInt.asIntN(64, d.be64BigInt()));
      const enc = d.byte();
      const len = d.uvarint();
      const ds = d.pos;
      d.skip(len);
      const crc = d.be32();
      if (d.err) fail(p, `chunk: ${d.err}`);
      if (crc32c(b, 0, p, ds + len) !== crc) fail(p, 'chunk checksum mismatch');
      if ((enc & OOO_FLAG) === 0 && enc === ENCODING_XOR && maxt >= minValidTime) {
        let l = out.get(ref);
        if (!l) out.set(ref, (l = []));
        l.push({ mint, maxt, data: b.subarray(ds, ds + len) });
      }
      p = d.pos;
    }
  }
  return out;
}

export interface Head {
  /** Series with samples, sorted by labels. */
  series: HeadSeries[];
  /** Smallest sample timestamp (Prometheus's `head.MinTime()`), +Infinity when empty. */
  minTime: number;
}

/** Replays the head. */
export function replayHead(input: HeadInput): Head {
  const mmapped = headChunks(input.headChunks, input.minValidTime);
  const series = new Map<number, State>();
  const byKey = new Map<string, number>();
  const multiRef = new Map<number, number>();
  const stones = new Tombstones();
  const { minValidTime } = input;
  const bad = (msg: string): never => {
    throw new CorruptBlockError(`wal: ${msg}`, { file: 'wal' });
  };
  for (const rec of walRecords([...input.checkpoint, ...input.segments])) {
    switch (rec[0]) {
      case RECORD_SERIES: {
        const recs = decodeSeries(rec);
        if (typeof recs === 'string') bad(recs);
        for (const s of recs as ReturnType<typeof decodeSeries> & object[]) {
          const key = JSON.stringify(s.labels);
          const have = byKey.get(key);
          if (have !== undefined) {
            if (have !== s.ref) multiRef.set(s.ref, have);
            continue;
          }
          byKey.set(key, s.ref);
          const mm = mmapped.get(s.ref) ?? [];
          const mmMaxTime = mm.length > 0 ? mm[mm.length - 1]!.maxt : -Infinity;
          series.set(s.ref, { labels: s.labels, mm, mmMaxTime, t: [], v: [] });
        }
        break;
      }
      case RECORD_SAMPLES: {
        const r = decodeSamples(rec);
        if (typeof r === 'string') bad(r);
        const { refs, t, v } = r as Exclude<typeof r, string>;
        for (let i = 0; i < refs.length; i++) {
          const ref = multiRef.get(refs[i]!) ?? refs[i]!;
          const s = series.get(ref);
          const ts = t[i]!;
          if (!s || ts < minValidTime || ts <= s.mmMaxTime) continue;
          const last = s.t.length > 0 ? s.t[s.t.length - 1]! : -Infinity;
          if (ts <= last) continue; // out of order or duplicate: the head rejects it
          s.t.push(ts);
          s.v.push(v[i]!);
        }
        break;
      }
      case RECORD_TOMBSTONES: {
        const r = decodeTombstones(rec);
        if (typeof r === 'string') bad(r);
        for (const st of r as Exclude<typeof r, string>) {
          const ref = multiRef.get(st.ref) ?? st.ref;
          if (series.has(ref)) stones.add(ref, st.mint, st.maxt);
        }
        break;
      }
      default:
      // exemplars, m-map markers, metadata, histograms: not needed to read float samples
    }
  }
  const out: HeadSeries[] = [];
  let minTime = Infinity;
  for (const [ref, s] of series) {
    let n = s.t.length;
    for (const c of s.mm) n += xorSampleCount(c.data);
    if (n === 0) continue;
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    let k = 0;
    for (const c of s.mm) k += decodeXor(c.data, -Infinity, Infinity, t, v, k);
    for (let i = 0; i < s.t.length; i++, k++) {
      t[k] = s.t[i]!;
      v[k] = s.v[i]!;
    }
    if (k > 0 && t[0]! < minTime) minTime = t[0]!;
    out.push({
      ref,
      labels: s.labels,
      t: t.subarray(0, k),
      v: v.subarray(0, k),
      deleted: stones.get(ref),
    });
  }
  out.sort((a, b) => compareLabels(a.labels, b.labels));
  return { series: out, minTime };
}
