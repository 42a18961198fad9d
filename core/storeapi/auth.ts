/** @module core/storeapi/auth — bearer-token check for StoreAPI endpoints, in constant time. */

/** True when the Authorization header carries exactly `Bearer <token>`. */
export function bearerTokenValid(header: string | null | undefined, token: string): boolean {
  if (!token || !header || !header.startsWith('Bearer ')) return false;
  const given = new TextEncoder().encode(header.slice(7));
  const want = new TextEncoder().encode(token);
  // Compare every byte whatever the lengths, so timing reveals neither content nor length match.
  let diff = given.length ^ want.length;
  for (let i = 0; i < want.length; i++) diff |= want[i]! ^ (given[i] ?? 0);
  return diff === 0;
}
