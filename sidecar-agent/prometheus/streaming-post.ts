/**
 * @module sidecar-agent/prometheus/streaming-post — one HTTP/1.1 POST on its own TCP connection,
 * its answer read into a single reused buffer (RFC 9112: status line, headers, then a body framed
 * by chunked transfer coding, Content-Length, or the connection's end).
 *
 * Why not node:http: every socket read there is a fresh Buffer, so a remote read of a few MiB
 * leaves that much garbage outside the V8 heap until a GC happens to run; the agent's resident
 * memory followed it. Here the socket reads into one 64 KiB buffer (`onread`) and pauses until
 * the consumer has dealt with each piece: memory is that buffer, whatever the answer's size.
 */
import { connect, type Socket } from 'node:net';

/** The answer broke the protocol, or the connection failed or closed early. */
export class StreamingPostError extends Error {
  override readonly name = 'StreamingPostError';
}

const READ_BUFFER_BYTES = 64 * 1024;
/** Read buffers of closed connections, for the next ones (no garbage per request). */
const spareBuffers: Uint8Array[] = [];
const MAX_SPARE_BUFFERS = 4;
const MAX_HEAD_BYTES = 64 * 1024;
const EMPTY = new Uint8Array(0);
const CR = 13;
const LF = 10;

type BodyState =
  'size' | 'size-ext' | 'size-lf' | 'data' | 'data-cr' | 'data-lf' | 'trailer' | 'done';

export class StreamingPost {
  readonly status: number;
  /** Header names lower-cased; repeated headers joined with ", ". */
  readonly headers: ReadonlyMap<string, string>;
  readonly #socket: Socket;
  readonly #conn: Connection;
  /** Body framing: chunked, a byte count, or until the connection ends. */
  readonly #chunked: boolean;
  #remaining: number;
  #state: BodyState;
  /** In the trailer section: whether the next byte starts a line (an empty line ends it). */
  #lineStart = true;

  private constructor(conn: Connection, status: number, headers: Map<string, string>) {
    this.#conn = conn;
    this.#socket = conn.socket;
    this.status = status;
    this.headers = headers;
    this.#chunked = /\bchunked\b/i.test(headers.get('transfer-encoding') ?? '');
    const length = headers.get('content-length');
    this.#remaining = this.#chunked ? 0 : length !== undefined ? Number(length) : Infinity;
    if (!this.#chunked && !(this.#remaining >= 0))
      throw new StreamingPostError(`bad content-length ${JSON.stringify(length)}`);
    this.#state = this.#chunked ? 'size' : this.#remaining === 0 ? 'done' : 'data';
  }

  /** Connects, sends the request, and resolves once the status line and headers are in. */
  static async open(
    url: URL,
    headers: Record<string, string>,
    body: Uint8Array,
    signal?: AbortSignal,
  ): Promise<StreamingPost> {
    if (url.protocol !== 'http:') throw new StreamingPostError(`not an http: URL: ${url.href}`);
    const conn = new Connection(url, signal);
    try {
      const lines = [
        `POST ${url.pathname}${url.search} HTTP/1.1`,
        `host: ${url.host}`,
        'connection: close',
        `content-length: ${body.length}`,
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
        '',
        '',
      ];
      conn.socket.write(lines.join('\r\n'), 'latin1');
      conn.socket.write(body);
      const head = await conn.readHead();
      const { status, headers: parsed } = parseHead(head);
      return new StreamingPost(conn, status, parsed);
    } catch (err) {
      conn.socket.destroy();
      throw err;
    }
  }

  /**
   * The body as views of the read buffer, each valid until the next one is asked for. Ends when
   * the framing says the body is complete; a connection that ends before is an error.
   */
  async *body(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        const data = this.#conn.data;
        while (this.#conn.pos < data.length && this.#state !== 'done') {
          const piece = this.#next(data);
          if (piece) yield piece;
        }
        if (this.#state === 'done') return;
        if (!(await this.#conn.read())) {
          if (this.#remaining === Infinity) return; // framed by the connection's end
          throw new StreamingPostError('connection closed before the answer was complete');
        }
      }
    } finally {
      this.close();
    }
  }

  /** The body as text (error answers), at most `limit` bytes of it. */
  async text(limit = 64 * 1024): Promise<string> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const piece of this.body()) {
      if (size < limit) parts.push(Buffer.from(piece.subarray(0, limit - size)));
      size += piece.length;
    }
    return Buffer.concat(parts).toString('utf8');
  }

  close(): void {
    this.#socket.destroy();
  }

