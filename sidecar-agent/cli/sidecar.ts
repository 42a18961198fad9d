/**
 * @module sidecar-agent/cli/sidecar — `thanos-edge sidecar`: the agent run beside each Prometheus,
 * taking every flag of Thanos's `thanos sidecar` (table: sidecar-flags.ts). Ships finished blocks
 * to the bucket and serves Prometheus's recent data over the StoreAPI. Listens at once
 * (`/-/healthy`), then waits for Prometheus. SIGTERM/SIGINT: stop serving, finish the upload in
 * flight, exit 0.
 */
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { errorMessage } from '../../core/errors.ts';
import type { Bucket } from '../../core/objstore/bucket.ts';
import type { Logger } from '../log.ts';
import { assertUrl } from '../prometheus/client.ts';
import { loadPrometheusHttpClient } from '../prometheus/http-client-config.ts';
import { grpcConfigFromFlags, serveStoreGrpc } from '../grpc/flags.ts';
import {
  PROMETHEUS_API_CAPABILITIES,
  prometheusApiMethods,
} from '../grpc/prometheus-api-service.ts';
import { SidecarAgent } from '../sidecar/agent.ts';
import { SHIPPER_META_FILENAME } from '../sidecar/shipper-state.ts';
import { UsageError, type Command } from './command.ts';
import {
  bucketFromFlags,
  durationFlag,
  flagValue,
  loggerFromFlags,
  parseFlags,
  type ParsedFlags,
} from './bucket-flags.ts';
import {
  MIN_TIME_UNSET,
  RELOADER_METHODS,
  SIDECAR_FLAGS,
  SIGNAL_RELOAD_REASON,
  parseTimeOrDuration,
  sidecarUsage,
} from './sidecar-flags.ts';

