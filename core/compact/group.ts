/**
 * @module core/compact/group — Thanos's compaction groups: blocks with the same external labels
 * and resolution form a group and are only ever compacted together. The key reads like Thanos's
 * (`<resolution>@<labels hash>`, pkg/compact.DefaultGroupKey) so logs and metrics line up.
 */
import { compareStrings, type Labels } from '../labels/labels.ts';
import type { BlockMeta } from '../tsdb/meta.ts';
import { prometheusLabelsHash } from '../gocompat/xxhash64.ts';

export interface Group {
  readonly key: string;
  /** External labels shared by the group's blocks (replica labels removed when deduplicating). */
  readonly labels: Record<string, string>;
  readonly resolution: number;
  /** The group's blocks, by minTime then ULID. */
  readonly metas: BlockMeta[];
}

/** Sorted label set of a meta's external labels. */
export function externalLabels(labels: Record<string, string>): Labels {
  return Object.keys(labels)
    .sort(compareStrings)
    .map((name) => ({ name, value: labels[name]! }));
}

export function groupKey(resolution: number, labels: Record<string, string>): string {
  return `${resolution}@${prometheusLabelsHash(externalLabels(labels))}`;
}

/** External labels without the replica labels (Thanos's ReplicaLabelRemover). */
export function withoutReplicas(
  labels: Record<string, string>,
  replicaLabels: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (!replicaLabels.includes(k)) out[k] = v;
  return out;
}

/** Groups the blocks; `replicaLabels` are dropped from the external labels first. */
export function groupBlocks(
  metas: Iterable<BlockMeta>,
  replicaLabels: readonly string[] = [],
): Group[] {
  const groups = new Map<string, Group>();
  for (const m of metas) {
    const labels = withoutReplicas(m.thanos?.labels ?? {}, replicaLabels);
    const resolution = m.thanos?.downsample.resolution ?? 0;
    const key = groupKey(resolution, labels);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, labels, resolution, metas: [] }));
    g.metas.push(m);
  }
  for (const g of groups.values()) g.metas.sort(byMinTime);
  return [...groups.values()].sort((a, b) => compareStrings(a.key, b.key));
}

export function byMinTime(a: BlockMeta, b: BlockMeta): number {
  return a.minTime - b.minTime || compareStrings(a.ulid, b.ulid);
}
