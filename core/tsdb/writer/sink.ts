/**
 * @module core/tsdb/writer/sink — where a block's files go. A `BlockSink` takes whole files or
 * streams by name relative to the block directory (`index`, `chunks/000001`, `meta.json`), so the
 * same writer targets a local directory (sidecar-agent/tsdb/dir-sink.ts) or a bucket. `SinkFile`
 * turns a streamed put into a synchronous byte writer with an explicit `drain()`, so encoders
 * append without awaiting per series and the caller yields to I/O in batches.
 */

export type SinkData = Uint8Array | ReadableStream<Uint8Array>;

export interface BlockSink {
  /**
   * Stores one file of the block; resolves when it is durably written. Streams of several
   * files (the chunk segment and the index) are open at once and fed alternately: a sink must
   * consume concurrent puts concurrently, or the writer waits on backpressure forever.
   */
  put(name: string, data: SinkData): Promise<void>;
  /** Called once after `meta.json` was put: makes the block visible (a directory rename, …). */
  commit?(): Promise<void>;
  /** Called when writing failed: drops what was put. */
  abort?(): Promise<void>;
}

/** Default bytes buffered before `drain()` hands them to the sink. */
export const SINK_FLUSH_BYTES = 1 << 20;

/** A file being streamed into a sink: `write` is synchronous; `drain` applies backpressure. */
export class SinkFile {
  readonly name: string;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #done: Promise<void>;
  #failed: unknown;
  #buf: Uint8Array;
  #len = 0;
  #flushed = 0;
  readonly #flushAt: number;

  constructor(sink: BlockSink, name: string, flushAt = SINK_FLUSH_BYTES) {
    this.name = name;
    this.#flushAt = flushAt;
    this.#buf = new Uint8Array(flushAt + 1024);
    const ts = new TransformStream<Uint8Array, Uint8Array>();
    this.#writer = ts.writable.getWriter();
    this.#done = sink.put(name, ts.readable).catch((err: unknown) => {
      // A sink that fails without reading to the end must not leave writes waiting forever.
      this.#failed = err ?? new Error(`put ${name} failed`);
      void this.#writer.abort(err).catch(() => {});
      throw err;
    });
    // Reported through close()/drain(); avoid an unhandled rejection meanwhile.
    this.#done.catch(() => {});
  }

  /** Bytes written so far (buffered included): the offset of the next byte. */
  get position(): number {
    return this.#flushed + this.#len;
  }

  write(bytes: Uint8Array): void {
    if (this.#len + bytes.length > this.#buf.length) {
      const nb = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + bytes.length));
      nb.set(this.#buf.subarray(0, this.#len));
      this.#buf = nb;
    }
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
  }

  /** Writes `n` zero bytes. */
  pad(n: number): void {
    if (n > 0) this.write(new Uint8Array(n));
  }

  /** Hands buffered bytes to the sink once the buffer is full; awaits the sink's backpressure. */
  async drain(): Promise<void> {
    if (this.#len >= this.#flushAt) await this.#flush();
  }

  async #flush(): Promise<void> {
    if (this.#failed !== undefined) throw this.#failed;
    if (this.#len === 0) return;
    const out = this.#buf.slice(0, this.#len);
    this.#flushed += this.#len;
    this.#len = 0;
    try {
      await this.#writer.write(out);
    } catch (err) {
      throw this.#failed ?? err;
    }
  }

  /** Flushes, ends the stream and waits for the sink; returns the file size. */
  async close(): Promise<number> {
    await this.#flush();
    await this.#writer.close().catch((err: unknown) => {
      throw this.#failed ?? err;
    });
    await this.#done;
    return this.#flushed;
  }

  async abort(reason?: unknown): Promise<void> {
    await this.#writer.abort(reason).catch(() => {});
    await this.#done.catch(() => {});
  }
}

/** A sink that keeps files in memory (tests, small blocks headed for one upload). */
export class MemoryBlockSink implements BlockSink {
  readonly files = new Map<string, Uint8Array>();
  committed = false;

  async put(name: string, data: SinkData): Promise<void> {
    if (data instanceof Uint8Array) {
      this.files.set(name, data.slice());
      return;
    }
    const parts: Uint8Array[] = [];
    let n = 0;
    for await (const p of data as unknown as AsyncIterable<Uint8Array>) {
      parts.push(p);
      n += p.length;
    }
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    this.files.set(name, out);
  }

  async commit(): Promise<void> {
    this.committed = true;
  }
}
