/**
 * @module core/byte-stream — reading a body stream in as few pieces as it allows. workerd hands a
 * body (a Durable Object's answer, a request's body) to a default reader in 4 KiB pieces; a BYOB
 * read takes everything already received at once (a 6 MB store answer: about 1,500 reads become
 * 60), so byte streams are read into one buffer of our own.
 */
import { concatBytes } from './concat-bytes.ts';

/** What one BYOB read may take at most. */
const READ_BUFFER_BYTES = 256 * 1024;

/**
 * The stream's chunks. A byte stream is read into one buffer, reused: a chunk is valid only until
 * the next is asked for, so a consumer copies what it keeps. Other streams are read as they come.
 * A consumer that stops early cancels the stream.
 */
export async function* byteChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = stream.getReader({ mode: 'byob' });
  } catch {
    // Not a byte stream.
  }
  const reader = byob ?? stream.getReader();
  let view = new Uint8Array(READ_BUFFER_BYTES);
  const read = async (): Promise<ReadableStreamReadResult<Uint8Array>> => {
    if (!byob) return (reader as ReadableStreamDefaultReader<Uint8Array>).read();
    const r = await byob.read(view);
    // The read took the buffer over; the next one reuses it.
    if (r.value) view = new Uint8Array(r.value.buffer);
    return r;
  };
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await read();
      if (done) {
        finished = true;
        return;
      }
      if (value && value.byteLength > 0) yield value;
    }
  } finally {
    // The producer (a store's answer, a client's upload) must not be left running.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** The whole stream in one array. */
export async function readAllBytes(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of byteChunks(stream)) {
    parts.push(chunk.slice());
    total += chunk.byteLength;
  }
  return concatBytes(parts, total);
}
