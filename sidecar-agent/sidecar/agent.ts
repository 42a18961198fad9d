/**
 * @module sidecar-agent/sidecar/agent — one running sidecar agent: reads the external labels from
 * Prometheus (none → refuses to start, as Thanos), checks the block-duration flags, serves the
 * StoreAPI and, with a bucket, runs the shipper. `stop()` is the graceful shutdown.
 */
import { errorMessage } from '../../core/errors.ts';
import type { Labels } from '../../core/labels/labels.ts';
import type { Bucket } from '../../core/objstore/bucket.ts';
import type { Store } from '../../core/storeapi/store.ts';
import { PrometheusClient } from '../prometheus/client.ts';
import { newSidecarMetrics, type SidecarMetrics } from './metrics.ts';
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
  /** Shipper sync interval, ms (default 30s, Thanos's). */
  readonly syncIntervalMs?: number;
  /** External-label refresh interval, ms (default 30s). */
  readonly heartbeatMs?: number;
  readonly retry?: RetryOptions;
  /** How long to wait for Prometheus at start before giving up, ms (default 10 min). */
  readonly startupTimeoutMs?: number;
  readonly log?: (msg: string) => void;
  readonly progress?: (block: string, key: string, bytes: number) => void;
}

export class SidecarAgent {
  readonly url: string;
  readonly metrics: SidecarMetrics;
  /** Prometheus's data as a StoreAPI Store (also served over gRPC by the CLI). */
  readonly store: Store;
  readonly shipper: Shipper | undefined;
  readonly #server: RunningServer;
  readonly #heartbeat: NodeJS.Timeout;

  private constructor(
    url: string,
    metrics: SidecarMetrics,
    shipper: Shipper | undefined,
    server: RunningServer,
    hb: NodeJS.Timeout,
    store: Store,
  ) {
    this.url = url;
    this.metrics = metrics;
    this.store = store;
    this.shipper = shipper;
    this.#server = server;
    this.#heartbeat = hb;
  }

  static async start(o: SidecarAgentOptions): Promise<SidecarAgent> {
    const log = o.log ?? (() => undefined);
    const client = new PrometheusClient(o.prometheusUrl);
    const metrics = newSidecarMetrics();
    let ext: Labels = await waitForExternalLabels(client, o.startupTimeoutMs ?? 600_000, log);
    if (ext.length === 0) throw new Error(NO_EXTERNAL_LABELS);
    await checkFlags(client, log);

    const store = new PrometheusStore(client, { externalLabels: () => ext });
    if (!o.token)
      log(
        'warning: no StoreAPI token (STORE_TOKEN or --store.token-file): every StoreAPI request is refused',
      );
    const server = await listen(
      sidecarApp({ store, token: o.token, prometheus: client, metrics, externalLabels: () => ext }),
      o.host,
      o.port,
      { store: () => store, token: () => o.token },
    );

    let shipper: Shipper | undefined;
    if (o.bucket && o.tsdbPath) {
      shipper = new Shipper({
        bucket: o.bucket,
        tsdbPath: o.tsdbPath,
        labels: () => Object.fromEntries(ext.map((l) => [l.name, l.value])),
        uploadCompacted: o.uploadCompacted ?? false,
        metrics,
        log,
        ...(o.retry ? { retry: o.retry } : {}),
        ...(o.progress ? { onObject: o.progress } : {}),
      });
      shipper.start(o.syncIntervalMs ?? 30_000);
    } else {
      log('no supported bucket was configured, uploads will be disabled');
    }

    // Heartbeat: follow config reloads; an empty label set keeps the old one (Thanos refuses it too).
    const hb = setInterval(() => {
      client
        .externalLabels(AbortSignal.timeout(5000))
        .then((l) => {
          metrics.prometheusUp.set(1);
          if (l.length > 0) ext = l;
        })
        .catch(() => metrics.prometheusUp.set(0));
    }, o.heartbeatMs ?? 30_000);
    hb.unref();
    metrics.prometheusUp.set(1);
    return new SidecarAgent(server.url, metrics, shipper, server, hb, store);
  }

  /** Stops serving, lets the upload in flight finish (no new ones), then resolves. */
  async stop(): Promise<void> {
    clearInterval(this.#heartbeat);
    await Promise.all([this.#server.close(), this.shipper?.stop()]);
  }
}

async function waitForExternalLabels(
  client: PrometheusClient,
  timeoutMs: number,
  log: (msg: string) => void,
): Promise<Labels> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 500; ; delay = Math.min(delay * 2, 10_000)) {
    try {
      return await client.externalLabels(AbortSignal.timeout(10_000));
    } catch (err) {
      if (Date.now() + delay > deadline)
        throw new Error(`failed to get Prometheus external labels: ${errorMessage(err)}`, {
          cause: err,
        });
      log(`failed to fetch initial external labels, retrying: ${errorMessage(err)}`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Thanos's check: min != max block duration means Prometheus compacts locally. */
async function checkFlags(client: PrometheusClient, log: (msg: string) => void): Promise<void> {
  try {
    const f = await client.flags(AbortSignal.timeout(10_000));
    const min = f['storage.tsdb.min-block-duration'];
    const max = f['storage.tsdb.max-block-duration'];
    if (min !== undefined && max !== undefined && min !== max) {
      log(
        `warning: found that TSDB max time is ${max} and min time is ${min}. Compaction needs to be disabled ` +
          '(storage.tsdb.min-block-duration = storage.tsdb.max-block-duration) or blocks will be compacted locally and uploaded more than once',
      );
    }
  } catch (err) {
    log(`warning: failed to check Prometheus flags: ${errorMessage(err)}`);
  }
}
