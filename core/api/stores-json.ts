/** @module core/api/stores-json — `/api/v1/stores` in Thanos's shape: stores grouped by component type. */
import type { Labels } from '../labels/labels.ts';
import type { EndpointStatus } from '../query/endpoint-set.ts';

interface StoreJson {
  name: string;
  lastCheck: string | null;
  lastError: string | null;
  labelSets: Array<Record<string, string>>;
  minTime: number;
  maxTime: number;
  healthy: boolean;
}

export function storesJson(
  status: readonly EndpointStatus[],
  visible: (labelSet: Labels) => boolean = () => true,
): string {
  const groups: Record<string, StoreJson[]> = {};
  for (const s of status) {
    const type = s.info?.storeType ?? 'unknown';
    (groups[type] ??= []).push({
      name: s.name,
      lastCheck: s.lastCheck === undefined ? null : new Date(s.lastCheck).toISOString(),
      lastError: s.lastError ?? null,
      labelSets: (s.info?.labelSets ?? [])
        .filter(visible)
        .map((ls) => Object.fromEntries(ls.map((l) => [l.name, l.value]))),
      minTime: s.info?.minTime ?? 0,
      maxTime: s.info?.maxTime ?? 0,
      healthy: s.healthy,
    });
  }
  return JSON.stringify(groups);
}
