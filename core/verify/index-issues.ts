/**
 * @module core/verify/index-issues — Thanos's `index_known_issues` over one block
 * (pkg/block.GatherIndexHealthStats in spirit), read through the TSDB readers, streamed in batches
 * of series so memory does not grow with the block:
 *
 * - postings pointing nowhere: an all-postings ref outside the series section or not at a series
 *   entry, a label's postings naming a series missing from all-postings;
 * - postings that do not mirror the series' labels (checked per label name as a multiset hash of
 *   (ref, name, value), so no per-series state is kept);
 * - label names within a series not sorted or repeated;
 * - series not sorted, duplicate series (the series section is in label order);
 * - chunks outside the block's [minTime, maxTime] (Thanos's bound: maxTime included), chunks out
 *   of order or overlapping within a series, chunks that cannot be read (bad ref, CRC), XOR chunks
 *   whose samples are not in increasing time order or not within the range the index gives them.
 *
 * Each kind is reported for its first `maxPerKind` findings, then counted.
 */
import { decodeXor, xorSampleCount } from '../chunkenc/xor.ts';
import { errorMessage } from '../errors.ts';
import { compareLabels, compareStrings, type Labels } from '../labels/labels.ts';
import type { Block } from '../tsdb/block-reader.ts';
import { ENCODING_XOR, segmentName, type RawChunk } from '../tsdb/chunk-reader.ts';
import {
  INDEX_FILENAME,
  INDEX_TOC_LEN,
  SERIES_ALIGNMENT,
  sectionEnd,
} from '../tsdb/index-format.ts';
import type { ChunkMeta, SeriesEntry } from '../tsdb/index-reader.ts';
import type { IndexProblem, VerifyIssue } from './issue.ts';

export interface IndexCheckOptions {
  /** Series read per batch (default 1024); the next batch is read while one is checked. */
  readonly batchSize?: number;
  /** Also read every chunk (default true): catches bad chunk refs and CRCs. */
  readonly readChunks?: boolean;
  /** Findings reported per kind before they are only counted (default 10). */
  readonly maxPerKind?: number;
  /** Called after each batch with the series checked so far and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A chunk ref is segment sequence × 2³² + offset (Prometheus chunks.ChunkRef). */
const SEGMENT_REF_FACTOR = 0x1_0000_0000;

/** Label values read per postings request when mirroring postings against series. */
const VALUES_PER_READ = 1024;

/** FNV-1a of a label pair mixed with the series ref; summed per name on both sides. */
function pairHash(ref: number, name: string, value: string): number {
  let h = 0x811c9dc5 ^ ref;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0xff, 0x01000193);
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

function labelsText(ls: Labels): string {
  return `{${ls.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;
}

/** True when `v` is in the sorted list. */
function contains(sorted: Uint32Array, v: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = sorted[mid]!;
    if (x === v) return true;
    if (x < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

class Findings {
  readonly issues: VerifyIssue[] = [];
  readonly #counts = new Map<IndexProblem, number>();
  readonly #block: string;
  readonly #max: number;

  constructor(block: string, max: number) {
    this.#block = block;
    this.#max = max;
  }

  add(problem: IndexProblem, file: string, message: string): void {
    const n = (this.#counts.get(problem) ?? 0) + 1;
    this.#counts.set(problem, n);
    if (n > this.#max) return;
    this.issues.push({
      issue: 'index_known_issues',
      problem,
      block: this.#block,
      file,
      blocks: [this.#block],
      message: `${problem}: ${message}`,
    });
  }

  /** A closing issue per kind with more findings than were reported. */
  finish(): VerifyIssue[] {
    for (const [problem, n] of this.#counts) {
      if (n <= this.#max) continue;
      const file = this.issues.find((i) => i.problem === problem)!.file;
      this.issues.push({
        issue: 'index_known_issues',
        problem,
        block: this.#block,
        file,
        blocks: [this.#block],
        message: `${problem}: ${n - this.#max} more not listed (${n} in all)`,
      });
    }
    return this.issues;
  }
}

