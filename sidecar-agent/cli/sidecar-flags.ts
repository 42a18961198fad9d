/**
 * @module sidecar-agent/cli/sidecar-flags — the flag table of `thanos-edge sidecar`: every flag of
 * Thanos v0.42 `thanos sidecar --help` (and two of older versions) plus our own, each with its
 * default and help text, and for those without an effect here, the reason (logged once at
 * start). `--help` is made from it.
 */
import { BadDataError } from '../../core/errors.ts';
import { parsePromDuration } from '../../core/gocompat/duration.ts';
import type { FlagSpec } from './bucket-flags.ts';

export interface SidecarFlag extends FlagSpec {
  /** As Thanos prints it after `=` in `--help` (`""` for an empty string default). */
  readonly placeholder?: string;
  readonly help: string;
  /** Accepted and without an effect: why (logged at info when the flag is given). */
  readonly ignored?: string;
  /** Log the ignored flag as a warning when it has a value (it would secure something). */
  readonly warnIfSet?: boolean;
}

const s = (placeholder: string, help: string, ignored?: string): SidecarFlag => ({
  kind: 'string',
  placeholder,
  help,
  ...(ignored ? { ignored } : {}),
});
const repeated = (placeholder: string, help: string): SidecarFlag => ({
  kind: 'strings',
  placeholder,
  help,
});
const b = (help: string, ignored?: string): SidecarFlag => ({
  kind: 'bool',
  help,
  ...(ignored ? { ignored } : {}),
});

const GO_RUNTIME = 'a Go runtime setting; this agent is Node';

/** `--reloader.method` values (Thanos's enum). */
export const RELOADER_METHODS = ['http', 'signal'] as const;

/**
 * Why `--reloader.method=signal` reloads through HTTP: Thanos finds Prometheus's process by name
 * and sends it SIGHUP, which works only when both share a PID namespace and one process has the
 * name; this agent cannot tell which process is the Prometheus at `--prometheus.url`.
 */
export const SIGNAL_RELOAD_REASON =
  "Prometheus's PID cannot be found reliably (another PID namespace, or several processes of that name); reloading through POST /-/reload on --prometheus.url instead, which needs Prometheus's --web.enable-lifecycle";

/** Thanos's flags, in `thanos sidecar --help` order. */
export const THANOS_SIDECAR_FLAGS: Readonly<Record<string, SidecarFlag>> = {
  'log.level': s('info', 'Log filtering level (error, warn, info, debug).'),
  'log.format': s(
    'logfmt',
    'Log format to use. Possible options: logfmt, json or journald (logfmt on stderr, which the journal captures).',
  ),
  'tracing.config-file': s('<file-path>', 'Tracing configuration file.', 'no tracing exporter'),
  'tracing.config': s('<content>', 'Tracing configuration content.', 'no tracing exporter'),
  'enable-auto-gomemlimit': b('Limit Go memory automatically.', GO_RUNTIME),
  'auto-gomemlimit.ratio': s('0.9', 'GOMEMLIMIT ratio.', GO_RUNTIME),
  'http-address': s('"0.0.0.0:10902"', 'Listen host:port for HTTP endpoints.'),
  'http-grace-period': s('2m', 'Time to wait after an interrupt received for HTTP Server.'),
  'http.config': {
    ...s(
      '""',
      'TLS or authentication for the HTTP endpoints.',
      'TLS and basic auth on the HTTP endpoints are not supported; StoreAPI routes require the bearer token',
    ),
    warnIfSet: true,
  },
  'grpc-address': s('"0.0.0.0:10901"', 'Listen ip:port address for gRPC endpoints.'),
  'grpc-server-tls-cert': s('""', 'TLS Certificate for gRPC server.'),
  'grpc-server-tls-key': s('""', 'TLS Key for the gRPC server.'),
  'grpc-server-tls-client-ca': s('""', 'TLS CA to verify clients against.'),
  'grpc-server-tls-min-version': s(
    '1.3',
    'TLS minimum version for gRPC server: 1.0, 1.1, 1.2, 1.3.',
  ),
  'grpc-server-tls-ciphers': repeated(
    'GRPC-SERVER-TLS-CIPHERS ...',
    "TLS cipher suites for gRPC server, by Go name (repeatable; default: Node's).",
  ),
  'grpc-server-tls-curves': repeated(
    'GRPC-SERVER-TLS-CURVES ...',
    'TLS curves for gRPC server: CurveP256, CurveP384, CurveP521, X25519 (repeatable).',
  ),
  'grpc-server-max-connection-age': s('60m', 'The grpc server max connection age.'),
  'grpc-grace-period': s('2m', 'Time to wait after an interrupt for GRPC Server.'),
  'prometheus.url': s('http://localhost:9090', "URL at which to reach Prometheus's API."),
  'prometheus.ready_timeout': s('10m', 'Maximum time to wait for Prometheus to start up.'),
  'prometheus.get_config_interval': s('30s', 'How often to get Prometheus config.'),
  'prometheus.get_config_timeout': s('30s', 'Timeout for getting Prometheus config.'),
  'prometheus.http-client-file': s(
    '<file-path>',
    'YAML file with the Prometheus HTTP client config.',
  ),
  'prometheus.http-client': s('<content>', "Alternative to 'prometheus.http-client-file'."),
  'receive.connection-pool-size': s(
    '0',
    'Controls the http MaxIdleConns (Thanos ≤ v0.26).',
    'a Go HTTP transport setting of older Thanos',
  ),
  'receive.connection-pool-size-per-host': s(
    '100',
    'Controls the http MaxIdleConnsPerHost (Thanos ≤ v0.26).',
    'a Go HTTP transport setting of older Thanos',
  ),
  'tsdb.path': s('"./data"', 'Data directory of TSDB.'),
  'reloader.config-file': s('""', 'Config file watched by the reloader.'),
  'reloader.config-envsubst-file': s('""', 'Output file for the env-substituted config file.'),
  'reloader.rule-dir': {
    kind: 'strings',
    placeholder: 'RELOADER.RULE-DIR ...',
    help: 'Rule directories for the reloader to refresh (repeated field).',
  },
  'reloader.watch-interval': s('3m', 'How often the reloader re-reads config and rules.'),
  'reloader.retry-interval': s('5s', 'How often the reloader retries a failed reload.'),
  'reloader.method': s(
    'http',
    'Method used to reload the configuration: http, or signal (reloads through http here).',
  ),
  'reloader.process-name': s(
    '"prometheus"',
    'Process name for the signal reload method.',
    'the signal reload method reloads through http here',
  ),
  'request.logging-config-file': s(
    '<file-path>',
    'Request logging configuration file.',
    'no per-request logging',
  ),
  'request.logging-config': s(
    '<content>',
    'Request logging configuration.',
    'no per-request logging',
  ),
  'objstore.config-file': s('<file-path>', 'YAML file that contains object store configuration.'),
  'objstore.config': s('<content>', "Alternative to 'objstore.config-file'."),
  'shipper.upload-compacted': b('Also upload compacted blocks (migration).'),
  'hash-func': s(
    '',
    'Hash function for produced files ("", "SHA256").',
    'uploaded files are not hashed; no reader here skips downloads by hash',
  ),
  'shipper.meta-file-name': s(
    '"thanos.shipper.json"',
    'The file in --tsdb.path that records the uploaded blocks.',
  ),
  'shipper.upload-concurrency': s('0', 'Block files uploaded at once (0 = one at a time).'),
  'store.limits.request-series': s(
    '0',
    'The maximum series allowed for a single Series request.',
    'series limits are applied by the querier',
  ),
  'store.limits.request-samples': s(
    '0',
    'The maximum samples allowed for a single Series request.',
    'sample limits are applied by the querier',
  ),
  'min-time': s(
    '0000-01-01T00:00:00Z',
    'Serve only data after this time: RFC3339 or a duration relative to now (-1d, 2h45m).',
  ),
};

