/**
 * @module sidecar-agent/sidecar/server — the agent's HTTP surface on node:http: StoreAPI routes
 * (bearer token), `/metrics`, `/-/healthy` (the process runs: answers from the first moment) and
 * `/-/ready` (the agent has read Prometheus's external labels and Prometheus answers its own
 * `/-/ready`; 503 otherwise, as Thanos's sidecar readiness).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { storeApiRoutes } from '../../core/storeapi/http-server.ts';
import type { Store } from '../../core/storeapi/store.ts';
import type { PrometheusClient } from '../prometheus/client.ts';
import type { Labels } from '../../core/labels/labels.ts';
import type { SidecarMetrics } from './metrics.ts';
import { prometheusApiRoutes } from './prometheus-api-routes.ts';
import { SERIES_PATH, serveSeries, type SeriesRouteOptions } from './series-route.ts';

export interface SidecarServerOptions {
  /** The store; throws StoreUnavailableError (503) until the agent has started. */
  readonly store: () => Store;
  /** Whether the agent has reached Prometheus and read its labels (default: yes). */
  readonly started?: () => boolean;
  readonly token: string | undefined;
  readonly prometheus: PrometheusClient;
  readonly metrics: SidecarMetrics;
  /** The external labels in force (exemplar series carry them). */
  readonly externalLabels?: () => Labels;
}

export function sidecarApp(o: SidecarServerOptions): Hono {
  const app = new Hono();
  app.get('/-/healthy', (c) => c.text('thanos-edge sidecar is healthy.\n'));
  app.get('/-/ready', async (c) => {
    if (o.started && !o.started())
      return c.text(`not ready: waiting for prometheus ${o.prometheus.url}\n`, 503);
    const up = await o.prometheus.ready(AbortSignal.timeout(3000));
    o.metrics.prometheusUp.set(up ? 1 : 0);
    return up
      ? c.text('thanos-edge sidecar is ready.\n')
      : c.text(`not ready: prometheus ${o.prometheus.url} is not ready or unreachable\n`, 503);
  });
  app.get('/metrics', async (c) =>
    c.body(await o.metrics.registry.metrics(), 200, {
      'content-type': o.metrics.registry.contentType,
    }),
  );
  app.route(
    '/',
    prometheusApiRoutes({
      prometheus: o.prometheus,
      token: o.token,
      externalLabels: o.externalLabels ?? (() => []),
    }),
  );
  app.route('/', storeApiRoutes({ store: () => o.store(), token: () => o.token }));
  return app;
}

export interface RunningServer {
  readonly url: string;
  /** Stops accepting connections and closes idle ones; open streams end when their clients do, or after `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Listens on `host:port` (port 0 = any free port). With `series`, the series stream is served by
 * the node:http route (series-route.ts) and everything else by the app.
 */
export async function listen(
  app: Hono,
  host: string,
  port: number,
  series?: SeriesRouteOptions,
): Promise<RunningServer> {
  const viaApp = getRequestListener(app.fetch);
  const server = createServer((req, res) => {
    if (series && req.method === 'POST' && req.url?.split('?')[0] === SERIES_PATH) {
      serveSeries(req, res, series).catch((err: unknown) => res.destroy(err as Error));
    } else void viaApp(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shownHost}:${addr.port}`,
    close: (graceMs = 5000) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(t);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