  /** Advances the body parser over `data` from the connection's position; returns body bytes found. */
  #next(data: Uint8Array): Uint8Array | undefined {
    const conn = this.#conn;
    switch (this.#state) {
      case 'data': {
        const n = Math.min(this.#remaining, data.length - conn.pos);
        const piece = data.subarray(conn.pos, conn.pos + n);
        conn.pos += n;
        this.#remaining -= n;
        if (this.#remaining === 0) this.#state = this.#chunked ? 'data-cr' : 'done';
        return piece;
      }
      case 'size': {
        const b = data[conn.pos++]!;
        const digit = hexValue(b);
        if (digit >= 0) {
          this.#remaining = this.#remaining * 16 + digit;
          if (this.#remaining > Number.MAX_SAFE_INTEGER)
            throw new StreamingPostError('chunk size too large');
        } else if (b === CR) this.#state = 'size-lf';
        else if (b === 0x3b /* ; */ || b === 0x20 || b === 0x09) this.#state = 'size-ext';
        else throw new StreamingPostError(`bad chunk size byte 0x${b.toString(16)}`);
        return undefined;
      }
      case 'size-ext':
        if (data[conn.pos++] === CR) this.#state = 'size-lf';
        return undefined;
      case 'size-lf':
        if (data[conn.pos++] !== LF) throw new StreamingPostError('bad chunk size line');
        this.#state = this.#remaining === 0 ? 'trailer' : 'data';
        this.#lineStart = true;
        return undefined;
      case 'data-cr':
        if (data[conn.pos++] !== CR)
          throw new StreamingPostError('chunk data not followed by CRLF');
        this.#state = 'data-lf';
        return undefined;
      case 'data-lf':
        if (data[conn.pos++] !== LF)
          throw new StreamingPostError('chunk data not followed by CRLF');
        this.#state = 'size';
        this.#remaining = 0;
        return undefined;
      case 'trailer': {
        // Trailer fields, then an empty line: done at a CRLF that starts a line.
        const b = data[conn.pos++]!;
        if (b === LF) {
          if (this.#lineStart) this.#state = 'done';
          this.#lineStart = true;
        } else if (b !== CR) this.#lineStart = false;
        return undefined;
      }
      case 'done':
        return undefined;
    }
  }
}

/** The socket and its one read buffer; reads happen only when asked for. */
class Connection {
  readonly socket: Socket;
  /** The current read: a view of the read buffer, and how far the parser got in it. */
  data: Uint8Array = EMPTY;
  pos = 0;
  #ended = false;
  /** A read arrived that `read()` has not handed out yet (the socket is paused meanwhile). */
  #fresh = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(url: URL, signal?: AbortSignal) {
    const buffer = spareBuffers.pop() ?? new Uint8Array(READ_BUFFER_BYTES);
    this.socket = connect({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 80),
      onread: {
        buffer,
        callback: (n: number) => {
          this.data = buffer.subarray(0, n);
          this.pos = 0;
          this.#fresh = true;
          this.#wake?.();
          return false; // paused until the parser has used this read
        },
      },
    });
    this.socket.setNoDelay(true);
    this.socket.on('end', () => {
      this.#ended = true;
      this.#wake?.();
    });
    this.socket.on('error', (err) => {
      this.#error = err;
      this.#wake?.();
    });
    this.socket.on('close', () => {
      this.#ended = true;
      this.#wake?.();
      // Closed: no read lands in the buffer any more, and the body's consumer is done with it.
      if (spareBuffers.length < MAX_SPARE_BUFFERS) spareBuffers.push(buffer);
    });
    if (signal) {
      const abort = (): void => {
        this.#error = new StreamingPostError(`aborted: ${String(signal.reason)}`);
        this.socket.destroy();
        this.#wake?.();
      };
      if (signal.aborted) abort();
      else signal.addEventListener('abort', abort, { once: true });
      this.socket.once('close', () => signal.removeEventListener('abort', abort));
    }
  }

  /** Waits for the next read; false at the connection's end. The previous read must be used up. */
  async read(): Promise<boolean> {
    if (this.#error) throw this.#error;
    if (!this.#fresh) {
      this.data = EMPTY;
      this.pos = 0;
      if (this.#ended) return false;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.socket.resume();
      });
      this.#wake = undefined;
      if (this.#error) throw this.#error;
      if (!this.#fresh) return false;
    }
    this.#fresh = false;
    return true;
  }

  /** Reads up to the blank line after the headers; the rest of that read stays for the body. */
  async readHead(): Promise<string> {
    let head = '';
    for (;;) {
      if (!(await this.read())) throw new StreamingPostError('connection closed before an answer');
      const from = Math.max(0, head.length - 3);
      head += Buffer.from(this.data.buffer, this.data.byteOffset, this.data.length).toString(
        'latin1',
      );
      const end = head.indexOf('\r\n\r\n', from);
      if (end >= 0) {
        const bodyAt = end + 4 - (head.length - this.data.length);
        this.pos = bodyAt;
        return head.slice(0, end);
      }
      if (head.length > MAX_HEAD_BYTES) throw new StreamingPostError('answer headers too large');
    }
  }
}

function parseHead(head: string): { status: number; headers: Map<string, string> } {
  const lines = head.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0] ?? '');
  if (!m)
    throw new StreamingPostError(`bad status line ${JSON.stringify(lines[0]?.slice(0, 100))}`);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0)
      throw new StreamingPostError(`bad header line ${JSON.stringify(line.slice(0, 100))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const prev = headers.get(name);
    headers.set(name, prev === undefined ? value : `${prev}, ${value}`);
  }
  return { status: Number(m[1]), headers };
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}
