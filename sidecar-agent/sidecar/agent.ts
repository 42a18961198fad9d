/**
 * @module sidecar-agent/sidecar/agent — one running sidecar agent. It listens first, so
 * `/-/healthy` answers at once even while Prometheus is down (`/-/ready` is 503 until then, and
 * the StoreAPI answers 503); then it waits for Prometheus (up to `startupTimeoutMs`, Thanos's
 * `--prometheus.ready_timeout`), reads the external labels (none → refuses to start, as Thanos),
 * checks the block-duration flags, and with a bucket runs the shipper; with reloader options,
 * the reloader. `stop()` is the graceful shutdown.
 */
import { errorMessage } from '../../core/errors.ts';
import { StoreUnavailableError } from '../../core/storeapi/errors.ts';
import { loggerFromFunction, nopLogger, type Logger } from '../log.ts';
import type { PrometheusHttpClient } from '../prometheus/http-client-config.ts';
import { Reloader, type ReloaderOptions } from './reloader.ts';
import type { Labels } from '../../core/labels/labels.ts';
import type { Bucket } from '../../core/objstore/bucket.ts';
import type { EncodedSeriesSource, Store } from '../../core/storeapi/store.ts';
import { PrometheusClient } from '../prometheus/client.ts';
import { newSidecarMetrics, type SidecarMetrics } from './metrics.ts';
import { prometheusApiData, type PrometheusApiSource } from './prometheus-apis.ts';
import { PrometheusStore } from './prometheus-store.ts';
import { listen, sidecarApp, type RunningServer } from './server.ts';
import { Shipper, type RetryOptions } from './shipper.ts';

export const NO_EXTERNAL_LABELS =
  'no external labels configured on Prometheus server, uniquely identifying external labels must be configured; see https://thanos.io/tip/thanos/storage.md#external-labels';

export interface SidecarAgentOptions {
  readonly prometheusUrl: string;
  readonly tsdbPath?: string;
  /** No bucket: StoreAPI only, nothing shipped (Thanos's behaviour without objstore config). */
  readonly bucket?: Bucket;
  readonly host: string;
  readonly port: number;
  readonly token: string | undefined;
  readonly uploadCompacted?: boolean;
  /** The shipper's state file in `tsdbPath` (`--shipper.meta-file-name`; default thanos.shipper.json). */
  readonly shipperMetaFile?: string;
  /** Block files uploaded at once (`--shipper.upload-concurrency`). */
  readonly uploadConcurrency?: number;
  /** Shipper sync interval, ms (default 30s, Thanos's). */
  readonly syncIntervalMs?: number;
  /** External-label refresh interval, ms (default 30s: `--prometheus.get_config_interval`). */
  readonly heartbeatMs?: number;
  /** Timeout of one config read, ms (default 30s: `--prometheus.get_config_timeout`). */
  readonly getConfigTimeoutMs?: number;
  readonly retry?: RetryOptions;
  /** How long to wait for Prometheus at start before giving up, ms (default 10 min: `--prometheus.ready_timeout`). */
  readonly startupTimeoutMs?: number;
  /** `--prometheus.http-client(-file)`. */
  readonly httpClient?: PrometheusHttpClient;
  /** `--min-time`: the oldest time served, ms, evaluated per request. */
  readonly minTime?: () => number;
  /** `--reloader.*`; without config file and rule dirs no reloader runs. */
  readonly reloader?: Omit<ReloaderOptions, 'reload' | 'log'>;
  /** `--http-grace-period`: how long open requests may run on at shutdown, ms (default 5s). */
  readonly httpGraceMs?: number;
  /** A leveled logger, or a plain callback (levels then prefix the text). */
  readonly log?: Logger | ((msg: string) => void);
  readonly progress?: (block: string, key: string, bytes: number) => void;
}

