/**
 * @module sidecar-agent/sidecar/metrics — the agent's prom-client registry: shipper counters with
 * Thanos's names (`thanos_shipper_*`), Prometheus reachability, and the Node process metrics.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export interface SidecarMetrics {
  readonly registry: Registry;
  readonly uploads: Counter;
  readonly uploadFailures: Counter;
  readonly uploadedBytes: Counter;
  readonly lastSuccessfulUpload: Gauge;
  readonly dirSyncs: Counter;
  readonly dirSyncFailures: Counter;
  readonly prometheusUp: Gauge;
}

export function newSidecarMetrics(options: { processMetrics?: boolean } = {}): SidecarMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    uploads: new Counter({
      name: 'thanos_shipper_uploads_total',
      help: 'Total number of uploaded blocks.',
      registers,
    }),
    uploadFailures: new Counter({
      name: 'thanos_shipper_upload_failures_total',
      help: 'Total number of block upload failures.',
      registers,
    }),
    uploadedBytes: new Counter({
      name: 'thanos_shipper_upload_bytes_total',
      help: 'Total bytes of blocks uploaded (meta.json included).',
      registers,
    }),
    lastSuccessfulUpload: new Gauge({
      name: 'thanos_shipper_last_successful_upload_time',
      help: 'Unix time (seconds) of the last successful block upload.',
      registers,
    }),
    dirSyncs: new Counter({
      name: 'thanos_shipper_dir_syncs_total',
      help: 'Total number of dir syncs.',
      registers,
    }),
    dirSyncFailures: new Counter({
      name: 'thanos_shipper_dir_sync_failures_total',
      help: 'Total number of failed dir syncs.',
      registers,
    }),
    prometheusUp: new Gauge({
      name: 'thanos_sidecar_prometheus_up',
      help: 'Whether Prometheus answered the last heartbeat (1) or not (0).',
      registers,
    }),
  };
}
