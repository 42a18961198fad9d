/**
 * @module core/tsdb/meta — a block's `meta.json`: Prometheus's `tsdb.BlockMeta` plus the `thanos`
 * section Thanos adds (`metadata.Meta`). Field names are the JSON names, so a parsed object and
 * the file have one shape. Prometheus writes it with `json.MarshalIndent(meta, "", "\t")` (no
 * trailing newline); Thanos with a `json.Encoder` indented by tabs (trailing newline).
 * Specs: prometheus tsdb/block.go, thanos pkg/block/metadata/meta.go.
 */
import { CorruptBlockError } from '../errors.ts';
import { compareStrings } from '../labels/labels.ts';

export const META_FILENAME = 'meta.json';
/** The only meta.json `version` Prometheus and Thanos write. */
export const META_VERSION_1 = 1;
/** Downsampling resolutions in ms (Thanos `downsample.ResLevel0/1/2`). */
export const RES_LEVEL0 = 0; // raw
export const RES_LEVEL1 = 5 * 60 * 1000; // 5m
export const RES_LEVEL2 = 60 * 60 * 1000; // 1h

export interface BlockStats {
  numSamples?: number;
  numSeries?: number;
  numChunks?: number;
  numTombstones?: number;
  // Newer Prometheus (native histograms) splits the sample count; kept when present.
  numFloatSamples?: number;
  numHistogramSamples?: number;
}

/** A parent block of a compaction (Prometheus `BlockDesc`). */
export interface BlockDesc {
  ulid: string;
  minTime: number;
  maxTime: number;
}

export interface BlockMetaCompaction {
  level: number;
  sources?: string[];
  deletable?: boolean;
  parents?: BlockDesc[];
  failed?: boolean;
  hints?: string[];
}

export type SourceType =
  | ''
  | 'sidecar'
  | 'receive'
  | 'compactor'
  | 'compactor.repair'
  | 'ruler'
  | 'bucket.repair'
  | 'bucket.rewrite'
  | 'bucket.upload'
  | 'test'
  | (string & {});

export interface ObjectHash {
  hashFunc: string; // "SHA256" or ""
  value: string;
}

export interface ThanosFile {
  rel_path: string;
  size_bytes?: number;
  hash?: ObjectHash;
}

export interface IndexStats {
  series_max_size?: number;
  series_p90_size?: number;
  series_p99_size?: number;
  series_p999_size?: number;
  series_p99999_size?: number;
  chunk_max_size?: number;
}

export interface ThanosMeta {
  version?: number;
  /** External labels. */
  labels: Record<string, string>;
  downsample: { resolution: number };
  source: SourceType;
  segment_files?: string[];
  files?: ThanosFile[];
  /** Present when a rewrite was applied; kept opaque. */
  rewrites?: unknown[];
  index_stats?: IndexStats;
  extensions?: unknown;
}

export interface BlockMeta {
  ulid: string;
  minTime: number;
  maxTime: number;
  stats: BlockStats;
  compaction: BlockMetaCompaction;
  version: number;
  thanos?: ThanosMeta;
}

const ULID_RE = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** True for a canonical ULID string (Crockford base32, 26 chars, first char ≤ 7). */
/** Bytes of the block's chunk segments, from `thanos.files` (0 when meta.json does not list them). */
export function chunkFileBytes(meta: BlockMeta): number {
  let bytes = 0;
  for (const f of meta.thanos?.files ?? [])
    if (f.rel_path.startsWith('chunks/')) bytes += f.size_bytes ?? 0;
  return bytes;
}

