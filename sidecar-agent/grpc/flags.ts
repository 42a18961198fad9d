/**
 * @module sidecar-agent/grpc/flags — the gRPC server flags of Thanos's components
 * (`--grpc-address`, `--grpc-grace-period`, `--grpc-server-tls-*`,
 * `--grpc-server-max-connection-age`) and the one function that starts a server from them, for
 * `thanos-edge sidecar` and `thanos-edge store`. Defaults and allowed values are Thanos v0.42's;
 * TLS names are translated from Go's to OpenSSL's in tls-names.ts.
 */
import { readFile } from 'node:fs/promises';
import { createSecureContext, DEFAULT_CIPHERS } from 'node:tls';
import type { Registry } from 'prom-client';
import { errorMessage } from '../../core/errors.ts';
import type { Store } from '../../core/storeapi/store.ts';
import { durationFlag, flagValue, type FlagSpec, type ParsedFlags } from '../cli/bucket-flags.ts';
import { UsageError } from '../cli/command.ts';
import type { Logger } from '../log.ts';
import { newGrpcMetrics } from './metrics.ts';
import { GrpcServer, type GrpcMethod, type TlsFiles } from './server.ts';
import { storeMethods, type StoreServiceOptions } from './store-service.ts';
import {
  LEGACY_TLS_SECLEVEL,
  TLS_MIN_VERSIONS,
  opensslCiphers,
  opensslCurves,
} from './tls-names.ts';

export const GRPC_FLAGS: Record<string, FlagSpec> = {
  'grpc-address': { kind: 'string' },
  'grpc-grace-period': { kind: 'string' },
  'grpc-server-tls-cert': { kind: 'string' },
  'grpc-server-tls-key': { kind: 'string' },
  'grpc-server-tls-client-ca': { kind: 'string' },
  'grpc-server-tls-min-version': { kind: 'string' },
  'grpc-server-tls-ciphers': { kind: 'strings' },
  'grpc-server-tls-curves': { kind: 'strings' },
  'grpc-server-max-connection-age': { kind: 'string' },
};

export const GRPC_FLAGS_HELP = `  --grpc-address=<host:port>     gRPC StoreAPI (thanos.Store, thanos.info.Info) listen
                                 address (default 0.0.0.0:10901).
  --grpc-grace-period=<dur>      How long calls in flight may finish at shutdown (default 2m).
  --grpc-server-tls-cert=<file>  TLS certificate of the gRPC server; unset: no TLS.
  --grpc-server-tls-key=<file>   TLS key of the gRPC server.
  --grpc-server-tls-client-ca=<file>
                                 CA for client certificates: set, clients must present one (mTLS).
  --grpc-server-tls-min-version=<v>
                                 Lowest TLS version: 1.0, 1.1, 1.2 or 1.3 (default 1.3).
  --grpc-server-tls-ciphers=<name> ...
                                 TLS 1.2 (and 1.3) cipher suites by Go name, e.g.
                                 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (repeatable).
  --grpc-server-tls-curves=<name> ...
                                 Key exchange curves: CurveP256, CurveP384, CurveP521, X25519
                                 (repeatable).
  --grpc-server-max-connection-age=<dur>
                                 Connections older than this are asked to reconnect (default 60m).
`;

export const DEFAULT_GRPC_ADDRESS = '0.0.0.0:10901';
const DEFAULT_GRACE = '2m';
const DEFAULT_MAX_CONNECTION_AGE = '60m';

export interface GrpcServerConfig {
  readonly host: string;
  readonly port: number;
  readonly graceMs: number;
  readonly maxConnectionAgeMs: number;
  readonly tls?: TlsFiles;
}

/** `host:port` of `--<flag>`; IPv6 hosts in brackets, an empty host is every interface. */
export function parseListenAddress(flag: string, addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  if (!m || Number(m[3]) > 65535)
    throw new UsageError(`--${flag}: expected host:port, got ${JSON.stringify(addr)}`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]) };
}

/** Whether this Node's OpenSSL knows the group (the ML-KEM hybrids need OpenSSL ≥ 3.5). */
function groupSupported(group: string): boolean {
  try {
    createSecureContext({ ecdhCurve: group });
    return true;
  } catch {
    return false;
  }
}

/**
 * `--grpc-server-tls-ciphers`, `-curves` and `-min-version` as Node TLS options. Curves this
 * OpenSSL lacks are left out with a warning; if none is left, the server cannot keep to the
 * flag and does not start.
 */
