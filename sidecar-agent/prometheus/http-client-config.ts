/**
 * @module sidecar-agent/prometheus/http-client-config — Thanos sidecar's
 * `--prometheus.http-client(-file)`: how the agent talks to Prometheus.
 *
 * ```yaml
 * basic_auth: { username: "", password: "", password_file: "" }
 * bearer_token: ""
 * bearer_token_file: ""
 * proxy_url: ""
 * tls_config: { ca_file: "", cert_file: "", key_file: "", server_name: "", insecure_skip_verify: false }
 * transport_config: { max_idle_conns: 0, max_idle_conns_per_host: 0, idle_conn_timeout: 0,
 *   response_header_timeout: 0, expect_continue_timeout: 0, max_conns_per_host: 0,
 *   disable_compression: false, tls_handshake_timeout: 0 }
 * ```
 *
 * Strict like Thanos (unknown fields are errors). Files (password, token, TLS) are read at start.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { BadDataError, NotSupportedError, errorMessage } from '../../core/errors.ts';
import { makeTransport, type Transport } from '../http-transport.ts';
import {
  durationField,
  isObj,
  strictFields,
  stringField,
  type Obj,
} from '../../core/yaml-fields.ts';

const WHERE = 'prometheus http client config';

export interface PrometheusHttpClient {
  /** Authorization header and the like, sent on every request to Prometheus. */
  readonly headers: Readonly<Record<string, string>>;
  readonly transport: Transport;
  /** `transport_config.response_header_timeout`, ms (0: none). */
  readonly responseHeaderTimeoutMs: number;
}

async function secretFile(path: string, field: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    throw new BadDataError(`${WHERE}: ${field} ${path}: ${errorMessage(err)}`, { cause: err });
  }
}

/** Parses and loads the config text (YAML); empty text is the default client. */
export async function loadPrometheusHttpClient(text: string): Promise<PrometheusHttpClient> {
  let doc: unknown;
  try {
    doc = text.trim() === '' ? {} : parse(text);
  } catch (err) {
    throw new BadDataError(`${WHERE}: parsing YAML: ${errorMessage(err)}`, { cause: err });
  }
  doc ??= {};
  if (!isObj(doc)) throw new BadDataError(`${WHERE}: expected a mapping`);
  strictFields(WHERE, doc, [
    'basic_auth',
    'bearer_token',
    'bearer_token_file',
    'proxy_url',
    'tls_config',
    'transport_config',
  ]);
  const headers: Record<string, string> = {};
  const basic = isObj(doc.basic_auth) ? doc.basic_auth : undefined;
  if (basic) {
    strictFields(`${WHERE} basic_auth`, basic, ['username', 'password', 'password_file']);
    const user = stringField(basic, 'username', WHERE);
    let password = stringField(basic, 'password', WHERE);
    const pwFile = stringField(basic, 'password_file', WHERE);
    if (pwFile) password = await secretFile(pwFile, 'basic_auth.password_file');
    if (user || password)
      headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }
  let token = stringField(doc, 'bearer_token', WHERE);
  const tokenFile = stringField(doc, 'bearer_token_file', WHERE);
  if (tokenFile) token = await secretFile(tokenFile, 'bearer_token_file');
  if (token) {
    if (headers.authorization)
      throw new BadDataError(`${WHERE}: basic_auth and bearer_token are mutually exclusive`);
    headers.authorization = `Bearer ${token}`;
  }
  if (stringField(doc, 'proxy_url', WHERE))
    throw new NotSupportedError(`${WHERE}: proxy_url is not supported`);

  const tls: Obj = isObj(doc.tls_config) ? doc.tls_config : {};
  strictFields(`${WHERE} tls_config`, tls, [
    'ca_file',
    'cert_file',
    'key_file',
    'server_name',
    'insecure_skip_verify',
  ]);
  const tc: Obj = isObj(doc.transport_config) ? doc.transport_config : {};
  strictFields(`${WHERE} transport_config`, tc, [
    'max_idle_conns',
    'max_idle_conns_per_host',
    'idle_conn_timeout',
    'response_header_timeout',
    'expect_continue_timeout',
    'max_conns_per_host',
    'disable_compression',
    'tls_handshake_timeout',
  ]);
  const transport = makeTransport(
    {
      tls: {
        caFile: stringField(tls, 'ca_file', WHERE),
        certFile: stringField(tls, 'cert_file', WHERE),
        keyFile: stringField(tls, 'key_file', WHERE),
        serverName: stringField(tls, 'server_name', WHERE),
        insecureSkipVerify: tls.insecure_skip_verify === true,
      },
      idleConnTimeoutMs: durationField(tc, 'idle_conn_timeout', WHERE),
      tlsHandshakeTimeoutMs: durationField(tc, 'tls_handshake_timeout', WHERE),
      maxIdleConnsPerHost: Number(tc.max_idle_conns_per_host ?? 0),
      maxConnsPerHost: Number(tc.max_conns_per_host ?? 0),
    },
    WHERE,
  );
  return {
    headers,
    transport,
    responseHeaderTimeoutMs: durationField(tc, 'response_header_timeout', WHERE),
  };
}