export function isUlid(s: unknown): s is string {
  return typeof s === 'string' && ULID_RE.test(s);
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses and validates `meta.json`. Throws CorruptBlockError naming the block and file for
 * invalid JSON, a wrong version, missing or mistyped fields, or a ULID that is not `blockId`.
 */
export function parseMeta(input: Uint8Array | string, blockId?: string): BlockMeta {
  const fail = (msg: string, cause?: unknown): never => {
    throw new CorruptBlockError(
      `meta.json: ${msg}`,
      { block: blockId, file: META_FILENAME },
      { cause },
    );
  };
  let raw: unknown;
  try {
    const text =
      typeof input === 'string'
        ? input
        : new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(input);
    raw = JSON.parse(text);
  } catch (err) {
    return fail('invalid JSON', err);
  }
  if (!isObject(raw)) return fail('not a JSON object');
  const int = (v: unknown, what: string): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(`${what} is not an integer`);
    return v as number;
  };
  const optInt = (v: unknown, what: string): number | undefined =>
    v === undefined ? undefined : int(v, what);
  const strArray = (
    v: unknown,
    what: string,
    check?: (s: string) => boolean,
  ): string[] | undefined => {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && (!check || check(s))))
      fail(`${what} is not a list of strings`);
    return v as string[];
  };

  if (raw.version !== META_VERSION_1)
    fail(`unexpected meta file version ${JSON.stringify(raw.version)}`);
  if (!isUlid(raw.ulid)) fail(`invalid ulid ${JSON.stringify(raw.ulid)}`);
  const ulid = raw.ulid as string;
  if (blockId !== undefined && isUlid(blockId) && ulid !== blockId)
    fail(`ulid ${ulid} does not match block directory`);
  const minTime = int(raw.minTime, 'minTime');
  const maxTime = int(raw.maxTime, 'maxTime');
  if (maxTime < minTime) fail(`maxTime ${maxTime} before minTime ${minTime}`);

  const stats: BlockStats = {};
  if (raw.stats !== undefined) {
    if (!isObject(raw.stats)) fail('stats is not an object');
    const s = raw.stats as Json;
    for (const k of [
      'numSamples',
      'numSeries',
      'numChunks',
      'numTombstones',
      'numFloatSamples',
      'numHistogramSamples',
    ] as const) {
      const v = optInt(s[k], `stats.${k}`);
      if (v !== undefined) {
        if (v < 0) fail(`stats.${k} is negative`);
        stats[k] = v;
      }
    }
  }

  if (!isObject(raw.compaction)) fail('compaction is not an object');
  const c = raw.compaction as Json;
  const compaction: BlockMetaCompaction = { level: int(c.level, 'compaction.level') };
  const sources = strArray(c.sources, 'compaction.sources', isUlid);
  if (sources) compaction.sources = sources;
  if (c.deletable !== undefined) compaction.deletable = c.deletable === true;
  if (c.parents !== undefined && c.parents !== null) {
    if (!Array.isArray(c.parents)) fail('compaction.parents is not a list');
    compaction.parents = (c.parents as unknown[]).map((p, i) => {
      if (!isObject(p) || !isUlid(p.ulid)) return fail(`compaction.parents[${i}] is invalid`);
      return {
        ulid: p.ulid,
        minTime: int(p.minTime, `parents[${i}].minTime`),
        maxTime: int(p.maxTime, `parents[${i}].maxTime`),
      };
    });
  }
  if (c.failed !== undefined) compaction.failed = c.failed === true;
  const hints = strArray(c.hints, 'compaction.hints');
  if (hints) compaction.hints = hints;

  const meta: BlockMeta = { ulid, minTime, maxTime, stats, compaction, version: META_VERSION_1 };
  if (raw.thanos !== undefined && raw.thanos !== null)
    meta.thanos = parseThanos(raw.thanos, int, fail);
  return meta;
}

function parseThanos(
  t: unknown,
  int: (v: unknown, what: string) => number,
  fail: (msg: string) => never,
): ThanosMeta {
  if (!isObject(t)) return fail('thanos is not an object');
  const version = t.version === undefined ? undefined : int(t.version, 'thanos.version');
  if (version !== undefined && version !== 0 && version !== 1)
    fail(`unexpected thanos section version ${version}`);
  const labels: Record<string, string> = {};
  if (t.labels !== undefined && t.labels !== null) {
    if (!isObject(t.labels)) fail('thanos.labels is not an object');
    for (const [k, v] of Object.entries(t.labels as Json)) {
      if (typeof v !== 'string') fail(`thanos.labels.${k} is not a string`);
      labels[k] = v as string;
    }
  }
  let resolution = 0;
  if (t.downsample !== undefined && t.downsample !== null) {
    if (!isObject(t.downsample)) fail('thanos.downsample is not an object');
    resolution =
      (t.downsample as Json).resolution === undefined
        ? 0
        : int((t.downsample as Json).resolution, 'thanos.downsample.resolution');
  }
  if (t.source !== undefined && typeof t.source !== 'string') fail('thanos.source is not a string');
  const out: ThanosMeta = {
    labels,
    downsample: { resolution },
    source: (t.source as string | undefined) ?? '',
  };
  if (version) out.version = version;
  if (t.segment_files !== undefined && t.segment_files !== null) {
    if (!Array.isArray(t.segment_files) || !t.segment_files.every((s) => typeof s === 'string'))
      fail('thanos.segment_files is invalid');
    out.segment_files = t.segment_files as string[];
  }
  if (t.files !== undefined && t.files !== null) {
    if (!Array.isArray(t.files)) fail('thanos.files is not a list');
    out.files = (t.files as unknown[]).map((f, i) => {
      if (!isObject(f) || typeof f.rel_path !== 'string')
        return fail(`thanos.files[${i}] is invalid`);
      const file: ThanosFile = { rel_path: f.rel_path };
      if (f.size_bytes !== undefined)
        file.size_bytes = int(f.size_bytes, `thanos.files[${i}].size_bytes`);
      if (f.hash !== undefined && f.hash !== null) {
        const h = f.hash;
        if (!isObject(h) || typeof h.value !== 'string')
          return fail(`thanos.files[${i}].hash is invalid`);
        file.hash = { hashFunc: typeof h.hashFunc === 'string' ? h.hashFunc : '', value: h.value };
      }
      return file;
    });
  }
  if (Array.isArray(t.rewrites)) out.rewrites = t.rewrites;
  if (t.index_stats !== undefined && t.index_stats !== null) {
    if (!isObject(t.index_stats)) fail('thanos.index_stats is not an object');
    const s: IndexStats = {};
    for (const [k, v] of Object.entries(t.index_stats as Json))
      (s as Record<string, number>)[k] = int(v, `thanos.index_stats.${k}`);
    out.index_stats = s;
  }
  if (t.extensions !== undefined && t.extensions !== null) out.extensions = t.extensions;
  return out;
}

