/**
 * @module core/objstore/config — Thanos's objstore YAML (`--objstore.config-file`):
 *
 * ```yaml
 * type: S3            # or FILESYSTEM; case-insensitive, as in Thanos
 * config: { bucket, endpoint, region, access_key, secret_key, insecure, … }   # S3
 * config: { directory }                                                      # FILESYSTEM
 * prefix: ""          # optional: every key lives below this directory
 * ```
 *
 * Parsed strictly like Thanos (`yaml.UnmarshalStrict`): unknown fields are errors, so a typo
 * does not silently fall back to a default. Every field of Thanos's S3 config is accepted; the
 * ones without an effect here are listed where they are read. `signature_version2: true` fails
 * with NotSupportedError (SigV4 only) rather than being ignored.
 */
import { parse } from 'yaml';
import { BadDataError, NotSupportedError } from '../errors.ts';
import {
  boolField,
  durationField,
  intField,
  isObj,
  stringField,
  strictFields,
  type Obj,
} from '../yaml-fields.ts';
import { S3Bucket, type S3BucketOptions } from './s3.ts';
import { SSE_TYPES, s3Headers, type SseConfig, type SseCustomerKey, type SseType } from './sse.ts';

/** `http_config.tls_config`: file paths, read by the runtime that can (the Node agent). */
export interface TlsFilesConfig {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly serverName: string;
  readonly insecureSkipVerify: boolean;
}

/** Thanos's S3 `http_config` (Go http.Transport settings); durations in ms, 0 = unset. */
export interface S3HttpConfig {
  readonly idleConnTimeoutMs: number;
  readonly responseHeaderTimeoutMs: number;
  readonly insecureSkipVerify: boolean;
  readonly tlsHandshakeTimeoutMs: number;
  readonly expectContinueTimeoutMs: number;
  readonly maxIdleConns: number;
  readonly maxIdleConnsPerHost: number;
  readonly maxConnsPerHost: number;
  readonly disableCompression: boolean;
  readonly tls: TlsFilesConfig;
}

export interface S3Config {
  readonly bucket: string;
  /** URL with scheme, derived from Thanos's `endpoint` (host[:port]) and `insecure`. */
  readonly endpoint: string;
  readonly region: string;
  /** Empty when the config leaves credentials to the environment (the agent reads AWS_* vars). */
  readonly accessKey: string;
  readonly secretKey: string;
  readonly sessionToken: string;
  /** `aws_sdk_auth`: credentials from the environment (AWS_ACCESS_KEY_ID…), as the AWS SDK's chain. */
  readonly awsSdkAuth: boolean;
  readonly lookup: 'path' | 'virtual-host';
  /** Multipart part size in bytes (Thanos default 64 MiB). */
  readonly partSize: number;
  /** `disable_multipart`: every object in one PutObject. */
  readonly disableMultipart: boolean;
  /** From `http_config.response_header_timeout`; undefined keeps the S3Bucket default. */
  readonly responseHeaderTimeoutMs?: number;
  /** `max_retries` (0: the client's default). */
  readonly maxRetries: number;
  readonly http: S3HttpConfig;
  readonly sse?: SseConfig;
  /** `put_user_metadata`: sent as `x-amz-meta-<key>` on every upload. */
  readonly userMetadata: Readonly<Record<string, string>>;
}

/** Thanos's AZURE config, as far as Shared Key authorization goes. */
export interface AzureConfig {
  readonly account: string;
  readonly accountKey: string;
  readonly container: string;
  /** Blob service URL: `https://<account>.<endpoint>`, or `endpoint` itself when it has a scheme. */
  readonly serviceUrl: string;
  /** `max_retries` or `pipeline_config.max_tries - 1` (0: the client's default). */
  readonly maxRetries: number;
  readonly http: S3HttpConfig;
}

export type ObjstoreConfig =
  | { readonly type: 'S3'; readonly prefix: string; readonly s3: S3Config }
  /** GCS through its S3-compatible XML API with HMAC keys (see parseGcs). */
  | { readonly type: 'GCS'; readonly prefix: string; readonly s3: S3Config }
  | { readonly type: 'AZURE'; readonly prefix: string; readonly azure: AzureConfig }
  | { readonly type: 'FILESYSTEM'; readonly prefix: string; readonly directory: string };

/** Thanos `s3.DefaultConfig.PartSize`. */
export const THANOS_DEFAULT_PART_SIZE = 64 * 1024 * 1024;

