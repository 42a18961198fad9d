/**
 * @module sidecar-agent/cli/store — `thanos-edge store`: the store gateway as a Node process
 * outside Cloudflare (Thanos's `thanos store` flags). Core's BucketStore over the bucket, served
 * over Thanos's gRPC StoreAPI on `--grpc-address` and over our HTTP StoreAPI (bearer token) on
 * `--http-address`, with `/metrics`, `/-/healthy` and `/-/ready` (ready once the bucket was
 * listed). The bucket is re-listed every `--sync-block-duration`; `--min-time`/`--max-time`
 * choose the blocks served, as Thanos's time-partitioning filter.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { Hono } from 'hono';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { BlockSet } from '../../core/block/block-set.ts';
import { BucketStore } from '../../core/block/bucket-store.ts';
import { MetaFetcher } from '../../core/block/meta-fetcher.ts';
import { MemoryRangeCache } from '../../core/block/range-cache.ts';
import { errorMessage } from '../../core/errors.ts';
import { DurationError, parsePromDuration } from '../../core/gocompat/duration.ts';
import { storeApiRoutes } from '../../core/storeapi/http-server.ts';
import {
  GRPC_FLAGS,
  GRPC_FLAGS_HELP,
  grpcConfigFromFlags,
  parseListenAddress,
  serveStoreGrpc,
} from '../grpc/flags.ts';
import { listen } from '../sidecar/server.ts';
import { UsageError, type Command } from './command.ts';
import {
  OBJSTORE_FLAGS,
  THANOS_COMMON_IGNORED,
  LOG_FLAGS,
  loggerFromFlags,
  bucketFromFlags,
  durationFlag,
  flagValue,
  parseFlags,
  type FlagSpec,
} from './bucket-flags.ts';

const USAGE = `usage: thanos-edge store [<flags>]

Store gateway over an object store bucket: serves its blocks over Thanos's gRPC StoreAPI and
thanos-edge's HTTP StoreAPI.

Flags:
  --objstore.config-file=<file>  Objstore YAML (type: S3|GCS|AZURE|FILESYSTEM).
  --objstore.config=<yaml>       Objstore YAML content instead of a file.
  --log.level=info               error, warn, info or debug.
  --log.format=logfmt            logfmt, json or journald (logfmt to stderr).
  --data-dir="./data"            Local directory (created); index headers are kept in memory
                                 and in the bucket.
  --http-address=<host:port>     /metrics, /-/healthy, /-/ready and the HTTP StoreAPI
                                 (default 0.0.0.0:10902).
  --store.token-file=<file>      HTTP StoreAPI bearer token (default: env STORE_TOKEN).
  --sync-block-duration=<dur>    How often the bucket is listed again (default 15m).
  --ignore-deletion-marks-delay=<dur>  Blocks marked for deletion longer ago than this are no
                                 longer served (default 24h; the compactor deletes them after
                                 its --delete-delay, which should be longer).
  --min-time=<time>              Serve blocks ending after this: RFC 3339 or a duration
                                 relative to now, e.g. -2w (default: all).
  --max-time=<time>              Serve blocks starting before this (default: all).
  --store.limits.request-series=<n>   Series per request before it fails (0 = no limit).
  --store.limits.request-samples=<n>  Samples per request before it fails (0 = no limit).
  --index-cache-size=<bytes>     Memory for cached block bytes (default 250MB).
${GRPC_FLAGS_HELP}
Other \`thanos store\` flags are accepted and logged as ignored.
`;

/** `thanos store` flags accepted and ignored (caches, tracing, web, sharding by relabelling). */
const IGNORED: Record<string, FlagSpec> = {
  ...THANOS_COMMON_IGNORED,
  'http-grace-period': { kind: 'string' },
  'http.config': { kind: 'string' },
  'chunk-pool-size': { kind: 'string' },
  'index-cache.config-file': { kind: 'string' },
  'index-cache.config': { kind: 'string' },
  'store.caching-bucket.config-file': { kind: 'string' },
  'store.caching-bucket.config': { kind: 'string' },
  'store.grpc.series-sample-limit': { kind: 'string' },
  'store.grpc.touched-series-limit': { kind: 'string' },
  'store.grpc.series-max-concurrency': { kind: 'string' },
  'store.grpc.downloaded-bytes-limit': { kind: 'string' },
  'store.enable-index-header-lazy-reader': { kind: 'bool' },
  'store.enable-lazy-expanded-postings': { kind: 'bool' },
  'store.index-header-lazy-download-strategy': { kind: 'string' },
  'store.posting-group-max-key-series-ratio': { kind: 'string' },
  'block-sync-concurrency': { kind: 'string' },
  'block-meta-fetch-concurrency': { kind: 'string' },
  'consistency-delay': { kind: 'string' },
  'selector.relabel-config-file': { kind: 'string' },
  'selector.relabel-config': { kind: 'string' },
  'web.disable': { kind: 'bool' },
  'web.disable-cors': { kind: 'bool' },
  'web.external-prefix': { kind: 'string' },
  'web.prefix-header': { kind: 'string' },
  'web.route-prefix': { kind: 'string' },
  'bucket-web-label': { kind: 'string' },
  'cache-index-header': { kind: 'bool' },
  'request.logging-config-file': { kind: 'string' },
  'request.logging-config': { kind: 'string' },
};