/** Sets an entry only when Go's `omitempty` would write it (non-zero number, true, non-empty list/string). */
function putOmitEmpty(o: Json, k: string, v: unknown): void {
  if (v === undefined || v === null || v === 0 || v === false || v === '') return;
  if (Array.isArray(v) && v.length === 0) return;
  o[k] = v;
}

/**
 * Orders fields as Go declares them and drops `omitempty` zero values, so `JSON.stringify`
 * produces what Go's encoder would.
 */
function toGoOrder(meta: BlockMeta): Json {
  const stats: Json = {};
  putOmitEmpty(stats, 'numSamples', meta.stats.numSamples);
  putOmitEmpty(stats, 'numFloatSamples', meta.stats.numFloatSamples);
  putOmitEmpty(stats, 'numHistogramSamples', meta.stats.numHistogramSamples);
  putOmitEmpty(stats, 'numSeries', meta.stats.numSeries);
  putOmitEmpty(stats, 'numChunks', meta.stats.numChunks);
  putOmitEmpty(stats, 'numTombstones', meta.stats.numTombstones);
  const c = meta.compaction;
  const compaction: Json = { level: c.level };
  putOmitEmpty(compaction, 'sources', c.sources);
  putOmitEmpty(compaction, 'deletable', c.deletable);
  putOmitEmpty(
    compaction,
    'parents',
    c.parents?.map((p) => ({ ulid: p.ulid, minTime: p.minTime, maxTime: p.maxTime })),
  );
  putOmitEmpty(compaction, 'failed', c.failed);
  putOmitEmpty(compaction, 'hints', c.hints);
  const out: Json = {
    ulid: meta.ulid,
    minTime: meta.minTime,
    maxTime: meta.maxTime,
    stats,
    compaction,
    version: meta.version,
  };
  const t = meta.thanos;
  if (t) {
    const th: Json = {};
    putOmitEmpty(th, 'version', t.version);
    // Go writes map keys sorted byte-wise.
    const labels: Json = {};
    for (const k of Object.keys(t.labels).sort(compareStrings)) labels[k] = t.labels[k];
    th.labels = labels;
    th.downsample = { resolution: t.downsample.resolution };
    th.source = t.source;
    putOmitEmpty(th, 'segment_files', t.segment_files);
    putOmitEmpty(
      th,
      'files',
      t.files?.map((f) => {
        const o: Json = { rel_path: f.rel_path };
        putOmitEmpty(o, 'size_bytes', f.size_bytes);
        if (f.hash) o.hash = { hashFunc: f.hash.hashFunc, value: f.hash.value };
        return o;
      }),
    );
    putOmitEmpty(th, 'rewrites', t.rewrites);
    // A struct is never "empty" to Go's encoder: Thanos always writes index_stats.
    const is: Json = {};
    const s = t.index_stats ?? {};
    for (const k of [
      'series_max_size',
      'series_p90_size',
      'series_p99_size',
      'series_p999_size',
      'series_p99999_size',
      'chunk_max_size',
    ] as const) {
      putOmitEmpty(is, k, s[k]);
    }
    th.index_stats = is;
    putOmitEmpty(th, 'extensions', t.extensions);
    out.thanos = th;
  }
  return out;
}

/** Go's encoder escapes these for HTML safety; JSON.stringify does not. They only occur inside strings. */
function goHtmlEscape(json: string): string {
  return json.replace(
    /[<>&\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Serializes as the writer of that meta would: with a `thanos` section as Thanos does (tab
 * indent, trailing newline), without it as Prometheus does (tab indent, no trailing newline).
 */
export function serializeMeta(meta: BlockMeta): string {
  const json = goHtmlEscape(JSON.stringify(toGoOrder(meta), null, '\t'));
  return meta.thanos ? `${json}\n` : json;
}
