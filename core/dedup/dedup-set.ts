/**
 * @module core/dedup/dedup-set — what deduplication needs to know about a series set: which
 * labels tell replicas apart, and which functions need counter-safe replica switches. Merging the
 * samples is core/dedup/penalty.ts; core/query/series-reader.ts applies it to a sorted stream.
 */
import type { Labels } from '../labels/labels.ts';

/** Functions over counters for which a replica switch must not look like a reset. */
const COUNTER_FUNCS = new Set(['rate', 'increase', 'irate', 'resets']);

export function isCounterFunc(func: string | undefined): boolean {
  return func !== undefined && COUNTER_FUNCS.has(func);
}

export function withoutReplicaLabels(labels: Labels, replicaLabels: ReadonlySet<string>): Labels {
  return labels.some((l) => replicaLabels.has(l.name))
    ? labels.filter((l) => !replicaLabels.has(l.name))
    : labels;
}