/** Every index issue of `block`; an empty list for a healthy block. */
export async function indexIssues(
  block: Block,
  opts: IndexCheckOptions = {},
): Promise<VerifyIssue[]> {
  const f = new Findings(block.id, opts.maxPerKind ?? 10);
  const { index, meta } = block;
  let all: Uint32Array;
  try {
    all = await index.allPostings();
  } catch (err) {
    f.add('unreadable-index', INDEX_FILENAME, `all-postings list: ${errorMessage(err)}`);
    return f.finish();
  }
  const seriesStart = index.toc.series;
  const seriesEnd =
    seriesStart === 0 ? 0 : sectionEnd(index.toc, seriesStart, index.size - INDEX_TOC_LEN);
  const inSection = (ref: number): boolean => {
    const off = ref * SERIES_ALIGNMENT;
    return off >= seriesStart && off < seriesEnd;
  };
  const refs: number[] = [];
  for (const ref of all) {
    if (inSection(ref)) refs.push(ref);
    else
      f.add(
        'postings-dangling',
        INDEX_FILENAME,
        `all-postings ref ${ref} (offset ${ref * SERIES_ALIGNMENT}) is outside the series section [${seriesStart}, ${seriesEnd})`,
      );
  }

  const seriesSums = new Map<string, number>();
  const readable: number[] = [];
  let prev: Labels | undefined;
  const batch = opts.batchSize ?? 1024;
  const withChunks = opts.readChunks ?? true;
  const read = (i: number): Promise<Batch> => {
    const p = readBatch(block, refs.slice(i, i + batch), withChunks, f);
    p.catch(() => undefined); // awaited below; only here so a failure is never unhandled
    return p;
  };
  // The next batch is read while the current one is checked.
  let next = refs.length > 0 ? read(0) : undefined;
  for (let i = 0; i < refs.length; i += batch) {
    const cur = await next!;
    next = i + batch < refs.length ? read(i + batch) : undefined;
    for (const s of cur.series) {
      readable.push(s.ref);
      checkSeries(s, prev, meta.minTime, meta.maxTime, f);
      prev = s.labels;
      for (const l of s.labels)
        seriesSums.set(
          l.name,
          ((seriesSums.get(l.name) ?? 0) + pairHash(s.ref, l.name, l.value)) >>> 0,
        );
    }
    for (const [k, r] of cur.raw.entries()) {
      const c = cur.chunks[k]!;
      if (r?.encoding === ENCODING_XOR) checkXorSamples(r.data, c.where, c.meta, f);
    }
    opts.onProgress?.(Math.min(i + batch, refs.length), refs.length);
  }

  // The label postings must name exactly the series that carry each pair.
  const known = Uint32Array.from(readable);
  const postingSums = new Map<string, number>();
  for (const name of index.labelNames()) {
    const values = index.labelValues(name);
    for (let v = 0; v < values.length; v += VALUES_PER_READ) {
      let lists: Map<string, Uint32Array>;
      try {
        lists = await index.postingsPerValue(name, values.slice(v, v + VALUES_PER_READ));
      } catch (err) {
        f.add('unreadable-index', INDEX_FILENAME, `postings of ${name}: ${errorMessage(err)}`);
        continue;
      }
      for (const [value, list] of lists) {
        for (const ref of list) {
          if (!contains(known, ref)) {
            f.add(
              'postings-dangling',
              INDEX_FILENAME,
              `postings of ${name}=${JSON.stringify(value)} name series ref ${ref}, which is not a readable series of the block`,
            );
            continue;
          }
          postingSums.set(name, ((postingSums.get(name) ?? 0) + pairHash(ref, name, value)) >>> 0);
        }
      }
    }
  }
  const names = new Set([...seriesSums.keys(), ...postingSums.keys()]);
  for (const name of [...names].sort(compareStrings)) {
    if ((seriesSums.get(name) ?? 0) !== (postingSums.get(name) ?? 0))
      f.add(
        'postings-mismatch',
        INDEX_FILENAME,
        `postings of label ${JSON.stringify(name)} do not match the series' labels`,
      );
  }
  return f.finish();
}

