/**
 * @module test/helpers/remote-write — Prometheus remote-write bodies (WriteRequest, snappy block
 * format) for tests and the receive benchmark, through core/receive/write-encode.ts (the generated
 * prompb writer quiets signalling NaNs: the staleness marker must arrive bit for bit), compressed
 * as a Prometheus compresses them (back-references, not one long literal).
 */
import { STALE_NAN } from '../../core/chunkenc/stale.ts';
import { encodeWriteRequest as encode } from '../../core/receive/write-encode.ts';
import { snappyCompress } from './snappy-compress.ts';

export interface WriteSeriesInput {
  /** Label pairs; sorted by name here unless `unsorted`. */
  readonly labels: Record<string, string>;
  /** [timestamp ms, value]; `'stale'` is the staleness marker (plain arrays lose NaN payloads). */
  readonly samples: ReadonlyArray<readonly [number, number | 'stale']>;
}

export function encodeWriteRequest(
  series: readonly WriteSeriesInput[],
  unsorted = false,
): Uint8Array {
  return encode(
    series.map((s) => {
      const labels = Object.entries(s.labels).map(([name, value]) => ({ name, value }));
      if (!unsorted) labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      // Values go through a Float64Array: a plain array would lose the marker's NaN payload.
      const v = new Float64Array(s.samples.length);
      s.samples.forEach(([, x], i) => (v[i] = x === 'stale' ? STALE_NAN : x));
      return { labels, t: s.samples.map(([t]) => t), v };
    }),
  );
}

/** A remote-write HTTP body: the encoded request, snappy-compressed. */
export function remoteWriteBody(
  series: readonly WriteSeriesInput[],
  unsorted = false,
): Uint8Array<ArrayBuffer> {
  return snappyCompress(encodeWriteRequest(series, unsorted)) as Uint8Array<ArrayBuffer>;
}

/** Headers Prometheus sends with a remote write. */
export function remoteWriteHeaders(token?: string, tenant?: string): Record<string, string> {
  return {
    'content-encoding': 'snappy',
    'content-type': 'application/x-protobuf',
    'x-prometheus-remote-write-version': '0.1.0',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(tenant ? { 'THANOS-TENANT': tenant } : {}),
  };
}
