/**
 * @module sidecar-agent/objstore/from-config — builds a Bucket from `--objstore.config-file`
 * (or inline `--objstore.config` content), as Thanos components do.
 *
 * `$(NAME)` in the file is replaced by the environment variable NAME first (Thanos's
 * env substitution in config files); an unset variable is an error. An S3 config without
 * keys (or with `aws_sdk_auth: true`) takes them from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
 * AWS_SESSION_TOKEN.
 *
 * S3 `http_config` becomes the bucket's own connection pool (http-transport.ts): TLS files
 * (which must exist), insecure_skip_verify, idle and handshake timeouts, connection limits.
 * `sse_config` SSE-C reads its 32-byte key file here.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { BadDataError } from '../../core/errors.ts';
import type { Bucket } from '../../core/objstore/bucket.ts';
import {
  parseObjstoreConfig,
  s3BucketFromConfig,
  type ObjstoreConfig,
  type S3Config,
  type S3HttpConfig,
} from '../../core/objstore/config.ts';
import { AzureBucket } from '../../core/objstore/azure.ts';
import { SSE_C_KEY_BYTES, type SseCustomerKey } from '../../core/objstore/sse.ts';
import { errorMessage } from '../../core/errors.ts';
import { makeTransport } from '../http-transport.ts';
import { PrefixedBucket } from '../../core/objstore/prefixed.ts';
import { FilesystemBucket } from './filesystem.ts';
import { createNodeFetch } from '../node-fetch.ts';

/** Replaces `$(NAME)` with `env[NAME]`; `where` names the file in the error for an unset one. */
export function expandEnv(
  text: string,
  env: Record<string, string | undefined> = process.env,
  where = 'objstore config',
): string {
  return text.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (_, name: string) => {
    const v = env[name];
    if (v === undefined)
      throw new BadDataError(`${where}: environment variable ${name} is not set`);
    return v;
  });
}

/** A Bucket for parsed config (keys from the environment when the config has none). */
export function bucketFromObjstoreConfig(
  cfg: ObjstoreConfig,
  env: Record<string, string | undefined> = process.env,
): Bucket {
  let bucket: Bucket;
  switch (cfg.type) {
    case 'FILESYSTEM':
      bucket = new FilesystemBucket(cfg.directory);
      break;
    case 'S3':
    case 'GCS': {
      const s3 = cfg.s3.accessKey
        ? cfg.s3
        : {
            ...cfg.s3,
            accessKey: env.AWS_ACCESS_KEY_ID ?? '',
            secretKey: env.AWS_SECRET_ACCESS_KEY ?? '',
            sessionToken: env.AWS_SESSION_TOKEN ?? '',
          };
      // node:http rather than the global fetch: see node-fetch.ts.
      bucket = s3BucketFromConfig(
        s3,
        { fetch: httpConfigFetch(s3.http, `bucket ${s3.bucket}`) },
        s3.sse?.type === 'SSE-C' ? readCustomerKey(s3) : undefined,
      );
      break;
    }
    case 'AZURE': {
      const a = cfg.azure;
      bucket = new AzureBucket({
        account: a.account,
        accountKey: a.accountKey,
        container: a.container,
        serviceUrl: a.serviceUrl,
        ...(a.maxRetries > 0 ? { retries: a.maxRetries } : {}),
        fetch: httpConfigFetch(a.http, `container ${a.container}`),
      });
      break;
    }
  }
  return cfg.prefix ? new PrefixedBucket(bucket, cfg.prefix) : bucket;
}

/** A fetch over the agent's node:http with the config's `http_config` (TLS files read now). */
function httpConfigFetch(h: S3HttpConfig, what: string): typeof fetch {
  const agents = makeTransport(
    {
      tls: h.tls,
      insecureSkipVerify: h.insecureSkipVerify,
      idleConnTimeoutMs: h.idleConnTimeoutMs,
      tlsHandshakeTimeoutMs: h.tlsHandshakeTimeoutMs,
      maxIdleConnsPerHost: h.maxIdleConnsPerHost,
      maxConnsPerHost: h.maxConnsPerHost,
    },
    `objstore config (${what}): http_config`,
  );
  return createNodeFetch({ agents });
}

/** The SSE-C key from `sse_config.encryption_key` (a file of exactly 32 bytes), with its MD5. */
function readCustomerKey(s3: S3Config): SseCustomerKey {
  const path = s3.sse?.encryptionKeyFile ?? '';
  let key: Buffer;
  try {
    key = readFileSync(path);
  } catch (err) {
    throw new BadDataError(
      `objstore config: sse_config.encryption_key ${path}: ${errorMessage(err)}`,
      { cause: err },
    );
  }
  if (key.length !== SSE_C_KEY_BYTES)
    throw new BadDataError(
      `objstore config: sse_config.encryption_key ${path}: SSE-C key must be ${SSE_C_KEY_BYTES} bytes, found ${key.length}`,
    );
  return {
    keyBase64: key.toString('base64'),
    md5Base64: createHash('md5').update(key).digest('base64'),
  };
}

/** Parses YAML content (after env expansion) into a Bucket. */
export function bucketFromConfigText(
  text: string,
  env: Record<string, string | undefined> = process.env,
): Bucket {
  return bucketFromObjstoreConfig(parseObjstoreConfig(expandEnv(text, env)), env);
}

/** Reads `path` and builds its Bucket. */
export async function bucketFromConfigFile(
  path: string,
  env: Record<string, string | undefined> = process.env,
): Promise<Bucket> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new BadDataError(
      `objstore config: reading ${path}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  return bucketFromConfigText(text, env);
}
