/**
 * @module core/tsdb/wal/wal-reader — records of a Prometheus WAL (`wal/00000000`…, and the
 * segments of `wal/checkpoint.N/`): 32 KiB pages of fragments `type <1b> | len <2b> |
 * CRC32C <4b> | data`; type 1 full, 2 first, 3 middle, 4 last, 0 "rest of page empty"; bit 3
 * marks a Snappy-compressed record. Records never span segments.
 * Spec: prometheus tsdb/docs/format/wal.md and tsdb/wlog.
 */
import { CorruptBlockError } from '../../errors.ts';
import { crc32c } from '../encoding.ts';
import { SnappyError, snappyDecode } from './snappy.ts';

export const WAL_PAGE_SIZE = 32 * 1024;
const HEADER = 7;
const REC_PAGE_TERM = 0;
const REC_FULL = 1;
const REC_FIRST = 2;
const REC_MIDDLE = 3;
const REC_LAST = 4;
const SNAPPY_FLAG = 0x08;
const TYPE_MASK = 0x07;

export interface WalSegment {
  /** Path for errors, e.g. `wal/00000003`. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Yields each record of the segments in order (decompressed). */
export function* walRecords(segments: readonly WalSegment[]): Generator<Uint8Array> {
  for (const seg of segments) {
    const b = seg.bytes;
    const fail = (off: number, msg: string): never => {
      throw new CorruptBlockError(`wal: ${msg}`, { file: seg.name, offset: off });
    };
    let parts: Uint8Array[] = [];
    let compressed = false;
    let recStart = 0;
    let p = 0;
    while (p < b.length) {
      const pageEnd = (Math.floor(p / WAL_PAGE_SIZE) + 1) * WAL_PAGE_SIZE;
      if (pageEnd - p < HEADER) {
        p = pageEnd; // too little room for a header: the writer padded the page
        continue;
      }
      const t = b[p]!;
      const typ = t & TYPE_MASK;
      if (typ === REC_PAGE_TERM) {
        p = pageEnd;
        continue;
      }
      if (p + HEADER > b.length) fail(p, 'truncated fragment header');
      const len = (b[p + 1]! << 8) | b[p + 2]!;
      const crc = ((b[p + 3]! << 24) | (b[p + 4]! << 16) | (b[p + 5]! << 8) | b[p + 6]!) >>> 0;
      const ds = p + HEADER;
      if (ds + len > Math.min(pageEnd, b.length)) fail(p, `fragment of ${len} bytes past its page`);
      if (crc32c(b, 0, ds, ds + len) !== crc) fail(p, 'fragment checksum mismatch');
      const data = b.subarray(ds, ds + len);
      if (typ === REC_FULL || typ === REC_FIRST) {
        if (parts.length > 0) fail(p, 'new record before the previous one ended');
        recStart = p;
        compressed = (t & SNAPPY_FLAG) !== 0;
      } else if ((typ === REC_MIDDLE || typ === REC_LAST) && parts.length === 0) {
        fail(p, 'continuation fragment without a first fragment');
      } else if (typ > REC_LAST) {
        fail(p, `unknown fragment type ${typ}`);
      }
      parts.push(data);
      p = ds + len;
      if (typ === REC_FULL || typ === REC_LAST) {
        let rec: Uint8Array;
        if (parts.length === 1) rec = parts[0]!;
        else {
          rec = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
          let o = 0;
          for (const x of parts) {
            rec.set(x, o);
            o += x.length;
          }
        }
        parts = [];
        if (compressed) {
          try {
            rec = snappyDecode(rec);
          } catch (err) {
            if (err instanceof SnappyError) fail(recStart, `record decompression: ${err.message}`);
            throw err;
          }
        }
        yield rec;
      }
    }
    if (parts.length > 0) fail(recStart, 'segment ends inside a record');
  }
}