/** `host:port`; IPv6 hosts in brackets. */
export function parseAddress(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  if (!m) throw new UsageError(`--http-address: expected host:port, got ${JSON.stringify(addr)}`);
  const port = Number(m[3]);
  if (port > 65535) throw new UsageError(`--http-address: bad port ${m[3]}`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** Logs, once, each given flag that has no effect here, with the reason. */
export function logIgnoredFlags(
  f: ParsedFlags,
  table: Readonly<Record<string, { readonly ignored?: string; readonly warnIfSet?: boolean }>>,
  log: Logger,
): void {
  for (const [name, spec] of Object.entries(table)) {
    if (!spec.ignored || !(f.values.has(name) || f.bools.has(name))) continue;
    // Ignoring a flag that asks for TLS or auth leaves an endpoint open: say so louder.
    const loud = spec.warnIfSet && (flagValue(f, name) ?? '') !== '';
    log[loud ? 'warn' : 'info']('flag accepted for compatibility with Thanos and ignored', {
      flag: `--${name}`,
      reason: spec.ignored,
    });
  }
}

/**
 * `--shipper.meta-file-name`, as Thanos reads it: a path inside `--tsdb.path` (cleaned; empty is
 * the default). One that leads out of it is a usage error: Thanos v0.42 confines the sidecar's
 * file access to its data directory.
 */
export function shipperMetaFileName(name: string): string {
  if (name === '') return SHIPPER_META_FILENAME;
  const clean = posix.normalize(name.replace(/^\/+/, ''));
  if (clean === '.' || clean.endsWith('/') || clean === '..' || clean.startsWith('../'))
    throw new UsageError(
      `--shipper.meta-file-name: ${JSON.stringify(name)} is not a file inside --tsdb.path`,
    );
  return clean;
}

/** `--prometheus.http-client-file` or `--prometheus.http-client` (mutually exclusive). */
async function httpClientText(f: ParsedFlags): Promise<string | undefined> {
  const file = flagValue(f, 'prometheus.http-client-file');
  const inline = flagValue(f, 'prometheus.http-client');
  if (file && inline)
    throw new UsageError(
      '--prometheus.http-client-file and --prometheus.http-client are mutually exclusive',
    );
  if (inline !== undefined) return inline;
  if (!file) return undefined;
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--prometheus.http-client-file: ${errorMessage(err)}`);
  }
}

export const sidecarCommand: Command = {
  path: ['sidecar'],
  summary: 'ship Prometheus blocks and serve its data over the StoreAPI',
  async run(args) {
    const f = parseFlags(args, SIDECAR_FLAGS);
    if (f.help) {
      process.stdout.write(sidecarUsage());
      return 0;
    }
    if (f.positional.length > 0) throw new UsageError(`unexpected argument ${f.positional[0]}`);
    const log = loggerFromFlags(f);
    logIgnoredFlags(f, SIDECAR_FLAGS, log);

    const prometheusUrl = flagValue(f, 'prometheus.url', 'http://localhost:9090')!;
    assertUrl(prometheusUrl);
    const { host, port } = parseAddress(flagValue(f, 'http-address', '0.0.0.0:10902')!);
    const tokenFile = flagValue(f, 'store.token-file');
    const token = tokenFile ? (await readFile(tokenFile, 'utf8')).trim() : process.env.STORE_TOKEN;
    const hasBucket = f.values.has('objstore.config-file') || f.values.has('objstore.config');
    const bucket: Bucket | undefined = hasBucket ? await bucketFromFlags(f) : undefined;
    const grpcConfig = await grpcConfigFromFlags(f, log);
    const tsdbPath = flagValue(f, 'tsdb.path');
    if (bucket && !tsdbPath) throw new UsageError('--tsdb.path is required to ship blocks');
    const shipperMetaFile = shipperMetaFileName(
      flagValue(f, 'shipper.meta-file-name', SHIPPER_META_FILENAME)!,
    );
    const method = flagValue(f, 'reloader.method', 'http')!;
    if (!(RELOADER_METHODS as readonly string[]).includes(method))
      throw new UsageError(
        `--reloader.method: enum value must be one of ${RELOADER_METHODS.join(',')}, got '${method}'`,
      );
    if (method === 'signal')
      log.warn('--reloader.method=signal: reloading Prometheus through HTTP', {
        reason: SIGNAL_RELOAD_REASON,
      });

    const uploadConcurrency = Number(flagValue(f, 'shipper.upload-concurrency', '0'));
    if (!Number.isInteger(uploadConcurrency) || uploadConcurrency < 0)
      throw new UsageError('--shipper.upload-concurrency: expected a non-negative integer');
    const minTimeText = flagValue(f, 'min-time', MIN_TIME_UNSET)!;
    let minTime: (() => number) | undefined;
    try {
      parseTimeOrDuration(minTimeText);
      if (minTimeText !== MIN_TIME_UNSET) minTime = () => parseTimeOrDuration(minTimeText);
    } catch (err) {
      throw new UsageError(`--min-time: ${errorMessage(err)}`);
    }
    const httpClientYaml = await httpClientText(f);
    let httpClient;
    try {
      httpClient =
        httpClientYaml !== undefined ? await loadPrometheusHttpClient(httpClientYaml) : undefined;
    } catch (err) {
      throw new UsageError(`--prometheus.http-client: ${errorMessage(err)}`);
    }
    const configFile = flagValue(f, 'reloader.config-file', '');
    const envsubstFile = flagValue(f, 'reloader.config-envsubst-file', '');
    const ruleDirs = f.values.get('reloader.rule-dir') ?? [];
    const tty = process.stderr.isTTY;

    const agent = await SidecarAgent.listen({
      prometheusUrl,
      ...(tsdbPath ? { tsdbPath } : {}),
      ...(bucket ? { bucket } : {}),
      host,
      port,
      token,
      uploadCompacted: f.bools.has('shipper.upload-compacted'),
      shipperMetaFile,
      ...(uploadConcurrency > 0 ? { uploadConcurrency } : {}),
      syncIntervalMs: durationFlag(f, 'shipper.sync-interval', '30s'),
      startupTimeoutMs: durationFlag(f, 'prometheus.ready_timeout', '10m'),
      heartbeatMs: durationFlag(f, 'prometheus.get_config_interval', '30s'),
      getConfigTimeoutMs: durationFlag(f, 'prometheus.get_config_timeout', '30s'),
      httpGraceMs: durationFlag(f, 'http-grace-period', '2m'),
      ...(httpClient ? { httpClient } : {}),
      ...(minTime ? { minTime } : {}),
      reloader: {
        ...(configFile ? { configFile } : {}),
        ...(envsubstFile ? { envsubstFile } : {}),
        ruleDirs,
        watchIntervalMs: durationFlag(f, 'reloader.watch-interval', '3m'),
        retryIntervalMs: durationFlag(f, 'reloader.retry-interval', '5s'),
      },
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
    // Tests and scripts wait for this line: keep "listening on <url>" in the message.
    log.info(`listening on ${agent.url}`, { component: 'http' });
    const grpc = await serveStoreGrpc(grpcConfig, agent.store, {
      componentType: 'sidecar',
      name: `sidecar ${prometheusUrl}`,
      capabilities: PROMETHEUS_API_CAPABILITIES,
      methods: prometheusApiMethods(agent.prometheusApis),
      registry: agent.metrics.registry,
      log: (m) => log.info(m, { component: 'grpc' }),
    }).catch(async (err: unknown) => {
      await agent.stop();
      throw err;
    });

    const signalled = new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    const outcome = await Promise.race([
      signalled.then((s) => ({ signal: s })),
      agent.ready.then(
        () => signalled.then((s) => ({ signal: s })),
        (err: unknown) => ({ error: err }),
      ),
    ]);
    if ('error' in outcome) {
      log.error('sidecar could not start', { err: errorMessage(outcome.error) });
      await Promise.all([agent.stop(), grpc.stop()]).catch(() => undefined);
      return 1;
    }
    log.info(`${outcome.signal}: shutting down (finishing the upload in flight)`);
    try {
      await Promise.all([agent.stop(), grpc.stop()]);
    } catch (err) {
      log.error('shutdown failed', { err: errorMessage(err) });
      return 1;
    }
    log.info('bye');
    return 0;
  },
};