function tlsTuning(
  f: ParsedFlags,
  minVersion: keyof typeof TLS_MIN_VERSIONS,
  log: Logger | undefined,
): Pick<TlsFiles, 'ciphers' | 'ecdhCurve'> {
  const names = (flag: string, translate: (n: readonly string[]) => string[]): string[] => {
    try {
      return translate(f.values.get(flag) ?? []);
    } catch (err) {
      throw new UsageError(`--${flag}: ${errorMessage(err)}`);
    }
  };
  const suites = names('grpc-server-tls-ciphers', opensslCiphers);
  const curves = names('grpc-server-tls-curves', opensslCurves);
  let ciphers = suites.length > 0 ? suites.join(':') : undefined;
  if (minVersion === '1.0' || minVersion === '1.1') {
    ciphers = `${ciphers ?? DEFAULT_CIPHERS}:${LEGACY_TLS_SECLEVEL}`;
    log?.warn('gRPC server accepts TLS below 1.2: OpenSSL security level lowered to 0', {
      flag: `--grpc-server-tls-min-version=${minVersion}`,
      reason: 'OpenSSL 3 refuses TLS 1.0 and 1.1 handshakes above security level 0',
    });
  }
  const missing = curves.filter((c) => !groupSupported(c));
  if (missing.length > 0) {
    log?.warn('TLS curves not supported by this Node and left out', {
      flag: '--grpc-server-tls-curves',
      curves: missing.join(','),
      reason: `OpenSSL ${process.versions.openssl} does not know them`,
    });
    if (missing.length === curves.length)
      throw new Error(
        `--grpc-server-tls-curves: none of ${missing.join(', ')} is supported by OpenSSL ${process.versions.openssl}`,
      );
  }
  const ecdhCurve = curves.filter((c) => !missing.includes(c)).join(':');
  return { ...(ciphers ? { ciphers } : {}), ...(ecdhCurve ? { ecdhCurve } : {}) };
}

async function readFlagFile(flag: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new UsageError(`--${flag}: cannot read ${path}: ${(err as Error).message}`);
  }
}

/**
 * The gRPC server's settings from the flags; TLS files are read (and must exist). As in Thanos,
 * the cipher and curve flags are only read when TLS is on.
 */
export async function grpcConfigFromFlags(f: ParsedFlags, log?: Logger): Promise<GrpcServerConfig> {
  const { host, port } = parseListenAddress(
    'grpc-address',
    flagValue(f, 'grpc-address', DEFAULT_GRPC_ADDRESS)!,
  );
  const cert = flagValue(f, 'grpc-server-tls-cert');
  const key = flagValue(f, 'grpc-server-tls-key');
  const clientCa = flagValue(f, 'grpc-server-tls-client-ca');
  if (!cert !== !key)
    throw new UsageError('--grpc-server-tls-cert and --grpc-server-tls-key go together');
  if (clientCa && !cert)
    throw new UsageError('--grpc-server-tls-client-ca needs --grpc-server-tls-cert and -key');
  const min = flagValue(f, 'grpc-server-tls-min-version', '1.3')!;
  if (!Object.hasOwn(TLS_MIN_VERSIONS, min))
    throw new UsageError(
      `--grpc-server-tls-min-version: expected one of ${Object.keys(TLS_MIN_VERSIONS).join(', ')}, got ${min}`,
    );
  const minVersion = min as keyof typeof TLS_MIN_VERSIONS;
  const tls: TlsFiles | undefined =
    cert && key
      ? {
          cert: await readFlagFile('grpc-server-tls-cert', cert),
          key: await readFlagFile('grpc-server-tls-key', key),
          minVersion: TLS_MIN_VERSIONS[minVersion],
          ...tlsTuning(f, minVersion, log),
          ...(clientCa
            ? { clientCa: await readFlagFile('grpc-server-tls-client-ca', clientCa) }
            : {}),
        }
      : undefined;
  return {
    host,
    port,
    graceMs: durationFlag(f, 'grpc-grace-period', DEFAULT_GRACE),
    maxConnectionAgeMs: durationFlag(
      f,
      'grpc-server-max-connection-age',
      DEFAULT_MAX_CONNECTION_AGE,
    ),
    ...(tls ? { tls } : {}),
  };
}

export interface RunningGrpc {
  readonly server: GrpcServer;
  /** Refuses new calls and lets those in flight finish within `--grpc-grace-period`. */
  stop(): Promise<void>;
}

export interface ServeStoreOptions extends StoreServiceOptions {
  /** Named in error messages. */
  readonly name: string;
  /** Where the grpc_server_* metrics go. */
  readonly registry?: Registry;
  readonly log: (msg: string) => void;
  /** Services served beside the store's (the sidecar's Rules, Targets, Metadata, Exemplars). */
  readonly methods?: ReadonlyMap<string, GrpcMethod>;
}

/** Serves `store` over gRPC as the flags say; logs `listening for gRPC on <host:port>`. */
export async function serveStoreGrpc(
  config: GrpcServerConfig,
  store: Store,
  o: ServeStoreOptions,
): Promise<RunningGrpc> {
  const server = await GrpcServer.listen({
    host: config.host,
    port: config.port,
    methods: new Map([...storeMethods(store, o), ...(o.methods ?? [])]),
    name: o.name,
    maxConnectionAgeMs: config.maxConnectionAgeMs,
    log: o.log,
    ...(config.tls ? { tls: config.tls } : {}),
    ...(o.registry ? { metrics: newGrpcMetrics(o.registry) } : {}),
  });
  o.log(
    `listening for gRPC on ${server.address}${config.tls ? (config.tls.clientCa ? ' (mTLS)' : ' (TLS)') : ''}`,
  );
  return { server, stop: () => server.stop(config.graceMs) };
}
