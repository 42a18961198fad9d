/**
 * @module sidecar-agent/compact/metrics — the compactor's prom-client registry with Thanos's
 * compactor metric names, fed from the core compactor's events.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { CompactorEvents } from '../../core/compact/compactor.ts';
import type { SyncState } from '../../core/compact/syncer.ts';

export interface CompactMetrics {
  readonly registry: Registry;
  readonly halted: Gauge;
  readonly iterations: Counter;
  readonly retries: Counter;
  /** Events that update the counters; chain your own logging around them. */
  readonly events: Required<
    Pick<
      CompactorEvents,
      'synced' | 'compactionStarted' | 'compactionDone' | 'marked' | 'deleted' | 'deleteFailed'
    >
  >;
}

export function newCompactMetrics(options: { processMetrics?: boolean } = {}): CompactMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const compactions = new Counter({
    name: 'thanos_compact_group_compactions_total',
    help: 'Total number of group compaction attempts that resulted in a new block.',
    labelNames: ['resolution'],
    registers,
  });
  const failures = new Counter({
    name: 'thanos_compact_group_compactions_failures_total',
    help: 'Total number of failed group compactions.',
    labelNames: ['resolution'],
    registers,
  });
  const runsStarted = new Counter({
    name: 'thanos_compact_group_compaction_runs_started_total',
    help: 'Total number of group compaction attempts.',
    labelNames: ['resolution'],
    registers,
  });
  const runsCompleted = new Counter({
    name: 'thanos_compact_group_compaction_runs_completed_total',
    help: 'Total number of group completed compaction runs.',
    labelNames: ['resolution'],
    registers,
  });
  const marked = new Counter({
    name: 'thanos_compact_blocks_marked_total',
    help: 'Total number of blocks marked in compactor.',
    labelNames: ['marker', 'reason'],
    registers,
  });
  const cleaned = new Counter({
    name: 'thanos_compact_blocks_cleaned_total',
    help: 'Total number of blocks deleted in compactor.',
    registers,
  });
  const cleanupFailures = new Counter({
    name: 'thanos_compact_block_cleanup_failures_total',
    help: 'Failures encountered while deleting blocks in compactor.',
    registers,
  });
  const partialDeletes = new Counter({
    name: 'thanos_compact_aborted_partial_uploads_deletion_attempts_total',
    help: 'Total number of started deletions of blocks that are assumed aborted and only partially uploaded.',
    registers,
  });
  const synced = new Gauge({
    name: 'thanos_blocks_meta_synced',
    help: 'Number of block metadata synced',
    labelNames: ['state'],
    registers,
  });
  const syncs = new Counter({
    name: 'thanos_blocks_meta_syncs_total',
    help: 'Total blocks metadata synchronization attempts',
    registers,
  });
  const halted = new Gauge({
    name: 'thanos_compact_halted',
    help: 'Set to 1 if the compactor halted due to an unexpected error.',
    registers,
  });
  halted.set(0);
  const iterations = new Counter({
    name: 'thanos_compact_iterations_total',
    help: 'Total number of iterations that were executed successfully.',
    registers,
  });
  const retries = new Counter({
    name: 'thanos_compact_retries_total',
    help: 'Total number of retries after retriable compactor error.',
    registers,
  });
  return {
    registry,
    halted,
    iterations,
    retries,
    events: {
      synced(counts: Readonly<Record<SyncState, number>>) {
        syncs.inc();
        for (const [state, n] of Object.entries(counts)) synced.set({ state }, n);
      },
      compactionStarted(group) {
        runsStarted.inc({ resolution: String(group.resolution) });
      },
      compactionDone(group, ok) {
        const resolution = String(group.resolution);
        if (ok) {
          compactions.inc({ resolution });
          runsCompleted.inc({ resolution });
        } else failures.inc({ resolution });
      },
      marked(marker, reason) {
        marked.inc({ marker, reason });
      },
      deleted(_id, why) {
        if (why === 'partial') partialDeletes.inc();
        else cleaned.inc();
      },
      deleteFailed() {
        cleanupFailures.inc();
      },
    },
  };
}
