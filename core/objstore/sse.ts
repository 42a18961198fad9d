/**
 * @module core/objstore/sse — the extra S3 request headers of an objstore config: server-side
 * encryption (`sse_config`, as minio-go's `encrypt` package sends them for Thanos) and
 * `put_user_metadata`. Spec: https://docs.aws.amazon.com/AmazonS3/latest/userguide/serv-side-encryption.html
 *
 * - SSE-S3: `x-amz-server-side-encryption: AES256` on PutObject / CreateMultipartUpload.
 * - SSE-KMS: `aws:kms`, the key id, and the encryption context as base64 JSON, on the same.
 * - SSE-C: the customer key (base64) and its MD5 (base64) with algorithm AES256 on every request
 *   that writes or reads object data: PutObject, CreateMultipartUpload, UploadPart, GetObject,
 *   HeadObject.
 */
import { BadDataError } from '../errors.ts';

export const SSE_TYPES = ['SSE-S3', 'SSE-KMS', 'SSE-C'] as const;
export type SseType = (typeof SSE_TYPES)[number];

/** Thanos's `sse_config`. */
export interface SseConfig {
  readonly type: SseType;
  readonly kmsKeyId: string;
  readonly kmsEncryptionContext: Readonly<Record<string, string>>;
  /** SSE-C: path of the file holding the 32-byte customer key (read by the agent). */
  readonly encryptionKeyFile: string;
}

/** SSE-C needs exactly this many key bytes (AES-256). */
export const SSE_C_KEY_BYTES = 32;

/** The SSE-C key as S3 wants it; the runtime reads the key file and computes the MD5. */
export interface SseCustomerKey {
  readonly keyBase64: string;
  readonly md5Base64: string;
}

/** Headers per request class (all lower-case names). */
export interface S3RequestHeaders {
  /** PutObject and CreateMultipartUpload. */
  readonly create: Readonly<Record<string, string>>;
  /** UploadPart. */
  readonly part: Readonly<Record<string, string>>;
  /** GetObject and HeadObject. */
  readonly read: Readonly<Record<string, string>>;
}

export const NO_EXTRA_HEADERS: S3RequestHeaders = { create: {}, part: {}, read: {} };

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** The headers for `sse_config` and `put_user_metadata` (SSE-C needs the key read). */
export function s3Headers(
  sse: SseConfig | undefined,
  userMetadata: Readonly<Record<string, string>>,
  customerKey?: SseCustomerKey,
): S3RequestHeaders {
  const create: Record<string, string> = {};
  let customer: Record<string, string> = {};
  for (const [k, v] of Object.entries(userMetadata)) create[`x-amz-meta-${k.toLowerCase()}`] = v;
  switch (sse?.type) {
    case undefined:
      break;
    case 'SSE-S3':
      create['x-amz-server-side-encryption'] = 'AES256';
      break;
    case 'SSE-KMS':
      create['x-amz-server-side-encryption'] = 'aws:kms';
      create['x-amz-server-side-encryption-aws-kms-key-id'] = sse.kmsKeyId;
      if (Object.keys(sse.kmsEncryptionContext).length > 0)
        create['x-amz-server-side-encryption-context'] = base64(
          JSON.stringify(sse.kmsEncryptionContext),
        );
      break;
    case 'SSE-C':
      if (!customerKey)
        throw new BadDataError(
          `objstore config: sse_config SSE-C: the key file ${sse.encryptionKeyFile} was not read`,
        );
      customer = {
        'x-amz-server-side-encryption-customer-algorithm': 'AES256',
        'x-amz-server-side-encryption-customer-key': customerKey.keyBase64,
        'x-amz-server-side-encryption-customer-key-md5': customerKey.md5Base64,
      };
      break;
  }
  return { create: { ...create, ...customer }, part: customer, read: customer };
}