const TOP_FIELDS = ['type', 'config', 'prefix'];
/** Every field of Thanos's (thanos-io/objstore) S3 config. */
const S3_FIELDS = [
  'bucket',
  'endpoint',
  'region',
  'disable_dualstack',
  'aws_sdk_auth',
  'access_key',
  'insecure',
  'signature_version2',
  'secret_key',
  'session_token',
  'put_user_metadata',
  'http_config',
  'trace',
  'list_objects_version',
  'bucket_lookup_type',
  'send_content_md5',
  'disable_multipart',
  'part_size',
  'sse_config',
  'sts_endpoint',
  'max_retries',
];
const HTTP_FIELDS = [
  'idle_conn_timeout',
  'response_header_timeout',
  'insecure_skip_verify',
  'tls_handshake_timeout',
  'expect_continue_timeout',
  'max_idle_conns',
  'max_idle_conns_per_host',
  'max_conns_per_host',
  'disable_compression',
  'tls_config',
];
const TLS_FIELDS = ['ca_file', 'cert_file', 'key_file', 'server_name', 'insecure_skip_verify'];
const SSE_FIELDS = ['type', 'kms_key_id', 'kms_encryption_context', 'encryption_key'];
const FS_FIELDS = ['directory'];

const WHERE = 'objstore config';

function strict(section: string, obj: Obj, allowed: readonly string[]): void {
  strictFields(WHERE, obj, allowed, section);
}

function str(obj: Obj, key: string, where: string): string {
  return stringField(obj, key, `${WHERE}: ${where}`);
}

function bool(obj: Obj, key: string, where: string): boolean {
  return boolField(obj, key, `${WHERE}: ${where}`);
}

/** A mapping field ({} when absent). */
function section(obj: Obj, key: string, where: string): Obj {
  const v = obj[key];
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw new BadDataError(`${WHERE}: ${where}.${key} must be a mapping`);
  return v;
}

/** A string → string mapping field (put_user_metadata, kms_encryption_context). */
function stringMap(obj: Obj, key: string, where: string): Record<string, string> {
  const m = section(obj, key, where);
  return Object.fromEntries(Object.keys(m).map((k) => [k, str(m, k, `${where}.${key}`)]));
}

