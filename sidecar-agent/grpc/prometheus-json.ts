/**
 * @module sidecar-agent/grpc/prometheus-json — Prometheus's API JSON as the messages of Thanos's
 * Rules, Targets, Metadata and Exemplars services: label maps as labelpb LabelSets, RFC 3339
 * times as google.protobuf.Timestamp; and the encoded responses as one batch of the server's
 * stream.
 */
import { compareStrings, withExternal, type Label, type Labels } from '../../core/labels/labels.ts';
import { frame } from '../../core/storeapi/framing.ts';

/** A labelpb LabelSet from Prometheus's JSON label map, sorted, with `ext` added (ext wins). */
export function labelSet(
  m: Readonly<Record<string, string>> | null | undefined,
  ext: Labels = [],
): { labels: Label[] } {
  // Not labelsFrom: discovered labels may have empty values, and Prometheus keeps them.
  const ls = Object.entries(m ?? {})
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => compareStrings(a.name, b.name));
  return { labels: [...withExternal(ls, ext)] };
}

export interface ProtoTimestamp {
  seconds: number;
  nanos: number;
}

const RFC3339 = /^(\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/**
 * google.protobuf.Timestamp of an RFC 3339 time as Prometheus writes it (Go's time.Time JSON,
 * nanoseconds kept); undefined for a missing or unreadable one.
 */
export function protoTimestamp(rfc3339: string | null | undefined): ProtoTimestamp | undefined {
  if (!rfc3339) return undefined;
  const m = RFC3339.exec(rfc3339);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return { seconds: Math.floor(ms / 1000), nanos: Number((m[2] ?? '').padEnd(9, '0')) };
}

/** Encoded response messages as one batch of the server's uvarint-delimited stream. */
export async function* responses(
  messages: Iterable<Uint8Array> | Promise<Iterable<Uint8Array>>,
): AsyncGenerator<Uint8Array> {
  const framed = [...(await messages)].map(frame);
  if (framed.length === 0) return;
  const out = new Uint8Array(framed.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of framed) {
    out.set(f, at);
    at += f.length;
  }
  yield out;
}