const SPEC: Record<string, FlagSpec> = {
  ...OBJSTORE_FLAGS,
  ...LOG_FLAGS,
  ...GRPC_FLAGS,
  ...IGNORED,
  'data-dir': { kind: 'string' },
  'http-address': { kind: 'string' },
  'store.token-file': { kind: 'string' },
  'sync-block-duration': { kind: 'string' },
  'ignore-deletion-marks-delay': { kind: 'string' },
  'min-time': { kind: 'string' },
  'max-time': { kind: 'string' },
  'store.limits.request-series': { kind: 'string' },
  'store.limits.request-samples': { kind: 'string' },
  'index-cache-size': { kind: 'string' },
};

/** Thanos's defaults: 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
const DEFAULT_MIN_TIME = '0000-01-01T00:00:00Z';
const DEFAULT_MAX_TIME = '9999-12-31T23:59:59Z';

/**
 * Thanos's TimeOrDurationValue: an RFC 3339 time, or a Prometheus duration with an optional sign
 * taken relative to `now` (`-2w` is two weeks ago), in ms.
 */
export function parseTimeOrDuration(flag: string, value: string, now: number): number {
  const d = /^([+-]?)(.+)$/.exec(value)!;
  if (/^\d+[a-zµ]/.test(d[2]!)) {
    try {
      const ms = parsePromDuration(d[2]!);
      return d[1] === '-' ? now - ms : now + ms;
    } catch (err) {
      if (!(err instanceof DurationError)) throw err;
    }
  }
  const t = Date.parse(value);
  // Date.parse takes many forms; require RFC 3339's shape before trusting it.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) || isNaN(t))
    throw new UsageError(`--${flag}: expected an RFC 3339 time or a duration, got ${value}`);
  return t;
}

function byteSize(flag: string, value: string): number {
  const m = /^(\d+)(B|KB|MB|GB|KiB|MiB|GiB)?$/.exec(value);
  if (!m) throw new UsageError(`--${flag}: expected a size like 250MB, got ${value}`);
  const unit: Record<string, number> = {
    B: 1,
    KB: 1024,
    MB: 1024 ** 2,
    GB: 1024 ** 3,
    KiB: 1024,
    MiB: 1024 ** 2,
    GiB: 1024 ** 3,
  };
  return Number(m[1]) * unit[m[2] ?? 'B']!;
}