/** Parses the YAML text of an objstore config file. */
export function parseObjstoreConfig(text: string): ObjstoreConfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new BadDataError(
      `objstore config: parsing YAML: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  if (!isObj(doc))
    throw new BadDataError('objstore config: expected a mapping with type and config');
  strict('the top level', doc, TOP_FIELDS);
  const type = str(doc, 'type', 'top level').toUpperCase();
  const prefix = str(doc, 'prefix', 'top level');
  const config = doc.config ?? {};
  if (!isObj(config)) throw new BadDataError('objstore config: config must be a mapping');
  switch (type) {
    case 'S3':
      return { type: 'S3', prefix, s3: parseS3(config) };
    case 'GCS':
      return { type: 'GCS', prefix, s3: parseGcs(config) };
    case 'AZURE':
      return { type: 'AZURE', prefix, azure: parseAzure(config) };
    case 'FILESYSTEM': {
      strict('config (FILESYSTEM)', config, FS_FIELDS);
      const directory = str(config, 'directory', 'config');
      if (!directory)
        throw new BadDataError('objstore config: missing directory for filesystem bucket');
      return { type: 'FILESYSTEM', prefix, directory };
    }
    case '':
      throw new BadDataError('objstore config: missing type');
    default:
      throw new NotSupportedError(
        `objstore config: bucket with type ${type} is not supported (S3, GCS, AZURE, FILESYSTEM)`,
      );
  }
}

function parseHttpConfig(c: Obj): S3HttpConfig {
  const h = section(c, 'http_config', 'config');
  strict('config.http_config', h, HTTP_FIELDS);
  const where = `${WHERE}: config.http_config`;
  const t = section(h, 'tls_config', 'config.http_config');
  strict('config.http_config.tls_config', t, TLS_FIELDS);
  const tw = 'config.http_config.tls_config';
  return {
    idleConnTimeoutMs: durationField(h, 'idle_conn_timeout', where),
    responseHeaderTimeoutMs: durationField(h, 'response_header_timeout', where),
    insecureSkipVerify: bool(h, 'insecure_skip_verify', 'config.http_config'),
    tlsHandshakeTimeoutMs: durationField(h, 'tls_handshake_timeout', where),
    expectContinueTimeoutMs: durationField(h, 'expect_continue_timeout', where),
    maxIdleConns: intField(h, 'max_idle_conns', where),
    maxIdleConnsPerHost: intField(h, 'max_idle_conns_per_host', where),
    maxConnsPerHost: intField(h, 'max_conns_per_host', where),
    disableCompression: bool(h, 'disable_compression', 'config.http_config'),
    tls: {
      caFile: str(t, 'ca_file', tw),
      certFile: str(t, 'cert_file', tw),
      keyFile: str(t, 'key_file', tw),
      serverName: str(t, 'server_name', tw),
      insecureSkipVerify: bool(t, 'insecure_skip_verify', tw),
    },
  };
}

function parseSse(c: Obj): SseConfig | undefined {
  const s = section(c, 'sse_config', 'config');
  strict('config.sse_config', s, SSE_FIELDS);
  const type = str(s, 'type', 'config.sse_config');
  if (type === '') return undefined;
  if (!(SSE_TYPES as readonly string[]).includes(type))
    throw new BadDataError(
      `objstore config: sse_config.type ${JSON.stringify(type)} is not one of ${SSE_TYPES.join(', ')}`,
    );
  const sse: SseConfig = {
    type: type as SseType,
    kmsKeyId: str(s, 'kms_key_id', 'config.sse_config'),
    kmsEncryptionContext: stringMap(s, 'kms_encryption_context', 'config.sse_config'),
    encryptionKeyFile: str(s, 'encryption_key', 'config.sse_config'),
  };
  // Thanos's checks: each type needs its key, and only its own.
  if (sse.type === 'SSE-KMS' && !sse.kmsKeyId)
    throw new BadDataError('objstore config: sse_config: kms_key_id is required for SSE-KMS');
  if (sse.type === 'SSE-C' && !sse.encryptionKeyFile)
    throw new BadDataError('objstore config: sse_config: encryption_key is required for SSE-C');
  return sse;
}

function parseS3(c: Obj): S3Config {
  strict('config (S3)', c, S3_FIELDS);
  const bucket = str(c, 'bucket', 'config');
  const rawEndpoint = str(c, 'endpoint', 'config');
  if (!bucket) throw new BadDataError('objstore config: no s3 bucket in config file');
  if (!rawEndpoint) throw new BadDataError('objstore config: no s3 endpoint in config file');
  const accessKey = str(c, 'access_key', 'config');
  const secretKey = str(c, 'secret_key', 'config');
  const awsSdkAuth = bool(c, 'aws_sdk_auth', 'config');
  if (accessKey && !secretKey)
    throw new BadDataError(
      'objstore config: no s3 secret_key specified while access_key is present',
    );
  if (!accessKey && secretKey)
    throw new BadDataError(
      'objstore config: no s3 access_key specified while secret_key is present',
    );
  if (awsSdkAuth && accessKey)
    throw new BadDataError('objstore config: aws_sdk_auth and access_key are mutually exclusive');
  if (bool(c, 'signature_version2', 'config'))
    throw new NotSupportedError(
      'objstore config: signature_version2 is not supported (SigV4 only)',
    );
  const listVersion = str(c, 'list_objects_version', 'config');
  if (listVersion && listVersion !== 'v2' && listVersion !== 'v1') {
    throw new BadDataError(
      `objstore config: unsupported list_objects_version ${listVersion} (v1, v2)`,
    );
  }
  // Accepted, type-checked, no effect: trace (no tracing), send_content_md5 (the SigV4
  // payload hash is UNSIGNED-PAYLOAD and TLS protects integrity), disable_dualstack,
  // sts_endpoint (no web-identity exchange).
  strict('config.trace', section(c, 'trace', 'config'), ['enable']);
  bool(section(c, 'trace', 'config'), 'enable', 'config.trace');
  bool(c, 'send_content_md5', 'config');
  bool(c, 'disable_dualstack', 'config');
  str(c, 'sts_endpoint', 'config');

  // Thanos passes `endpoint` to minio as host[:port] and picks the scheme from `insecure`.
  // A full URL is accepted too, since people paste them.
  const endpoint = rawEndpoint.includes('://')
    ? rawEndpoint.replace(/\/+$/, '')
    : `${bool(c, 'insecure', 'config') ? 'http' : 'https'}://${rawEndpoint}`;
  const host = new URL(endpoint).hostname;

  const lookupType = str(c, 'bucket_lookup_type', 'config') || 'auto';
  let lookup: 'path' | 'virtual-host';
  switch (lookupType) {
    case 'path':
      lookup = 'path';
      break;
    case 'virtual-hosted':
      lookup = 'virtual-host';
      break;
    case 'auto':
      // As minio's auto: virtual hosts on AWS (unless the name breaks TLS), paths elsewhere.
      lookup =
        /(^|\.)amazonaws\.com$/.test(host) && !bucket.includes('.') ? 'virtual-host' : 'path';
      break;
    default:
      throw new BadDataError(`objstore config: unsupported bucket lookup type: ${lookupType}`);
  }

  let region = str(c, 'region', 'config');
  if (!region) region = host.endsWith('.r2.cloudflarestorage.com') ? 'auto' : 'us-east-1';

  const partRaw = c.part_size;
  const partSize =
    partRaw === undefined || partRaw === null ? THANOS_DEFAULT_PART_SIZE : Number(partRaw);
  if (!Number.isInteger(partSize) || partSize <= 0)
    throw new BadDataError('objstore config: part_size must be a positive integer');

  const http = parseHttpConfig(c);
  const sse = parseSse(c);
  return {
    bucket,
    endpoint,
    region,
    ...(http.responseHeaderTimeoutMs > 0
      ? { responseHeaderTimeoutMs: http.responseHeaderTimeoutMs }
      : {}),
    accessKey,
    secretKey,
    sessionToken: str(c, 'session_token', 'config'),
    awsSdkAuth,
    lookup,
    partSize,
    disableMultipart: bool(c, 'disable_multipart', 'config'),
    maxRetries: intField(c, 'max_retries', `${WHERE}: config`),
    http,
    ...(sse ? { sse } : {}),
    userMetadata: stringMap(c, 'put_user_metadata', 'config'),
  };
}

