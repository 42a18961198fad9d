/**
 * @module core/storeapi/codec — maps StoreAPI domain types to and from storepb protobuf messages
 * (static protobufjs code generated from proto/storepb.proto at install time).
 */
import { BadDataError } from '../errors.ts';
import type { Labels } from '../labels/labels.ts';
import { newMatcher, type Matcher, type MatchType } from '../labels/matcher.ts';
import { hintspb } from './proto/gen/hintspb.js';
import { thanos } from './proto/gen/storepb.js';
import type { FrameBuffer } from './framing.ts';
import {
  appendSeriesFrame as appendSeries,
  decodeSeriesResponse,
  encodeSeriesResponse,
} from './series-codec.ts';
import { bytesDownloaded, newStoreStats, type ReadStats, type StoreStats } from './stats.ts';
import type {
  Aggr,
  AggrChunk,
  ChunkData,
  ChunkEncoding,
  LabelsRequest,
  LabelsResponse,
  PartialResponseStrategy,
  SeriesFrame,
  SeriesRequest,
  StoreInfo,
  StoreType,
} from './store.ts';

const MATCH_TYPES: readonly MatchType[] = ['=', '!=', '=~', '!~'];
const AGGRS: readonly Aggr[] = ['raw', 'count', 'sum', 'min', 'max', 'counter'];
const ENCODINGS: readonly ChunkEncoding[] = ['XOR', 'HISTOGRAM', 'FLOAT_HISTOGRAM'];
const STORE_TYPES: readonly StoreType[] = [
  'unknown',
  'query',
  'rule',
  'sidecar',
  'store',
  'receive',
  'debug',
];

