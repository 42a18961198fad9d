/**
 * @module core/auth/secret — secrets compared without a timing signal: both sides are reduced to
 * SHA-256 digests (fixed length, so neither a prefix match nor the secret's length shows in the
 * time taken) and the digests compared with an XOR loop that never exits early.
 */

/** Length of a SHA-256 digest in bytes. */
export const DIGEST_BYTES = 32;

const encoder = new TextEncoder();

/** The SHA-256 digest of a secret's UTF-8 bytes (WebCrypto: the same in workerd and Node). */
export async function secretDigest(secret: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(secret)));
}

/**
 * True when a and b hold the same bytes. Every byte of the longer one is visited whatever the
 * contents, so the time taken depends only on the lengths (equal for digests), never on where
 * the first difference is.
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  const n = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < n; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