/** Thanos's GCS fields, and ours for the XML API: `endpoint`, `hmac_access_id`, `hmac_secret`. */
const GCS_FIELDS = [
  'bucket',
  'service_account',
  'use_grpc',
  'grpc_conn_pool_size',
  'http_config',
  'chunk_size_bytes',
  'max_retries',
  'endpoint',
  'hmac_access_id',
  'hmac_secret',
];

/** GCS's XML API, which speaks S3's protocol with HMAC keys (SigV4, region `auto`). */
export const GCS_XML_ENDPOINT = 'https://storage.googleapis.com';

/**
 * `type: GCS`. Thanos authenticates with a service account through Google's JSON/gRPC API; here
 * GCS is reached through its S3-compatible XML API with an HMAC key (our extension:
 * `hmac_access_id`, `hmac_secret`, optional `endpoint`), which runs in a Worker as well. A
 * config with only `service_account` is refused with what to set instead.
 */
function parseGcs(c: Obj): S3Config {
  strict('config (GCS)', c, GCS_FIELDS);
  const bucket = str(c, 'bucket', 'config');
  if (!bucket) throw new BadDataError('objstore config: missing Google Cloud Storage bucket name');
  const id = str(c, 'hmac_access_id', 'config');
  const secret = str(c, 'hmac_secret', 'config');
  if (!id || !secret)
    throw new NotSupportedError(
      'objstore config: GCS needs hmac_access_id and hmac_secret (an HMAC key for the XML API); ' +
        'service accounts (service_account, use_grpc) are not supported',
    );
  if (bool(c, 'use_grpc', 'config'))
    throw new NotSupportedError('objstore config: GCS use_grpc is not supported (XML API only)');
  intField(c, 'grpc_conn_pool_size', `${WHERE}: config`);
  const chunk = intField(c, 'chunk_size_bytes', `${WHERE}: config`);
  const endpoint = (str(c, 'endpoint', 'config') || GCS_XML_ENDPOINT).replace(/\/+$/, '');
  if (!endpoint.includes('://'))
    throw new BadDataError('objstore config: GCS endpoint must be a URL with scheme');
  const http = parseHttpConfig(c);
  return {
    bucket,
    endpoint,
    region: 'auto',
    accessKey: id,
    secretKey: secret,
    sessionToken: '',
    awsSdkAuth: false,
    lookup: 'path',
    partSize: chunk > 0 ? chunk : THANOS_DEFAULT_PART_SIZE,
    disableMultipart: false,
    ...(http.responseHeaderTimeoutMs > 0
      ? { responseHeaderTimeoutMs: http.responseHeaderTimeoutMs }
      : {}),
    maxRetries: intField(c, 'max_retries', `${WHERE}: config`),
    http,
    userMetadata: {},
  };
}

/** Every field of Thanos's (thanos-io/objstore) Azure config. */
const AZURE_FIELDS = [
  'storage_account',
  'storage_account_key',
  'storage_connection_string',
  'storage_create_container',
  'container',
  'endpoint',
  'user_assigned_id',
  'max_retries',
  'reader_config',
  'pipeline_config',
  'http_config',
  'msi_resource',
];