function count(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--${flag}: expected a count, got ${value}`);
  return n;
}

export const storeCommand: Command = {
  path: ['store'],
  summary: 'store gateway over a bucket, serving the gRPC and HTTP StoreAPI',
  async run(args) {
    const f = parseFlags(args, SPEC);
    if (f.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (f.positional.length > 0) throw new UsageError(`unexpected argument ${f.positional[0]}`);
    const logger = loggerFromFlags(f);
    const log = (msg: string): void => logger.info(msg);
    for (const n of Object.keys(IGNORED))
      if (f.values.has(n) || f.bools.has(n))
        log(`flag --${n} is accepted for compatibility with Thanos and ignored`);

    const now = Date.now();
    const minTime = parseTimeOrDuration(
      'min-time',
      flagValue(f, 'min-time', DEFAULT_MIN_TIME)!,
      now,
    );
    const maxTime = parseTimeOrDuration(
      'max-time',
      flagValue(f, 'max-time', DEFAULT_MAX_TIME)!,
      now,
    );
    if (minTime > maxTime) throw new UsageError('--min-time is after --max-time');
    const syncMs = durationFlag(f, 'sync-block-duration', '15m');
    if (syncMs === 0) throw new UsageError('--sync-block-duration: must be more than 0s');
    const markDelayMs = durationFlag(f, 'ignore-deletion-marks-delay', '24h');
    const http = parseListenAddress('http-address', flagValue(f, 'http-address', '0.0.0.0:10902')!);
    const grpcConfig = await grpcConfigFromFlags(f, logger);
    const tokenFile = flagValue(f, 'store.token-file');
    const token = tokenFile ? (await readFile(tokenFile, 'utf8')).trim() : process.env.STORE_TOKEN;
    const dataDir = flagValue(f, 'data-dir', './data')!;
    await mkdir(dataDir, { recursive: true });
    const bucket = await bucketFromFlags(f);

    const fetcher = new MetaFetcher(bucket, {
      log,
      deletionMarkDelay: markDelayMs,
      // Thanos's time-partition filter: a block is served when it overlaps [min-time, max-time].
      filter: (_id, meta) =>
        meta ? meta.maxTime >= minTime && meta.minTime <= maxTime : undefined,
    });
    const cache = new MemoryRangeCache(
      byteSize('index-cache-size', flagValue(f, 'index-cache-size', '250MB')!),
    );
    const store = new BucketStore(fetcher, new BlockSet(bucket, cache, { log }), {
      syncInterval: syncMs,
      // One Node process: no request owns the I/O it starts, so every request may share it.
      sharedIo: true,
      maxSeries: count(
        'store.limits.request-series',
        flagValue(f, 'store.limits.request-series', '0')!,
      ),
      maxSamples: count(
        'store.limits.request-samples',
        flagValue(f, 'store.limits.request-samples', '0')!,
      ),
    });

    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const loaded = new Gauge({
      name: 'thanos_bucket_store_blocks_loaded',
      help: 'Number of blocks the store serves (after the last bucket listing).',
      registers: [registry],
    });
    const syncs = new Gauge({
      name: 'thanos_bucket_store_last_successful_sync_time',
      help: 'Unix time (seconds) of the last successful bucket listing.',
      registers: [registry],
    });
    let ready = false;
    const sync = async (): Promise<void> => {
      try {
        const r = await store.sync(true);
        loaded.set(r.metas.size);
        if (!store.staleBecause) syncs.set(Date.now() / 1000);
        if (store.staleBecause) log(store.staleBecause);
        if (!ready) log(`bucket listed: ${r.metas.size} blocks served`);
        ready = true;
      } catch (err) {
        log(`bucket sync failed: ${errorMessage(err)}`);
      }
    };

    const app = new Hono();
    app.get('/-/healthy', (c) => c.text('thanos-edge store is healthy.\n'));
    app.get('/-/ready', (c) =>
      ready
        ? c.text('thanos-edge store is ready.\n')
        : c.text('not ready: bucket not listed yet\n', 503),
    );
    app.get('/metrics', async (c) =>
      c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }),
    );
    app.route('/', storeApiRoutes({ store: () => store, token: () => token }));
    if (!token)
      log(
        'warning: no HTTP StoreAPI token (STORE_TOKEN or --store.token-file): HTTP StoreAPI requests are refused',
      );
    const server = await listen(app, http.host, http.port);
    log(`listening on ${server.url}`);
    const grpc = await serveStoreGrpc(grpcConfig, store, {
      componentType: 'store',
      name: `store ${bucket.name}`,
      registry,
      log,
      sortsWithoutReplicaLabels: true,
    }).catch(async (err: unknown) => {
      await server.close(0);
      throw err;
    });
    await sync();
    const timer = setInterval(() => void sync(), syncMs);

    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    log(`${signal}: shutting down`);
    clearInterval(timer);
    await Promise.all([grpc.stop(), server.close(5000)]);
    log('bye');
    return 0;
  },
};
