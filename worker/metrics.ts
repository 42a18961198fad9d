/** @module worker/metrics — `/metrics` in the Prometheus text format: bucket operations, caches, stores. */
import { OPERATIONS } from '../core/objstore/instrumented.ts';
import type { WorkerState } from './state.ts';

export function metricsText(state: WorkerState): string {
  const lines: string[] = [];
  const { gateway } = state;
  if (gateway) {
    const { bucket, bucketStore } = gateway;
    const stats = bucket.stats();
    const b = `bucket="${bucket.name}"`;
    lines.push('# HELP thanos_objstore_bucket_operations_total Total number of bucket operations.');
    lines.push('# TYPE thanos_objstore_bucket_operations_total counter');
    for (const op of OPERATIONS)
      lines.push(
        `thanos_objstore_bucket_operations_total{${b},operation="${op}"} ${stats[op].requests}`,
      );
    lines.push(
      '# HELP thanos_objstore_bucket_operation_failures_total Total number of failed bucket operations.',
    );
    lines.push('# TYPE thanos_objstore_bucket_operation_failures_total counter');
    for (const op of OPERATIONS)
      lines.push(
        `thanos_objstore_bucket_operation_failures_total{${b},operation="${op}"} ${stats[op].failures}`,
      );
    lines.push(
      '# HELP thanos_objstore_bucket_operation_bytes_total Bytes read or written by bucket operations.',
    );
    lines.push('# TYPE thanos_objstore_bucket_operation_bytes_total counter');
    for (const op of OPERATIONS)
      lines.push(
        `thanos_objstore_bucket_operation_bytes_total{${b},operation="${op}"} ${stats[op].bytes}`,
      );
    lines.push(
      '# HELP thanos_bucket_store_blocks_skipped Blocks skipped at the last sync (partial upload, deletion mark, corrupt meta).',
    );
    lines.push('# TYPE thanos_bucket_store_blocks_skipped gauge');
    lines.push(`thanos_bucket_store_blocks_skipped ${bucketStore.skipped.length}`);
  }
  if (gateway) {
    const { hits, misses } = gateway.memoryCache;
    lines.push(
      '# HELP thanos_edge_range_cache_requests_total Range cache lookups in isolate memory.',
    );
    lines.push('# TYPE thanos_edge_range_cache_requests_total counter');
    lines.push(`thanos_edge_range_cache_requests_total{result="hit"} ${hits}`);
    lines.push(`thanos_edge_range_cache_requests_total{result="miss"} ${misses}`);
  }
  const status = state.querier.settings.endpoints.status();
  lines.push('# HELP thanos_store_nodes_grpc_connections Stores the querier knows, by health.');
  lines.push('# TYPE thanos_store_nodes_grpc_connections gauge');
  lines.push(
    `thanos_store_nodes_grpc_connections{healthy="true"} ${status.filter((s) => s.healthy).length}`,
  );
  lines.push(
    `thanos_store_nodes_grpc_connections{healthy="false"} ${status.filter((s) => !s.healthy).length}`,
  );
  return `${lines.join('\n')}\n`;
}