export class SidecarAgent {
  readonly url: string;
  readonly metrics: SidecarMetrics;
  /** Resolves once Prometheus is ready and the labels are read; rejects if it never is. */
  readonly ready: Promise<void>;
  /**
   * Prometheus's data as a StoreAPI Store (the CLI also serves it over gRPC): until Prometheus is
   * reached, every call fails as unavailable.
   */
  readonly store: Store & EncodedSeriesSource;
  /**
   * Prometheus's rules, targets, metadata and exemplars APIs (the CLI serves them over gRPC as
   * Thanos's Rules, Targets, Metadata and Exemplars services): unavailable until started, as the store.
   */
  readonly prometheusApis: PrometheusApiSource;
  #shipper: Shipper | undefined;
  #reloader: Reloader | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #server: RunningServer;
  readonly #graceMs: number;

  private constructor(
    url: string,
    metrics: SidecarMetrics,
    server: RunningServer,
    graceMs: number,
    store: Store & EncodedSeriesSource,
    prometheusApis: PrometheusApiSource,
    ready: (self: SidecarAgent) => Promise<void>,
  ) {
    this.url = url;
    this.metrics = metrics;
    this.store = store;
    this.prometheusApis = prometheusApis;
    this.#server = server;
    this.#graceMs = graceMs;
    this.ready = ready(this);
    this.ready.catch(() => undefined); // observed by start() or the CLI
  }

  get shipper(): Shipper | undefined {
    return this.#shipper;
  }

  /** Listens and waits for Prometheus: resolves ready, or rejects (having closed the server). */
  static async start(o: SidecarAgentOptions): Promise<SidecarAgent> {
    const agent = await SidecarAgent.listen(o);
    try {
      await agent.ready;
    } catch (err) {
      await agent.stop();
      throw err;
    }
    return agent;
  }

