/**
 * @module core/rule/restore — restoring alerts' `for` progress after a restart from their
 * ALERTS_FOR_STATE series, as Prometheus 2.42's Group.RestoreForState does: run once after the
 * first evaluation (with rules not yet `restored`, so that evaluation wrote no ALERTS), then every
 * alerting rule is marked restored. An alert that was pending for part of its `for` continues
 * where it stopped, shifted by the downtime; one that would fire within the grace period gets the
 * grace period; rules whose `for` is shorter than the grace period are not restored.
 */
import { isStaleNaNNumber } from '../chunkenc/stale.ts';
import type { Labels } from '../labels/labels.ts';
import { AlertingRule } from './alerting.ts';
import type { Group } from './group.ts';

/** Prometheus's --rules.alert.for-outage-tolerance default: how far back the state is looked for. */
export const DEFAULT_OUTAGE_TOLERANCE = 60 * 60 * 1000;
/** Prometheus's --rules.alert.for-grace-period default. */
export const DEFAULT_FOR_GRACE_PERIOD = 10 * 60 * 1000;

/** The last sample of the series with exactly `labels` in [mint, maxt] (ms), if any. */
export type LastSampleFunc = (
  labels: Labels,
  mint: number,
  maxt: number,
) => Promise<{ t: number; v: number } | undefined>;

export interface RestoreOptions {
  readonly outageTolerance?: number;
  readonly forGracePeriod?: number;
}

/** Group.RestoreForState at `ts` (ms). */
export async function restoreForState(
  group: Group,
  ts: number,
  lastSample: LastSampleFunc,
  opts: RestoreOptions = {},
): Promise<void> {
  const tolerance = opts.outageTolerance ?? DEFAULT_OUTAGE_TOLERANCE;
  const grace = opts.forGracePeriod ?? DEFAULT_FOR_GRACE_PERIOD;
  for (const rule of group.rules) {
    if (!(rule instanceof AlertingRule)) continue;
    const hold = rule.holdDuration;
    if (hold < grace) {
      rule.restored = true;
      continue;
    }
    for (const a of rule.activeAlerts()) {
      const last = await lastSample(rule.forStateLabels(a), ts - tolerance, ts);
      if (last === undefined || isStaleNaNNumber(last.v)) continue; // not active before
      // Whole seconds, as Prometheus reads both times.
      const downAt = Math.floor(last.t / 1000) * 1000;
      let activeAt = Math.trunc(last.v) * 1000;
      const remaining = hold - (downAt - activeAt);
      if (remaining <= 0) {
        // It had fired already: it fires again at once.
      } else if (remaining < grace) {
        activeAt = ts + grace - hold;
      } else {
        activeAt += ts - downAt;
      }
      a.activeAt = activeAt;
    }
    rule.restored = true;
  }
}
