/**
 * @module core/dedup/dedup-set — replica deduplication over a set of series: labels lose the
 * replica labels, series that become equal are merged with the penalty algorithm.
 */
import { compareLabels, type Labels } from '../labels/labels.ts';
import type { RawSeries } from '../promql/queryable.ts';
import { dedupReplicas } from './penalty.ts';

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

/** Returns series sorted by their deduplicated labels, one per label set. */
export function dedupSeriesSet(
  series: readonly RawSeries[],
  replicaLabels: ReadonlySet<string>,
  options: { func?: string } = {},
): RawSeries[] {
  if (replicaLabels.size === 0) return [...series];
  const stripped = series.map((s) => ({
    labels: withoutReplicaLabels(s.labels, replicaLabels),
    s,
  }));
  stripped.sort((a, b) => compareLabels(a.labels, b.labels));
  const out: RawSeries[] = [];
  const counter = isCounterFunc(options.func);
  for (let i = 0; i < stripped.length;) {
    let j = i + 1;
    while (j < stripped.length && compareLabels(stripped[j]!.labels, stripped[i]!.labels) === 0)
      j++;
    const group = stripped.slice(i, j).map((x) => x.s);
    out.push(dedupReplicas(stripped[i]!.labels, group, { counter }));
    i = j;
  }
  return out;
}