/** thanos-edge's own sidecar flags. */
export const EDGE_SIDECAR_FLAGS: Readonly<Record<string, SidecarFlag>> = {
  'store.token-file': s('<file>', 'StoreAPI bearer token (default: env STORE_TOKEN).'),
  'shipper.sync-interval': s('30s', 'How often to look for new blocks.'),
};

export const SIDECAR_FLAGS: Readonly<Record<string, SidecarFlag>> = {
  ...THANOS_SIDECAR_FLAGS,
  ...EDGE_SIDECAR_FLAGS,
};

/** `--help` text, in kingpin's layout. */
export function sidecarUsage(): string {
  const rows: [string, string][] = [
    ['-h, --[no-]help', 'Show context-sensitive help (--help-long too).'],
    ['--[no-]version', 'Show application version.'],
  ];
  for (const [name, f] of Object.entries(SIDECAR_FLAGS)) {
    const left = f.kind === 'bool' ? `--[no-]${name}` : `--${name}=${f.placeholder ?? `<${name}>`}`;
    rows.push([left, f.ignored ? `${f.help} Accepted; no effect here: ${f.ignored}.` : f.help]);
  }
  const lines = rows.map(([l, r]) =>
    l.length < 28 ? `  ${l.padEnd(28)} ${r}` : `  ${l}\n  ${' '.repeat(28)} ${r}`,
  );
  return (
    'usage: thanos-edge sidecar [<flags>]\n\n' +
    'Sidecar for Prometheus server: ships its finished blocks to object storage and serves its\n' +
    'recent data over the StoreAPI. Takes every flag of `thanos sidecar`.\n\n' +
    `Flags:\n${lines.join('\n')}\n`
  );
}

/** Thanos's default `--min-time`: no limit. */
export const MIN_TIME_UNSET = '0000-01-01T00:00:00Z';

/**
 * Thanos's TimeOrDurationValue (`--min-time`): an RFC3339 time, or a Prometheus duration with an
 * optional sign, relative to `now` (`-1d` is a day ago). Returns ms since the epoch.
 */
export function parseTimeOrDuration(text: string, now = Date.now()): number {
  if (text === MIN_TIME_UNSET) return Number.MIN_SAFE_INTEGER;
  const t = Date.parse(text);
  if (/^\d{4}-\d\d-\d\dT/.test(text) && Number.isFinite(t)) return t;
  const neg = text.startsWith('-');
  try {
    const d = parsePromDuration(neg ? text.slice(1) : text);
    return now + (neg ? -d : d);
  } catch {
    throw new BadDataError(
      `${JSON.stringify(text)} is neither an RFC3339 time nor a duration (-1d, 2h45m)`,
    );
  }
}
