/**
 * @module core/api/gzip-wasm — runtime-neutral loader for the WASM gzip encoder
 * (wasm/assembly/gzip.ts) and the body stream built on it. Takes a compiled `WebAssembly.Module`
 * (workerd: a CompiledWasm import, worker/wasm.ts; Node: sidecar-agent/wasm.ts).
 *
 * An encoder's stream state (window, hash table, bits not yet written) lives in its instance's
 * memory and a body is compressed across awaits, so each body holds an instance of its own from
 * a small pool until it ends or is cancelled.
 */

interface GzipExports {
  memory: WebAssembly.Memory;
  begin(maxChunk: number): number;
  inputPtr(): number;
  outputPtr(): number;
  compress(n: number, final: number): number;
}

/** Input bytes per kernel call: bounds an instance's memory (~0.6 MiB) whatever the body. */
const MAX_CHUNK = 128 * 1024;
/** Idle instances kept for the next bodies. */
const POOL = 4;

/** One gzip member being written; `write` and `end` return its next bytes (fresh copies). */
export interface GzipEncoder {
  write(bytes: Uint8Array): Uint8Array[];
  end(): Uint8Array[];
  /** Gives the encoder back; after `end`, or to abandon the stream. */
  release(): void;
}

export interface GzipEncoders {
  open(): GzipEncoder;
}

export function newGzipEncoders(module: WebAssembly.Module): GzipEncoders {
  const idle: GzipExports[] = [];
  return {
    open() {
      const x =
        idle.pop() ?? (new WebAssembly.Instance(module, {}).exports as unknown as GzipExports);
      return new WasmGzipEncoder(x, (done) => {
        if (idle.length < POOL) idle.push(done);
      });
    },
  };
}

class WasmGzipEncoder implements GzipEncoder {
  #x: GzipExports | undefined;
  readonly #giveBack: (x: GzipExports) => void;

  constructor(x: GzipExports, giveBack: (x: GzipExports) => void) {
    this.#x = x;
    this.#giveBack = giveBack;
    // The gzip header `begin` writes goes out with the first output.
    x.begin(MAX_CHUNK);
  }

  #encoder(): GzipExports {
    if (!this.#x) throw new Error('gzip encoder used after release');
    return this.#x;
  }

  #take(x: GzipExports, written: number): Uint8Array {
    return new Uint8Array(x.memory.buffer, x.outputPtr(), written).slice();
  }

  write(bytes: Uint8Array): Uint8Array[] {
    const x = this.#encoder();
    const out: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; at += MAX_CHUNK) {
      const piece = bytes.subarray(at, Math.min(bytes.length, at + MAX_CHUNK));
      new Uint8Array(x.memory.buffer, x.inputPtr(), piece.length).set(piece);
      const written = x.compress(piece.length, 0);
      if (written > 0) out.push(this.#take(x, written));
    }
    return out;
  }

  end(): Uint8Array[] {
    const x = this.#encoder();
    return [this.#take(x, x.compress(0, 1))];
  }

  release(): void {
    const x = this.#x;
    this.#x = undefined;
    if (x) this.#giveBack(x);
  }
}

/**
 * `body` gzip-compressed as it is read: a chunk is compressed when the reader asks for more, so
 * a slow reader holds back the source instead of output piling up, and a cancelled read cancels
 * the source.
 */
export function gzipStream(
  body: ReadableStream<Uint8Array>,
  encoders: GzipEncoders,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let encoder: GzipEncoder | undefined;
  const finish = (): void => {
    encoder?.release();
    encoder = undefined;
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          encoder ??= encoders.open();
          for (;;) {
            const next = await reader.read();
            if (next.done) {
              for (const bytes of encoder.end()) controller.enqueue(bytes);
              finish();
              controller.close();
              return;
            }
            const out = encoder.write(next.value);
            if (out.length === 0) continue;
            for (const bytes of out) controller.enqueue(bytes);
            return;
          }
        } catch (err) {
          finish();
          throw err;
        }
      },
      async cancel(reason) {
        finish();
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Whether an Accept-Encoding header takes gzip (RFC 9110: `gzip` or `*`, unless given q=0; an
 * explicit `gzip;q=0` wins over `*`).
 */
export function acceptsGzip(acceptEncoding: string | null): boolean {
  if (!acceptEncoding) return false;
  let star: boolean | undefined;
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim());
    const coding = name.toLowerCase();
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') continue;
    let q = 1;
    for (const p of params) {
      const m = /^q\s*=\s*([0-9.]+)$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (coding === '*') star = q > 0;
    else return q > 0;
  }
  return star ?? false;
}
