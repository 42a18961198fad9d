/**
 * @module sidecar-agent/objstore/from-config — builds a Bucket from `--objstore.config-file`
 * (or inline `--objstore.config` content), as Thanos components do.
 *
 * `$(NAME)` in the file is replaced by the environment variable NAME first (Thanos's
 * env substitution in config files); an unset variable is an error. An S3 config without
 * keys takes them from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.
 */
import { readFile } from 'node:fs/promises';
import { BadDataError } from '../../core/errors.ts';
import type { Bucket } from '../../core/objstore/bucket.ts';
import {
  parseObjstoreConfig,
  s3BucketFromConfig,
  type ObjstoreConfig,
} from '../../core/objstore/config.ts';
import { PrefixedBucket } from '../../core/objstore/prefixed.ts';
import { FilesystemBucket } from './filesystem.ts';
import { nodeFetch } from '../node-fetch.ts';

/** Replaces `$(NAME)` with `env[NAME]`. */
export function expandEnv(
  text: string,
  env: Record<string, string | undefined> = process.env,
): string {
  return text.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (_, name: string) => {
    const v = env[name];
    if (v === undefined)
      throw new BadDataError(`objstore config: environment variable ${name} is not set`);
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
    case 'S3': {
      const s3 = cfg.s3.accessKey
        ? cfg.s3
        : {
            ...cfg.s3,
            accessKey: env.AWS_ACCESS_KEY_ID ?? '',
            secretKey: env.AWS_SECRET_ACCESS_KEY ?? '',
            sessionToken: env.AWS_SESSION_TOKEN ?? '',
          };
      // node:http rather than the global fetch: see node-fetch.ts.
      bucket = s3BucketFromConfig(s3, { fetch: nodeFetch });
      break;
    }
  }
  return cfg.prefix ? new PrefixedBucket(bucket, cfg.prefix) : bucket;
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
