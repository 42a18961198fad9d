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
 * does not silently fall back to a default. Fields Thanos accepts but we do not implement
 * (SigV2, SSE, AWS SDK auth) fail with NotSupportedError instead of being ignored.
 */
import { parse } from 'yaml';
import { BadDataError, NotSupportedError } from '../errors.ts';
import { goParseDuration } from '../gocompat/duration.ts';
import { S3Bucket, type S3BucketOptions } from './s3.ts';

export interface S3Config {
  readonly bucket: string;
  /** URL with scheme, derived from Thanos's `endpoint` (host[:port]) and `insecure`. */
  readonly endpoint: string;
  readonly region: string;
  /** Empty when the config leaves credentials to the environment (the agent reads AWS_* vars). */
  readonly accessKey: string;
  readonly secretKey: string;
  readonly sessionToken: string;
  readonly lookup: 'path' | 'virtual-host';
  /** Multipart part size in bytes (Thanos default 64 MiB). */
  readonly partSize: number;
  /** From `http_config.response_header_timeout`; undefined keeps the S3Bucket default. */
  readonly responseHeaderTimeoutMs?: number;
}

export type ObjstoreConfig =
  | { readonly type: 'S3'; readonly prefix: string; readonly s3: S3Config }
  | { readonly type: 'FILESYSTEM'; readonly prefix: string; readonly directory: string };

/** Thanos `s3.DefaultConfig.PartSize`. */
export const THANOS_DEFAULT_PART_SIZE = 64 * 1024 * 1024;

const TOP_FIELDS = new Set(['type', 'config', 'prefix']);
const S3_FIELDS = new Set([
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
]);
const FS_FIELDS = new Set(['directory']);

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strict(where: string, obj: Obj, allowed: Set<string>): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.has(k))
      throw new BadDataError(`objstore config: field ${k} not found in ${where}`);
  }
}

function str(obj: Obj, key: string, where: string): string {
  const v = obj[key];
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new BadDataError(`objstore config: ${where}.${key} must be a string`);
}

function bool(obj: Obj, key: string, where: string): boolean {
  const v = obj[key];
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  throw new BadDataError(`objstore config: ${where}.${key} must be true or false`);
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
        `objstore config: bucket with type ${type} is not supported (S3, FILESYSTEM)`,
      );
  }
}

function parseS3(c: Obj): S3Config {
  strict('config (S3)', c, S3_FIELDS);
  const bucket = str(c, 'bucket', 'config');
  const rawEndpoint = str(c, 'endpoint', 'config');
  if (!bucket) throw new BadDataError('objstore config: no s3 bucket in config file');
  if (!rawEndpoint) throw new BadDataError('objstore config: no s3 endpoint in config file');
  const accessKey = str(c, 'access_key', 'config');
  const secretKey = str(c, 'secret_key', 'config');
  if (accessKey && !secretKey)
    throw new BadDataError(
      'objstore config: no s3 secret_key specified while access_key is present',
    );
  if (!accessKey && secretKey)
    throw new BadDataError(
      'objstore config: no s3 access_key specified while secret_key is present',
    );
  if (bool(c, 'signature_version2', 'config'))
    throw new NotSupportedError(
      'objstore config: signature_version2 is not supported (SigV4 only)',
    );
  if (bool(c, 'aws_sdk_auth', 'config'))
    throw new NotSupportedError(
      'objstore config: aws_sdk_auth is not supported; use access_key/secret_key or AWS_* env vars',
    );
  if (isObj(c.sse_config) && str(c.sse_config, 'type', 'config.sse_config')) {
    throw new NotSupportedError('objstore config: sse_config is not supported');
  }
  const listVersion = str(c, 'list_objects_version', 'config');
  if (listVersion && listVersion !== 'v2' && listVersion !== 'v1') {
    throw new BadDataError(
      `objstore config: unsupported list_objects_version ${listVersion} (v1, v2)`,
    );
  }

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

  let responseHeaderTimeoutMs: number | undefined;
  if (isObj(c.http_config)) {
    const raw = str(c.http_config, 'response_header_timeout', 'config.http_config');
    if (raw)
      responseHeaderTimeoutMs = parseDurationMs(raw, 'config.http_config.response_header_timeout');
  }

  return {
    bucket,
    endpoint,
    region,
    ...(responseHeaderTimeoutMs !== undefined ? { responseHeaderTimeoutMs } : {}),
    accessKey,
    secretKey,
    sessionToken: str(c, 'session_token', 'config'),
    lookup,
    partSize,
  };
}

/**
 * A duration such as `90s`, `2m` or `1.5m`, in ms, read with Go's time.ParseDuration (a
 * superset of what this config accepted before). Thanos itself reads these fields as
 * model.Duration (core/gocompat/duration parsePromDuration: `1d` yes, `1.5m` no).
 */
export function parseDurationMs(text: string, where: string): number {
  let ms: number;
  try {
    ms = goParseDuration(text);
  } catch {
    ms = -1;
  }
  if (ms < 0)
    throw new BadDataError(`objstore config: ${where}: bad duration ${JSON.stringify(text)}`);
  return ms;
}

/** An S3Bucket for a parsed S3 config; credentials must be filled in by now. */
export function s3BucketFromConfig(cfg: S3Config, extra: Partial<S3BucketOptions> = {}): S3Bucket {
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
    partSize: cfg.partSize,
    ...(cfg.responseHeaderTimeoutMs !== undefined
      ? { responseHeaderTimeoutMs: cfg.responseHeaderTimeoutMs }
      : {}),
    ...extra,
  });
}
