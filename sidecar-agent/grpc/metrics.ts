/**
 * @module sidecar-agent/grpc/metrics — the gRPC server's counters, named and labelled as
 * go-grpc-prometheus's server metrics that Thanos exports (`grpc_server_*`, labels grpc_service,
 * grpc_method, grpc_type and, when handled, grpc_code).
 */
import { Counter, type Registry } from 'prom-client';

export interface GrpcMetrics {
  readonly started: Counter<'grpc_service' | 'grpc_method' | 'grpc_type'>;
  readonly handled: Counter<'grpc_service' | 'grpc_method' | 'grpc_type' | 'grpc_code'>;
  readonly sent: Counter<'grpc_service' | 'grpc_method' | 'grpc_type'>;
}

export function newGrpcMetrics(registry: Registry): GrpcMetrics {
  const registers = [registry];
  const labelNames = ['grpc_service', 'grpc_method', 'grpc_type'] as const;
  return {
    started: new Counter({
      name: 'grpc_server_started_total',
      help: 'Total number of RPCs started on the server.',
      labelNames,
      registers,
    }),
    handled: new Counter({
      name: 'grpc_server_handled_total',
      help: 'Total number of RPCs completed on the server, regardless of success or failure.',
      labelNames: [...labelNames, 'grpc_code'] as const,
      registers,
    }),
    sent: new Counter({
      name: 'grpc_server_msg_sent_total',
      help: 'Total number of gRPC stream messages sent by the server.',
      labelNames,
      registers,
    }),
  };
}
