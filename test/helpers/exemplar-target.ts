/**
 * @module test/helpers/exemplar-target — a scrape target that serves OpenMetrics with exemplars,
 * for a Prometheus run with `--enable-feature=exemplar-storage`: its counter
 * `demo_requests_total{path="/a"}` carries a new exemplar (`trace_id="trace-<n>"`) at each scrape,
 * beside a gauge with a unit. Listens on a free loopback port; always `stop()` it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The counter whose samples carry the exemplars. */
export const EXEMPLAR_METRIC = 'demo_requests_total';

export interface ExemplarTarget {
  /** `127.0.0.1:<port>`, as a scrape config names it. */
  readonly address: string;
  stop(): Promise<void>;
}

export async function startExemplarTarget(): Promise<ExemplarTarget> {
  let n = 0;
  const server = createServer((_req, res) => {
    n++;
    res.setHeader('content-type', 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    res.end(
      [
        '# TYPE demo_requests counter',
        '# HELP demo_requests Requests served by the demo.',
        `${EXEMPLAR_METRIC}{path="/a"} ${n} # {trace_id="trace-${n}"} ${n / 2}`,
        '# TYPE demo_temperature_celsius gauge',
        '# UNIT demo_temperature_celsius celsius',
        '# HELP demo_temperature_celsius A temperature.',
        'demo_temperature_celsius 21.5',
        '# EOF',
        '',
      ].join('\n'),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      // Prometheus keeps its scrape connections alive: close them, or close() waits for them.
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