  /** Listens at once; `ready` settles when Prometheus has been reached (or not). */
  static async listen(o: SidecarAgentOptions): Promise<SidecarAgent> {
    const log: Logger =
      typeof o.log === 'function' ? loggerFromFunction(o.log) : (o.log ?? nopLogger);
    const client = new PrometheusClient(o.prometheusUrl, {
      ...(o.httpClient ? { httpClient: o.httpClient } : {}),
    });
    const metrics = newSidecarMetrics();
    metrics.prometheusUp.set(0);
    let ext: Labels = [];
    let started = false;
    const store = new PrometheusStore(client, {
      externalLabels: () => ext,
      ...(o.minTime ? { minTime: o.minTime } : {}),
    });
    const whenStarted = (): PrometheusStore => {
      if (!started)
        throw new StoreUnavailableError(
          `sidecar: waiting for Prometheus ${client.url} and its external labels`,
        );
      return store;
    };
    if (!o.token)
      log.warn(
        'no StoreAPI token (STORE_TOKEN or --store.token-file): every StoreAPI request is refused',
      );
    const server = await listen(
      sidecarApp({
        store: whenStarted,
        started: () => started,
        token: o.token,
        prometheus: client,
        metrics,
        externalLabels: () => ext,
      }),
      o.host,
      o.port,
      { store: whenStarted, token: () => o.token },
    );
    const configTimeout = o.getConfigTimeoutMs ?? 30_000;

    const guarded: Store & EncodedSeriesSource = {
      info: (signal) => Promise.resolve().then(() => whenStarted().info(signal)),
      async *series(request, signal) {
        yield* whenStarted().series(request, signal);
      },
      async *encodedSeries(request, signal) {
        yield* whenStarted().encodedSeries(request, signal);
      },
      labelNames: (request, signal) =>
        Promise.resolve().then(() => whenStarted().labelNames(request, signal)),
      labelValues: (name, request, signal) =>
        Promise.resolve().then(() => whenStarted().labelValues(name, request, signal)),
    };

    const prometheusApis: PrometheusApiSource = {
      data: async (api, params, signal) => {
        whenStarted();
        return prometheusApiData(client, api, params, ext, signal);
      },
      externalLabels: () => ext,
    };

    return new SidecarAgent(
      server.url,
      metrics,
      server,
      o.httpGraceMs ?? 5000,
      guarded,
      prometheusApis,
      async (self) => {
        ext = await waitForExternalLabels(
          client,
          o.startupTimeoutMs ?? 600_000,
          configTimeout,
          log,
          () => self.#stopped,
        );
        if (ext.length === 0) throw new Error(NO_EXTERNAL_LABELS);
        await checkFlags(client, log);
        if (self.#stopped) return;

        if (o.bucket && o.tsdbPath) {
          self.#shipper = new Shipper({
            bucket: o.bucket,
            tsdbPath: o.tsdbPath,
            labels: () => Object.fromEntries(ext.map((l) => [l.name, l.value])),
            uploadCompacted: o.uploadCompacted ?? false,
            ...(o.shipperMetaFile ? { metaFile: o.shipperMetaFile } : {}),
            ...(o.uploadConcurrency ? { uploadConcurrency: o.uploadConcurrency } : {}),
            metrics,
            log: (m) => log.info(m),
            ...(o.retry ? { retry: o.retry } : {}),
            ...(o.progress ? { onObject: o.progress } : {}),
          });
          self.#shipper.start(o.syncIntervalMs ?? 30_000);
        } else {
          log.info('no supported bucket was configured, uploads will be disabled');
        }
        const r = o.reloader;
        if (r && (r.configFile || (r.ruleDirs?.length ?? 0) > 0)) {
          self.#reloader = new Reloader({ ...r, reload: (s) => client.reload(s), log });
          self.#reloader.start();
        }

        // Heartbeat: follow config reloads; an empty label set keeps the old one (Thanos refuses it too).
        self.#heartbeat = setInterval(() => {
          client
            .externalLabels(AbortSignal.timeout(configTimeout))
            .then((l) => {
              metrics.prometheusUp.set(1);
              if (l.length > 0) ext = l;
            })
            .catch(() => metrics.prometheusUp.set(0));
        }, o.heartbeatMs ?? 30_000);
        self.#heartbeat.unref();
        metrics.prometheusUp.set(1);
        started = true;
        log.info('sidecar: Prometheus is ready; serving the StoreAPI', {
          external_labels: ext.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(','),
        });
      },
    );
  }

  /** Stops serving, lets the upload in flight finish (no new ones), then resolves. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    await Promise.all([
      this.#server.close(this.#graceMs),
      this.#shipper?.stop(),
      this.#reloader?.stop(),
    ]);
  }
}

async function waitForExternalLabels(
  client: PrometheusClient,
  timeoutMs: number,
  callTimeoutMs: number,
  log: Logger,
  stopped: () => boolean,
): Promise<Labels> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 500; ; delay = Math.min(delay * 2, 10_000)) {
    try {
      return await client.externalLabels(AbortSignal.timeout(callTimeoutMs));
    } catch (err) {
      if (Date.now() + delay > deadline || stopped())
        throw new Error(
          `failed to get Prometheus external labels within --prometheus.ready_timeout: ${errorMessage(err)}`,
          { cause: err },
        );
      log.warn('failed to fetch initial external labels; retrying', { err: errorMessage(err) });
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Thanos's check: min != max block duration means Prometheus compacts locally. */
async function checkFlags(client: PrometheusClient, log: Logger): Promise<void> {
  try {
    const f = await client.flags(AbortSignal.timeout(10_000));
    const min = f['storage.tsdb.min-block-duration'];
    const max = f['storage.tsdb.max-block-duration'];
    if (min !== undefined && max !== undefined && min !== max) {
      log.warn(
        `found that TSDB max time is ${max} and min time is ${min}. Compaction needs to be disabled ` +
          '(storage.tsdb.min-block-duration = storage.tsdb.max-block-duration) or blocks will be compacted locally and uploaded more than once',
      );
    }
  } catch (err) {
    log.warn('failed to check Prometheus flags', { err: errorMessage(err) });
  }
}