function decodeMessage<T>(decode: (b: Uint8Array) => T, bytes: Uint8Array, what: string): T {
  try {
    return decode(bytes);
  } catch (err) {
    throw new BadDataError(
      `malformed ${what}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

function matchersToPb(ms: readonly Matcher[]): thanos.ILabelMatcher[] {
  return ms.map((m) => ({ type: MATCH_TYPES.indexOf(m.type), name: m.name, value: m.value }));
}

function matchersFromPb(ms: readonly thanos.ILabelMatcher[] | null | undefined): Matcher[] {
  return (ms ?? []).map((m) => {
    const type = MATCH_TYPES[m.type ?? 0];
    if (!type) throw new BadDataError(`unknown matcher type ${m.type}`);
    return newMatcher(type, m.name ?? '', m.value ?? '');
  });
}

function labelsToPb(ls: Labels): thanos.ILabel[] {
  return ls as thanos.ILabel[];
}

function labelsFromPb(ls: readonly thanos.ILabel[] | null | undefined): Labels {
  return (ls ?? []).map((l) => ({ name: l.name ?? '', value: l.value ?? '' }));
}

const strategyToPb = (s: PartialResponseStrategy): number => (s === 'abort' ? 1 : 0);
const strategyFromPb = (
  n: number | null | undefined,
  disabled?: boolean | null,
): PartialResponseStrategy => (n === 1 || disabled ? 'abort' : 'warn');

export function encodeSeriesRequest(r: SeriesRequest): Uint8Array {
  return thanos.SeriesRequest.encode({
    min_time: r.minTime,
    max_time: r.maxTime,
    matchers: matchersToPb(r.matchers),
    max_resolution_window: r.maxResolutionWindow,
    aggregates: r.aggregates.map((a) => AGGRS.indexOf(a)),
    partial_response_strategy: strategyToPb(r.partialResponseStrategy),
    partial_response_disabled: r.partialResponseStrategy === 'abort',
    skip_chunks: r.skipChunks,
    step: r.step ?? 0,
    range: r.range ?? 0,
    query_hints:
      r.func || r.step || r.range
        ? {
            step_millis: r.step ?? 0,
            func: r.func ? { name: r.func } : null,
            range: r.range ? { millis: r.range } : null,
          }
        : null,
    without_replica_labels: r.withoutReplicaLabels ? [...r.withoutReplicaLabels] : [],
    limit: r.limit ?? 0,
  }).finish();
}

export function decodeSeriesRequest(bytes: Uint8Array): SeriesRequest {
  const m = decodeMessage((b) => thanos.SeriesRequest.decode(b), bytes, 'SeriesRequest');
  const func = m.query_hints?.func?.name;
  return {
    minTime: Number(m.min_time ?? 0),
    maxTime: Number(m.max_time ?? 0),
    matchers: matchersFromPb(m.matchers),
    maxResolutionWindow: Number(m.max_resolution_window ?? 0),
    aggregates: (m.aggregates ?? []).map((a) => AGGRS[a] ?? 'raw'),
    partialResponseStrategy: strategyFromPb(
      m.partial_response_strategy,
      m.partial_response_disabled,
    ),
    skipChunks: Boolean(m.skip_chunks),
    step: Number(m.step || m.query_hints?.step_millis || 0),
    range: Number(m.range || m.query_hints?.range?.millis || 0),
    ...(func ? { func } : {}),
    withoutReplicaLabels: m.without_replica_labels ?? [],
    limit: Number(m.limit ?? 0),
  };
}

function chunkFromPb(c: thanos.IChunk | null | undefined): ChunkData | undefined {
  if (!c) return undefined;
  return { encoding: ENCODINGS[c.type ?? 0] ?? 'XOR', data: c.data ?? new Uint8Array(0) };
}

/** The Any type URL of the hints frame, as Thanos names it. */
export const SERIES_HINTS_TYPE_URL = 'type.googleapis.com/hintspb.SeriesResponseHints';

function encodeStats(s: StoreStats): Uint8Array {
  return hintspb.SeriesResponseHints.encode({
    query_stats: {
      blocks_queried: s.blocksQueried,
      merged_series_count: s.mergedSeries,
      merged_chunks_count: s.mergedChunks,
      postings_fetch_count: s.postings.reads,
      postings_fetched_size_sum: s.postings.bytes,
      postings_objstore_requests: s.postings.requests,
      postings_objstore_size_sum: s.postings.requestBytes,
      series_fetch_count: s.series.reads,
      series_fetched_size_sum: s.series.bytes,
      series_objstore_requests: s.series.requests,
      series_objstore_size_sum: s.series.requestBytes,
      chunks_fetch_count: s.chunks.reads,
      chunks_fetched_size_sum: s.chunks.bytes,
      chunks_objstore_requests: s.chunks.requests,
      chunks_objstore_size_sum: s.chunks.requestBytes,
      other_fetch_count: s.other.reads,
      other_fetched_size_sum: s.other.bytes,
      other_objstore_requests: s.other.requests,
      other_objstore_size_sum: s.other.requestBytes,
      data_downloaded_size_sum: bytesDownloaded(s),
    },
  }).finish();
}

function decodeStats(bytes: Uint8Array): StoreStats {
  const m = decodeMessage(
    (b) => hintspb.SeriesResponseHints.decode(b),
    bytes,
    'SeriesResponseHints',
  );
  const q = m.query_stats ?? {};
  const s = newStoreStats();
  s.blocksQueried = Number(q.blocks_queried ?? 0);
  s.mergedSeries = Number(q.merged_series_count ?? 0);
  s.mergedChunks = Number(q.merged_chunks_count ?? 0);
  const read = (r: ReadStats, reads: unknown, size: unknown, req: unknown, reqSize: unknown) => {
    r.reads = Number(reads ?? 0);
    r.bytes = Number(size ?? 0);
    r.requests = Number(req ?? 0);
    r.requestBytes = Number(reqSize ?? 0);
  };
  read(
    s.postings,
    q.postings_fetch_count,
    q.postings_fetched_size_sum,
    q.postings_objstore_requests,
    q.postings_objstore_size_sum,
  );
  read(
    s.series,
    q.series_fetch_count,
    q.series_fetched_size_sum,
    q.series_objstore_requests,
    q.series_objstore_size_sum,
  );
  read(
    s.chunks,
    q.chunks_fetch_count,
    q.chunks_fetched_size_sum,
    q.chunks_objstore_requests,
    q.chunks_objstore_size_sum,
  );
  read(
    s.other,
    q.other_fetch_count,
    q.other_fetched_size_sum,
    q.other_objstore_requests,
    q.other_objstore_size_sum,
  );
  return s;
}

export function encodeSeriesFrame(f: SeriesFrame): Uint8Array {
  if (f.type === 'warning') return thanos.SeriesResponse.encode({ warning: f.warning }).finish();
  if (f.type === 'hints') {
    return thanos.SeriesResponse.encode({
      hints: { type_url: SERIES_HINTS_TYPE_URL, value: encodeStats(f.stats) },
    }).finish();
  }
  return encodeSeriesResponse(f.labels, f.chunks);
}

/** Appends a frame to a stream's buffer: a series written in place, others encoded and copied. */
export function appendSeriesFrame(out: FrameBuffer, f: SeriesFrame): void {
  if (f.type === 'series') appendSeries(out, f.labels, f.chunks);
  else out.appendFrame(encodeSeriesFrame(f));
}

export function decodeSeriesFrame(bytes: Uint8Array): SeriesFrame {
  const fast = decodeSeriesResponse(bytes);
  if (fast !== undefined) return { type: 'series', ...fast };
  const m = decodeMessage((b) => thanos.SeriesResponse.decode(b), bytes, 'SeriesResponse');
  if (m.series) {
    const chunks: AggrChunk[] = (m.series.chunks ?? []).map((c) => {
      const out: { -readonly [K in keyof AggrChunk]: AggrChunk[K] } = {
        minTime: Number(c.min_time ?? 0),
        maxTime: Number(c.max_time ?? 0),
      };
      const raw = chunkFromPb(c.raw);
      if (raw) out.raw = raw;
      const count = chunkFromPb(c.count);
      if (count) out.count = count;
      const sum = chunkFromPb(c.sum);
      if (sum) out.sum = sum;
      const min = chunkFromPb(c.min);
      if (min) out.min = min;
      const max = chunkFromPb(c.max);
      if (max) out.max = max;
      const counter = chunkFromPb(c.counter);
      if (counter) out.counter = counter;
      return out;
    });
    return { type: 'series', labels: labelsFromPb(m.series.labels), chunks };
  }
  if (typeof m.warning === 'string') return { type: 'warning', warning: m.warning };
  if (m.hints) {
    if (m.hints.type_url !== SERIES_HINTS_TYPE_URL)
      return { type: 'hints', stats: newStoreStats() };
    return { type: 'hints', stats: decodeStats(m.hints.value ?? new Uint8Array(0)) };
  }
  throw new BadDataError('SeriesResponse frame has neither series, warning nor hints');
}

/**
 * The labels of an encoded storepb.Series, or of its `labels` entries alone (a byte-level
 * producer such as the sidecar's transcoder sorting the series it holds).
 */
export function decodeSeriesLabels(bytes: Uint8Array): Labels {
  return labelsFromPb(decodeMessage((b) => thanos.Series.decode(b), bytes, 'Series').labels);
}

export function encodeLabelNamesRequest(r: LabelsRequest): Uint8Array {
  return thanos.LabelNamesRequest.encode({
    partial_response_strategy: strategyToPb(r.partialResponseStrategy),
    partial_response_disabled: r.partialResponseStrategy === 'abort',
    start: r.start,
    end: r.end,
    matchers: matchersToPb(r.matchers),
    limit: r.limit ?? 0,
  }).finish();
}

export function decodeLabelNamesRequest(bytes: Uint8Array): LabelsRequest {
  const m = decodeMessage((b) => thanos.LabelNamesRequest.decode(b), bytes, 'LabelNamesRequest');
  return {
    start: Number(m.start ?? 0),
    end: Number(m.end ?? 0),
    matchers: matchersFromPb(m.matchers),
    partialResponseStrategy: strategyFromPb(
      m.partial_response_strategy,
      m.partial_response_disabled,
    ),
    limit: Number(m.limit ?? 0),
  };
}

export function encodeLabelValuesRequest(name: string, r: LabelsRequest): Uint8Array {
  return thanos.LabelValuesRequest.encode({
    label: name,
    partial_response_strategy: strategyToPb(r.partialResponseStrategy),
    partial_response_disabled: r.partialResponseStrategy === 'abort',
    start: r.start,
    end: r.end,
    matchers: matchersToPb(r.matchers),
    limit: r.limit ?? 0,
  }).finish();
}

export function decodeLabelValuesRequest(bytes: Uint8Array): {
  name: string;
  request: LabelsRequest;
} {
  const m = decodeMessage((b) => thanos.LabelValuesRequest.decode(b), bytes, 'LabelValuesRequest');
  if (!m.label) throw new BadDataError('LabelValuesRequest: label name is required');
  return {
    name: m.label,
    request: {
      start: Number(m.start ?? 0),
      end: Number(m.end ?? 0),
      matchers: matchersFromPb(m.matchers),
      partialResponseStrategy: strategyFromPb(
        m.partial_response_strategy,
        m.partial_response_disabled,
      ),
      limit: Number(m.limit ?? 0),
    },
  };
}

export function encodeLabelNamesResponse(r: LabelsResponse): Uint8Array {
  return thanos.LabelNamesResponse.encode({
    names: [...r.values],
    warnings: [...r.warnings],
  }).finish();
}

export function decodeLabelNamesResponse(bytes: Uint8Array): LabelsResponse {
  const m = decodeMessage((b) => thanos.LabelNamesResponse.decode(b), bytes, 'LabelNamesResponse');
  return { values: m.names ?? [], warnings: m.warnings ?? [] };
}

export function encodeLabelValuesResponse(r: LabelsResponse): Uint8Array {
  return thanos.LabelValuesResponse.encode({
    values: [...r.values],
    warnings: [...r.warnings],
  }).finish();
}

export function decodeLabelValuesResponse(bytes: Uint8Array): LabelsResponse {
  const m = decodeMessage(
    (b) => thanos.LabelValuesResponse.decode(b),
    bytes,
    'LabelValuesResponse',
  );
  return { values: m.values ?? [], warnings: m.warnings ?? [] };
}

export function encodeInfo(info: StoreInfo): Uint8Array {
  return thanos.InfoResponse.encode({
    min_time: info.minTime,
    max_time: info.maxTime,
    storeType: STORE_TYPES.indexOf(info.storeType),
    label_sets: info.labelSets.map((ls) => ({ labels: labelsToPb(ls) })),
  }).finish();
}

export function decodeInfo(bytes: Uint8Array): StoreInfo {
  const m = decodeMessage((b) => thanos.InfoResponse.decode(b), bytes, 'InfoResponse');
  return {
    minTime: Number(m.min_time ?? 0),
    maxTime: Number(m.max_time ?? 0),
    storeType: STORE_TYPES[m.storeType ?? 0] ?? 'unknown',
    labelSets: (m.label_sets ?? []).map((s) => labelsFromPb(s.labels)),
  };
}