/** `AccountName=…;AccountKey=…;BlobEndpoint=…` → its fields. */
function parseConnectionString(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/**
 * `type: AZURE` with Shared Key authorization (`storage_account` + `storage_account_key`, or a
 * `storage_connection_string` with AccountName/AccountKey[/BlobEndpoint]). Managed identities
 * (`user_assigned_id`, `msi_resource`) need Azure AD and are refused. `endpoint` is Thanos's
 * service suffix (`blob.core.windows.net`); with a scheme it is the whole service URL (an
 * emulator, path-style).
 */
function parseAzure(c: Obj): AzureConfig {
  strict('config (AZURE)', c, AZURE_FIELDS);
  const w = 'config';
  const reader = section(c, 'reader_config', w);
  strict('config.reader_config', reader, ['max_retry_requests']);
  const pipeline = section(c, 'pipeline_config', w);
  strict('config.pipeline_config', pipeline, [
    'max_tries',
    'try_timeout',
    'retry_delay',
    'max_retry_delay',
  ]);
  durationField(pipeline, 'try_timeout', `${WHERE}: config.pipeline_config`);
  durationField(pipeline, 'retry_delay', `${WHERE}: config.pipeline_config`);
  durationField(pipeline, 'max_retry_delay', `${WHERE}: config.pipeline_config`);
  intField(reader, 'max_retry_requests', `${WHERE}: config.reader_config`);
  bool(c, 'storage_create_container', w);
  if (str(c, 'user_assigned_id', w) || str(c, 'msi_resource', w))
    throw new NotSupportedError(
      'objstore config: Azure managed identities (user_assigned_id, msi_resource) are not supported; use storage_account_key',
    );
  const conn = parseConnectionString(str(c, 'storage_connection_string', w));
  const account = str(c, 'storage_account', w) || conn.AccountName || '';
  const accountKey = str(c, 'storage_account_key', w) || conn.AccountKey || '';
  const container = str(c, 'container', w);
  if (!account) throw new BadDataError('objstore config: no Azure storage_account specified');
  if (!accountKey)
    throw new BadDataError('objstore config: no Azure storage_account_key specified');
  if (!container) throw new BadDataError('objstore config: no Azure container specified');
  const endpoint = str(c, 'endpoint', w) || 'blob.core.windows.net';
  const serviceUrl = (
    conn.BlobEndpoint || (endpoint.includes('://') ? endpoint : `https://${account}.${endpoint}`)
  ).replace(/\/+$/, '');
  const tries = intField(pipeline, 'max_tries', `${WHERE}: config.pipeline_config`);
  return {
    account,
    accountKey,
    container,
    serviceUrl,
    maxRetries: intField(c, 'max_retries', `${WHERE}: config`) || Math.max(0, tries - 1),
    http: parseHttpConfig(c),
  };
}

/** S3's largest single PutObject (5 GiB): the part size when `disable_multipart` is set. */
export const S3_MAX_PUT_SIZE = 5 * 1024 * 1024 * 1024;

/**
 * An S3Bucket for a parsed S3 config; credentials must be filled in by now. For SSE-C the
 * runtime passes the customer key it read from `sse_config.encryption_key` (`customerKey`).
 */
export function s3BucketFromConfig(
  cfg: S3Config,
  extra: Partial<S3BucketOptions> = {},
  customerKey?: SseCustomerKey,
): S3Bucket {
  if (!cfg.accessKey || !cfg.secretKey) {
    throw new BadDataError(
      `objstore config: no credentials for s3 bucket ${cfg.bucket} (set access_key/secret_key)`,
    );
  }
  return new S3Bucket({
    bucket: cfg.bucket,
    endpoint: cfg.endpoint,
    region: cfg.region,
    accessKeyId: cfg.accessKey,
    secretAccessKey: cfg.secretKey,
    ...(cfg.sessionToken ? { sessionToken: cfg.sessionToken } : {}),
    lookup: cfg.lookup,
    partSize: cfg.disableMultipart ? S3_MAX_PUT_SIZE : cfg.partSize,
    ...(cfg.maxRetries > 0 ? { retries: cfg.maxRetries } : {}),
    headers: s3Headers(cfg.sse, cfg.userMetadata, customerKey),
    ...(cfg.responseHeaderTimeoutMs !== undefined
      ? { responseHeaderTimeoutMs: cfg.responseHeaderTimeoutMs }
      : {}),
    ...extra,
  });
}
