/**
 * @module core/tsdb/index-postings-table — the postings offset table: (name, value) → offset
 * of its postings list, sorted by name then value. As Prometheus does, it keeps the raw bytes
 * and only every 32nd value per name decoded in memory; lookups binary-search those samples and
 * scan at most 32 entries.
 */
import { compareStrings } from '../labels/labels.ts';
import { Decbuf } from './encoding.ts';
import { corruptAt, type IndexLocation } from './index-format.ts';
import { decodeString, intern } from './index-symbols.ts';

/** Keep one decoded value per this many entries (Prometheus's `postingOffsetsInMemSampling`). */
const SAMPLING = 32;

interface NameEntry {
  readonly name: string;
  /** Number of values. */
  readonly count: number;
  /** Every SAMPLING-th value, decoded, and the table position of its entry. */
  readonly sampleValues: string[];
  readonly samplePos: number[];
}

/** An entry of the table as `ranges` scans it (see PostingsTable.#rawEntry). */
interface RawEntry {
  valueStart: number;
  valueLen: number;
  offset: number;
  next: number;
}

const utf8 = new TextEncoder();

/** b[start, start + len) against `want`, bytewise (Go's string order for UTF-8). */
function compareBytesAt(b: Uint8Array, start: number, len: number, want: Uint8Array): number {
  const n = Math.min(len, want.length);
  for (let i = 0; i < n; i++) {
    const d = b[start + i]! - want[i]!;
    if (d !== 0) return d;
  }
  return len - want.length;
}

/** Where one postings list lies: `[offset, end)`, `end` being the next list's offset (an upper bound). */
export interface PostingsRange {
  readonly value: string;
  readonly offset: number;
  readonly end: number;
}

export class PostingsTable {
  readonly #b: Uint8Array;
  readonly #tableEnd: number;
  readonly #names = new Map<string, NameEntry>();
  readonly #sortedNames: string[] = [];
  readonly #loc: IndexLocation;
  readonly #base: number;
  /** Upper bound of the last postings list. */
  readonly #postingsEnd: number;

  /**
   * `d` is the checked table content (CRC verified); `base` the file offset of `d.bytes[0]`;
   * postings lists must lie in `[postingsStart, postingsEnd)`.
   */
  constructor(
    d: Decbuf,
    base: number,
    loc: IndexLocation,
    postingsStart: number,
    postingsEnd: number,
  ) {
    this.#loc = loc;
    this.#base = base;
    this.#b = d.bytes;
    this.#tableEnd = d.end;
    this.#postingsEnd = postingsEnd;
    const start = d.pos;
    const n = d.be32();
    // An entry takes at least 4 bytes (n, two lengths, offset).
    if (d.err || n > d.remaining / 4)
      throw corruptAt(loc, base + start, `read postings offset table: count ${n} exceeds section`);
    const b = this.#b;
    let cur:
      | {
          name: string;
          nameStart: number;
          nameLen: number;
          count: number;
          sv: string[];
          sp: number[];
        }
      | undefined;
    let prevOff = -1;
    for (let i = 0; i < n; i++) {
      const pos = d.pos;
      if (d.byte() !== 2)
        throw corruptAt(loc, base + pos, 'read postings offset table: entry is not a label pair');
      const nameLen = d.uvarint();
      const nameStart = d.pos;
      d.skip(nameLen);
      const valueLen = d.uvarint();
      const valueStart = d.pos;
      d.skip(valueLen);
      const off = d.uvarint();
      if (d.err) throw corruptAt(loc, base + d.errPos, `read postings offset table: ${d.err}`);
      if (off < postingsStart || off >= postingsEnd || off <= prevOff) {
        throw corruptAt(
          loc,
          base + pos,
          `read postings offset table: postings offset ${off} out of range or order`,
        );
      }
      prevOff = off;
      if (!cur || !sameBytes(b, cur.nameStart, cur.nameLen, nameStart, nameLen)) {
        if (cur) this.#finish(cur);
        cur = {
          name: intern(decodeString(b, nameStart, nameLen)),
          nameStart,
          nameLen,
          count: 0,
          sv: [],
          sp: [],
        };
        if (this.#names.has(cur.name))
          throw corruptAt(
            loc,
            base + pos,
            `read postings offset table: label name ${JSON.stringify(cur.name)} not contiguous`,
          );
      }
      if (cur.count % SAMPLING === 0) {
        cur.sv.push(intern(decodeString(b, valueStart, valueLen)));
        cur.sp.push(pos);
      }
      cur.count++;
    }
    if (cur) this.#finish(cur);
  }

  #finish(c: { name: string; count: number; sv: string[]; sp: number[] }): void {
    this.#names.set(c.name, { name: c.name, count: c.count, sampleValues: c.sv, samplePos: c.sp });
    this.#sortedNames.push(c.name);
  }

