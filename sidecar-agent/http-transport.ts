/**
 * @module sidecar-agent/http-transport — the agent's outgoing HTTP transports, configured as Go's
 * `http.Transport` is in Thanos (objstore `http_config`, sidecar `--prometheus.http-client`'s
 * `tls_config` / `transport_config`): TLS from files (CA, client cert and key, server name,
 * insecure_skip_verify), idle connection timeout, connection limits, TLS handshake timeout.
 *
 * The TLS files must exist: a missing one is an error naming it and the field that names it, at
 * start, never a silent fall back to the system CAs.
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { BadDataError, errorMessage } from '../core/errors.ts';

/** Go's `tls_config` (Prometheus common config, Thanos exthttp). Paths, not contents. */
export interface TlsFilesConfig {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly serverName?: string;
  readonly insecureSkipVerify?: boolean;
}

/** Go's `http.Transport` knobs Thanos exposes. Durations in ms; 0 or absent = Go's "no limit". */
export interface TransportConfig {
  readonly tls?: TlsFilesConfig;
  /** `http_config.insecure_skip_verify` (besides `tls_config.insecure_skip_verify`). */
  readonly insecureSkipVerify?: boolean;
  readonly idleConnTimeoutMs?: number;
  readonly tlsHandshakeTimeoutMs?: number;
  readonly maxIdleConnsPerHost?: number;
  readonly maxConnsPerHost?: number;
}

export interface Transport {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
}

/**
 * Reads one TLS file, naming it and the config field on failure. Synchronous: configs are read
 * once at start, by callers that build their bucket synchronously.
 */
function tlsFile(path: string, field: string, where: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new BadDataError(`${where}: ${field} ${path}: ${errorMessage(err)}`, { cause: err });
  }
}

/** The node:tls options for a `tls_config`: files read now. `where` names the config in errors. */
export function loadTlsOptions(
  t: TlsFilesConfig | undefined,
  where: string,
  insecureSkipVerify = false,
): HttpsAgentOptions {
  const o: HttpsAgentOptions = {};
  if (t?.caFile) o.ca = tlsFile(t.caFile, 'tls_config.ca_file', where);
  if (!!t?.certFile !== !!t?.keyFile)
    throw new BadDataError(`${where}: tls_config needs both cert_file and key_file, or neither`);
  if (t?.certFile) o.cert = tlsFile(t.certFile, 'tls_config.cert_file', where);
  if (t?.keyFile) o.key = tlsFile(t.keyFile, 'tls_config.key_file', where);
  if (t?.serverName) o.servername = t.serverName;
  if (t?.insecureSkipVerify || insecureSkipVerify) o.rejectUnauthorized = false;
  return o;
}

/** HTTP and HTTPS agents for `c` (keep-alive on, as Go's default transport). */
export function makeTransport(c: TransportConfig, where: string): Transport {
  const common = {
    keepAlive: true,
    ...(c.idleConnTimeoutMs ? { timeout: c.idleConnTimeoutMs } : {}),
    ...(c.maxIdleConnsPerHost ? { maxFreeSockets: c.maxIdleConnsPerHost } : {}),
    ...(c.maxConnsPerHost ? { maxSockets: c.maxConnsPerHost } : {}),
  };
  const https = new HttpsAgent({
    ...common,
    ...loadTlsOptions(c.tls, where, c.insecureSkipVerify),
  });
  const handshakeMs = c.tlsHandshakeTimeoutMs ?? 0;
  if (handshakeMs > 0) {
    // Go's TLSHandshakeTimeout: a server that accepts TCP but never finishes the handshake.
    const create = https.createConnection.bind(https) as (...a: unknown[]) => Duplex;
    https.createConnection = ((...args: unknown[]) => {
      const socket = create(...args) as TLSSocket;
      const t = setTimeout(
        () => socket.destroy(new Error(`TLS handshake timeout after ${handshakeMs} ms`)),
        handshakeMs,
      );
      socket.once('secureConnect', () => clearTimeout(t));
      socket.once('close', () => clearTimeout(t));
      return socket;
    }) as typeof https.createConnection;
  }
  return { http: new HttpAgent(common), https };
}
