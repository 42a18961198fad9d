/**
 * @module core/limited-body — a request body read only up to a limit: a declared length over it is
 * refused before reading, and a streamed (chunked) body is cut off as soon as it passes it, so a
 * hostile client cannot make a server buffer more than the limit.
 */
import { byteChunks } from './byte-stream.ts';
import { concatBytes } from './concat-bytes.ts';

/**
 * The body, or `tooLarge()` thrown once it is known to exceed `maxBytes`. With `drainUpTo`, the
 * rest of a too-large streamed body is read and dropped (up to that many bytes in all) before the
 * refusal, so a client still sending gets the answer rather than a broken connection (a remote
 * write sender retries a broken connection, but not a 413).
 */
export async function readLimitedBody(
  req: Request,
  maxBytes: number,
  tooLarge: (bytes: number) => Error,
  options: { readonly drainUpTo?: number } = {},
): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw tooLarge(declared);
  if (req.body === null) return new Uint8Array(0);
  // A valid declared length within the limit is what arrives (HTTP framing holds the sender to
  // it): the runtime reads it whole into one buffer, without a chunk loop and its copies.
  if (req.headers.has('content-length') && Number.isSafeInteger(declared) && declared >= 0)
    return new Uint8Array(await req.arrayBuffer());
  const parts: Uint8Array[] = [];
  let size = 0;
  const chunks = byteChunks(req.body);
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      const over = size;
      const drainUpTo = options.drainUpTo ?? 0;
      while (size <= drainUpTo) {
        const next = await chunks.next();
        if (next.done) throw tooLarge(over);
        size += next.value.byteLength;
      }
      // Leaving the loop cancels the rest of the body.
      throw tooLarge(over);
    }
    parts.push(chunk.slice());
  }
  return concatBytes(parts, size);
}