  /** Label names in the table's (sorted) order, including the all-postings key `""`. */
  names(): readonly string[] {
    return this.#sortedNames;
  }

  has(name: string): boolean {
    return this.#names.has(name);
  }

  /** Decodes one entry at table position `pos`. */
  #entry(pos: number): { value: string; offset: number; next: number } {
    const x: RawEntry = { valueStart: 0, valueLen: 0, offset: 0, next: 0 };
    this.#rawEntry(pos, x);
    return {
      value: decodeString(this.#b, x.valueStart, x.valueLen),
      offset: x.offset,
      next: x.next,
    };
  }

  /**
   * The entry at `pos` without decoding its value: where the value's bytes are, its offset and the
   * next entry's position, written into `into` (lookups scan up to SAMPLING entries each, and
   * comparing bytes costs far less than making a string of every value passed).
   */
  #rawEntry(pos: number, into: RawEntry): void {
    const d = new Decbuf(this.#b, pos, this.#tableEnd);
    d.byte();
    d.skip(d.uvarint());
    into.valueLen = d.uvarint();
    into.valueStart = d.pos;
    d.skip(into.valueLen);
    into.offset = d.uvarint();
    into.next = d.pos;
    // Already validated in the constructor; a failure here means the bytes changed under us.
    if (d.err)
      throw corruptAt(this.#loc, this.#base + pos, `read postings offset table entry: ${d.err}`);
  }

  /** Offset of the entry after position `next` (the end bound of a list), or the postings end. */
  #endAfter(next: number): number {
    if (next >= this.#tableEnd) return this.#postingsEnd;
    const d = new Decbuf(this.#b, next, this.#tableEnd);
    d.byte();
    d.skip(d.uvarint());
    d.skip(d.uvarint());
    const off = d.uvarint();
    return d.err ? this.#postingsEnd : off;
  }

  /** All values of `name`, sorted. */
  values(name: string): string[] {
    const e = this.#names.get(name);
    if (!e) return [];
    const out: string[] = new Array(e.count);
    let pos = e.samplePos[0]!;
    for (let i = 0; i < e.count; i++) {
      const x = this.#entry(pos);
      out[i] = x.value;
      pos = x.next;
    }
    return out;
  }

  /** Ranges of the postings lists of `name` for `values` that exist (any order in, sorted out). */
  ranges(name: string, values: readonly string[]): PostingsRange[] {
    const e = this.#names.get(name);
    if (!e || values.length === 0) return [];
    const want = [...new Set(values)].sort(compareStrings);
    const out: PostingsRange[] = [];
    const x: RawEntry = { valueStart: 0, valueLen: 0, offset: 0, next: 0 };
    // Walk forward through the sorted wanted values; each starts at the last sample ≤ it.
    let si = 0;
    let pos = -1;
    let idx = -1; // entry index of `pos` within the name
    for (const v of want) {
      // Binary search the last sample whose value ≤ v.
      let lo = si;
      let hi = e.sampleValues.length - 1;
      if (compareStrings(e.sampleValues[0]!, v) > 0) continue;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (compareStrings(e.sampleValues[mid]!, v) <= 0) lo = mid;
        else hi = mid - 1;
      }
      si = lo;
      if (idx < lo * SAMPLING) {
        pos = e.samplePos[lo]!;
        idx = lo * SAMPLING;
      }
      const wanted = utf8.encode(v);
      while (idx < e.count) {
        this.#rawEntry(pos, x);
        // Valid UTF-8 in byte order is the order compareStrings gives the decoded strings.
        const c = compareBytesAt(this.#b, x.valueStart, x.valueLen, wanted);
        if (c > 0) break;
        if (c === 0) {
          out.push({ value: v, offset: x.offset, end: this.#endAfter(x.next) });
          break;
        }
        pos = x.next;
        idx++;
      }
    }
    return out;
  }

  /** Ranges of every postings list of `name`, in value order. */
  allRanges(name: string): PostingsRange[] {
    const e = this.#names.get(name);
    if (!e) return [];
    const out: PostingsRange[] = [];
    let pos = e.samplePos[0]!;
    for (let i = 0; i < e.count; i++) {
      const x = this.#entry(pos);
      out.push({ value: x.value, offset: x.offset, end: this.#endAfter(x.next) });
      pos = x.next;
    }
    return out;
  }
}

function sameBytes(b: Uint8Array, s1: number, l1: number, s2: number, l2: number): boolean {
  if (l1 !== l2) return false;
  for (let i = 0; i < l1; i++) if (b[s1 + i] !== b[s2 + i]) return false;
  return true;
}
