/**
 * @module sidecar-agent/cli/sidecar — `thanos-edge sidecar`: the agent run beside each Prometheus
 * (Thanos's `thanos sidecar` flags). Ships finished blocks to the bucket and serves Prometheus's
 * recent data over the StoreAPI. SIGTERM/SIGINT: stop serving, finish the upload in flight, exit 0.
 */
import { readFile } from 'node:fs/promises';
import { errorMessage } from '../../core/errors.ts';
import { goParseDuration } from '../../core/gocompat/duration.ts';
import type { Bucket } from '../../core/objstore/bucket.ts';
import { assertUrl } from '../prometheus/client.ts';
import { GRPC_FLAGS, GRPC_FLAGS_HELP, grpcConfigFromFlags, serveStoreGrpc } from '../grpc/flags.ts';
import { SidecarAgent } from '../sidecar/agent.ts';
import { UsageError, type Command } from './command.ts';
import { OBJSTORE_FLAGS, bucketFromFlags, flagValue, parseFlags } from './bucket-flags.ts';

const USAGE = `usage: thanos-edge sidecar [<flags>]

Ship Prometheus's finished blocks to object storage and serve its recent data over the StoreAPI.

Flags:
  --prometheus.url=<url>          Prometheus to read from (default http://localhost:9090).
  --tsdb.path=<dir>               Prometheus's TSDB directory (required for shipping).
  --objstore.config-file=<file>   Objstore YAML; without a bucket only the StoreAPI is served.
  --objstore.config=<yaml>        Objstore YAML content instead of a file.
  --http-address=<host:port>      Listen address (default 0.0.0.0:10902).
  --shipper.upload-compacted      Also upload compacted blocks (level > 1).
  --store.token-file=<file>       StoreAPI bearer token (default: env STORE_TOKEN).
  --shipper.sync-interval=<dur>   How often to look for new blocks (default 30s).
${GRPC_FLAGS_HELP}`;

const SPEC = {
  ...OBJSTORE_FLAGS,
  ...GRPC_FLAGS,
  'prometheus.url': { kind: 'string' as const },
  'tsdb.path': { kind: 'string' as const },
  'http-address': { kind: 'string' as const },
  'shipper.upload-compacted': { kind: 'bool' as const },
  'store.token-file': { kind: 'string' as const },
  'shipper.sync-interval': { kind: 'string' as const },
};

/** `host:port`; IPv6 hosts in brackets. */
export function parseAddress(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  if (!m) throw new UsageError(`--http-address: expected host:port, got ${JSON.stringify(addr)}`);
  const port = Number(m[3]);
  if (port > 65535) throw new UsageError(`--http-address: bad port ${m[3]}`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** A duration flag (`500ms`, `30s`, `1m30s`) in ms, read as kingpin's Duration flags are: Go's. */
export function parseDurationFlag(s: string): number {
  let ms: number;
  try {
    ms = goParseDuration(s);
  } catch {
    ms = -1;
  }
  if (ms < 0) throw new UsageError(`bad duration ${JSON.stringify(s)}`);
  return ms;
}

export const sidecarCommand: Command = {
  path: ['sidecar'],
  summary: 'ship Prometheus blocks and serve its data over the StoreAPI',
  async run(args) {
    const f = parseFlags(args, SPEC);
    if (f.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (f.positional.length > 0) throw new UsageError(`unexpected argument ${f.positional[0]}`);
    const prometheusUrl = flagValue(f, 'prometheus.url', 'http://localhost:9090')!;
    assertUrl(prometheusUrl);
    const { host, port } = parseAddress(flagValue(f, 'http-address', '0.0.0.0:10902')!);
    const tokenFile = flagValue(f, 'store.token-file');
    const token = tokenFile ? (await readFile(tokenFile, 'utf8')).trim() : process.env.STORE_TOKEN;
    const hasBucket = f.values.has('objstore.config-file') || f.values.has('objstore.config');
    const bucket: Bucket | undefined = hasBucket ? await bucketFromFlags(f) : undefined;
    const grpcConfig = await grpcConfigFromFlags(f);
    const tsdbPath = flagValue(f, 'tsdb.path');
    if (bucket && !tsdbPath) throw new UsageError('--tsdb.path is required to ship blocks');
    const log = (msg: string): void =>
      void process.stderr.write(`${new Date().toISOString()} ${msg}\n`);
    const tty = process.stderr.isTTY;

    const agent = await SidecarAgent.start({
      prometheusUrl,
      ...(tsdbPath ? { tsdbPath } : {}),
      ...(bucket ? { bucket } : {}),
      host,
      port,
      token,
      uploadCompacted: f.bools.has('shipper.upload-compacted'),
      syncIntervalMs: parseDurationFlag(flagValue(f, 'shipper.sync-interval', '30s')!),
      log,
      ...(tty
        ? {
            progress: (block: string, key: string, bytes: number) =>
              void process.stderr.write(
                `\r\x1b[K${block}: ${key.slice(block.length + 1)} ${bytes} bytes`,
              ),
          }
        : {}),
    });
    log(`listening on ${agent.url}`);
    const grpc = await serveStoreGrpc(grpcConfig, agent.store, {
      componentType: 'sidecar',
      name: `sidecar ${prometheusUrl}`,
      registry: agent.metrics.registry,
      log,
    }).catch(async (err: unknown) => {
      await agent.stop();
      throw err;
    });

    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    log(`${signal}: shutting down (finishing the upload in flight)`);
    try {
      await Promise.all([agent.stop(), grpc.stop()]);
    } catch (err) {
      log(`shutdown: ${errorMessage(err)}`);
      return 1;
    }
    log('bye');
    return 0;
  },
};