function checkSeries(
  s: SeriesEntry,
  prev: Labels | undefined,
  minTime: number,
  maxTime: number,
  f: Findings,
): void {
  const where = `series ${labelsText(s.labels)} (ref ${s.ref})`;
  for (let k = 1; k < s.labels.length; k++) {
    if (compareStrings(s.labels[k - 1]!.name, s.labels[k]!.name) >= 0) {
      f.add('labels-not-sorted', INDEX_FILENAME, `${where}: label names not sorted or repeated`);
      break;
    }
  }
  if (prev) {
    const c = compareLabels(prev, s.labels);
    if (c === 0) f.add('duplicate-series', INDEX_FILENAME, `${where} appears twice`);
    else if (c > 0)
      f.add('series-not-sorted', INDEX_FILENAME, `${where} comes after ${labelsText(prev)}`);
  }
  for (let k = 0; k < s.chunks.length; k++) {
    const c = s.chunks[k]!;
    const file = segmentName(Math.floor(c.ref / SEGMENT_REF_FACTOR));
    if (c.mint < minTime || c.maxt > maxTime)
      f.add(
        'chunk-outside-block',
        file,
        `${where}: chunk [${c.mint}, ${c.maxt}] outside the block's range [${minTime}, ${maxTime}]`,
      );
    const p = s.chunks[k - 1];
    if (c.mint > c.maxt || (p && c.mint <= p.maxt))
      f.add(
        'chunks-out-of-order',
        file,
        `${where}: chunk ${k} [${c.mint}, ${c.maxt}] ${c.mint > c.maxt ? 'ends before it starts' : `overlaps or precedes chunk ${k - 1} [${p!.mint}, ${p!.maxt}]`}`,
      );
  }
}

interface Batch {
  /** The readable series entries of the batch, in ref order. */
  readonly series: SeriesEntry[];
  /** Their chunks, and each chunk's bytes (undefined when unreadable or not read). */
  readonly chunks: { where: SeriesEntry; meta: ChunkMeta }[];
  readonly raw: (RawChunk | undefined)[];
}

/** Series entries of `refs` and their chunks; what cannot be read is a finding, found one by one. */
async function readBatch(
  block: Block,
  refs: readonly number[],
  withChunks: boolean,
  f: Findings,
): Promise<Batch> {
  let entries: (SeriesEntry | undefined)[];
  try {
    entries = await block.index.seriesBatch(refs);
  } catch {
    entries = await Promise.all(
      refs.map(async (ref) => {
        try {
          return await block.index.series(ref);
        } catch (err) {
          f.add(
            'postings-dangling',
            INDEX_FILENAME,
            `all-postings ref ${ref} does not point at a series entry: ${errorMessage(err)}`,
          );
          return undefined;
        }
      }),
    );
  }
  const series = entries.filter((s): s is SeriesEntry => s !== undefined);
  const chunks = series.flatMap((s) => s.chunks.map((meta) => ({ where: s, meta })));
  if (!withChunks || chunks.length === 0) return { series, chunks, raw: [] };
  try {
    return { series, chunks, raw: await block.chunks.chunks(chunks.map((c) => c.meta.ref)) };
  } catch {
    const raw = await Promise.all(
      chunks.map(async ({ meta }) => {
        try {
          return await block.chunks.chunk(meta.ref);
        } catch (err) {
          f.add(
            'unreadable-chunk',
            segmentName(Math.floor(meta.ref / SEGMENT_REF_FACTOR)),
            errorMessage(err),
          );
          return undefined;
        }
      }),
    );
    return { series, chunks, raw };
  }
}

const samples = { t: new Float64Array(256), v: new Float64Array(256) };

/** The samples of an XOR chunk: increasing times, all within the chunk's range in the index. */
function checkXorSamples(data: Uint8Array, s: SeriesEntry, c: ChunkMeta, f: Findings): void {
  const file = segmentName(Math.floor(c.ref / SEGMENT_REF_FACTOR));
  const where = `series ${labelsText(s.labels)} (ref ${s.ref}) chunk [${c.mint}, ${c.maxt}]`;
  try {
    const total = xorSampleCount(data);
    if (samples.t.length < total) {
      samples.t = new Float64Array(total);
      samples.v = new Float64Array(total);
    }
    const n = decodeXor(
      data,
      -Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER,
      samples.t,
      samples.v,
      0,
    );
    const t = samples.t;
    for (let k = 1; k < n; k++) {
      if (t[k]! <= t[k - 1]!) {
        f.add('chunk-samples', file, `${where}: sample ${k} at ${t[k]} not after ${t[k - 1]}`);
        return;
      }
    }
    if (n > 0 && (t[0]! < c.mint || t[n - 1]! > c.maxt))
      f.add(
        'chunk-samples',
        file,
        `${where}: samples span [${t[0]}, ${t[n - 1]}], outside the chunk's range`,
      );
  } catch (err) {
    f.add('chunk-samples', file, `${where}: ${errorMessage(err)}`);
  }
}
