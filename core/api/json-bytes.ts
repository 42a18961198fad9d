/**
 * @module core/api/json-bytes — JSON answers written straight into bytes: a matrix of a million
 * points is mostly timestamps and values, and rendering each as a string, joining the strings and
 * encoding the result cost several times the bytes themselves. Numbers come out byte for byte as
 * prom-numbers.ts writes them.
 */
import { formatTimestamp, formatValue } from './prom-numbers.ts';

const encoder = new TextEncoder();

const QUOTE = 0x22;
const ZERO = 0x30;
/** Distinct timestamps remembered per writer (a range answer has at most 11,000 steps). */
const MAX_STAMPS = 16_384;

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6];

/**
 * The fewest decimals (1 to 6) that write a non-integer `v` exactly, or 0 when it needs more (or
 * is too large for 31-bit arithmetic). With m = round(v·10^k) and m / 10^k === v, the decimal
 * m·10^-k reads back as v (IEEE division rounds correctly), no shorter one does (a smaller k was
 * tried first), and no other k-decimal one does (at these magnitudes 10^-k is many ulps of v): so
 * its digits are the shortest round-trip digits that JS and Go print.
 */
export function decimals(v: number): number {
  const a = v < 0 ? -v : v;
  if (a === 0) return 0;
  for (let k = 1; k <= 6; k++) {
    const pow = POW10[k]!;
    const x = a * pow;
    if (!(x < 2 ** 31)) return 0;
    if (Math.round(x) / pow === a) return k;
  }
  return 0;
}

/**
 * A faster writer of a series' points (the WASM one, core/api/points-wasm.ts), installed with
 * `installPointsKernel` by whoever loads WASM; without one, JsonBytes writes them in JS. Both
 * write the same bytes.
 */
export interface PointsKernel {
  /**
   * Copies a series' columns in for the `render` calls that follow; nothing to do when these very
   * arrays are the ones it holds.
   */
  load(t: Float64Array, v: Float64Array): void;
  /**
   * Writes points from `from` on (a comma before each but the series' first) until about
   * `maxBytes` are written or a point is left to JS (`stoppedForJs`); returns the index of the
   * first point not written, and the bytes (a view valid until the next call).
   */
  render(from: number, maxBytes: number): { next: number; bytes: Uint8Array };
  readonly stoppedForJs: boolean;
}

let pointsKernel: PointsKernel | undefined;

/** Process- or isolate-wide; `undefined` uninstalls. */
export function installPointsKernel(kernel: PointsKernel | undefined): void {
  pointsKernel = kernel;
}

export class JsonBytes {
  #buf: Uint8Array;
  #at = 0;

  constructor(capacity = 16 * 1024) {
    this.#buf = new Uint8Array(capacity);
  }

  /** Bytes written since the last take. */
  get length(): number {
    return this.#at;
  }

  #room(n: number): void {
    if (this.#at + n <= this.#buf.length) return;
    const grown = new Uint8Array(Math.max(this.#buf.length * 2, this.#at + n));
    grown.set(this.#buf.subarray(0, this.#at));
    this.#buf = grown;
  }

  /** Any text (UTF-8). */
  text(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    this.#room(3 * s.length);
    this.#at += encoder.encodeInto(s, this.#buf.subarray(this.#at)).written;
  }

  /** Text known to be ASCII (punctuation, numbers' digits, `Inf`, `NaN`): no encoder call. */
  ascii(s: string): void {
    this.#room(s.length);
    const buf = this.#buf;
    let at = this.#at;
    for (let i = 0; i < s.length; i++) buf[at++] = s.charCodeAt(i);
    this.#at = at;
  }

  /** A safe integer's decimal digits at `at`; returns the end. */
  static #integer(buf: Uint8Array, at: number, n: number): number {
    let x = n;
    if (x < 0) {
      buf[at++] = 0x2d;
      x = -x;
    }
    let end = at;
    if (x < 2 ** 31) {
      for (let y = x; y >= 10; y = (y / 10) | 0) end++;
      for (let i = end; ; i--) {
        const q = (x / 10) | 0;
        buf[i] = ZERO + x - q * 10;
        if ((x = q) === 0) break;
      }
    } else {
      for (let y = x; y >= 10; y = Math.floor(y / 10)) end++;
      for (let i = end; ; i--) {
        const q = Math.floor(x / 10);
        buf[i] = ZERO + x - q * 10;
        if ((x = q) === 0) break;
      }
    }
    return end + 1;
  }

  /** `v` (|v| < 2^31 / 10^scale, `decimals(v) === scale`) in fixed notation at `at`. */
  static #fixed(buf: Uint8Array, at: number, v: number, scale: number): number {
    const pow = POW10[scale]!;
    const m = Math.round((v < 0 ? -v : v) * pow);
    const whole = Math.floor(m / pow);
    if (v < 0) buf[at++] = 0x2d;
    at = JsonBytes.#integer(buf, at, whole);
    buf[at++] = 0x2e;
    let frac = m - whole * pow;
    for (let i = at + scale - 1; i >= at; i--) {
      const q = (frac / 10) | 0;
      buf[i] = ZERO + frac - q * 10;
      frac = q;
    }
    return at + scale;
  }

  /** Timestamps already rendered: every series of a range answer shares the step grid. */
  readonly #stamps = new Map<number, Uint8Array>();

  #stamp(ms: number): Uint8Array {
    let text: Uint8Array;
    if (!Number.isSafeInteger(ms)) text = encoder.encode(formatTimestamp(ms));
    else {
      const buf = new Uint8Array(24);
      const secs = ms < 0 ? -Math.floor(-ms / 1000) : Math.floor(ms / 1000);
      const frac = ms < 0 ? -ms - Math.floor(-ms / 1000) * 1000 : ms - secs * 1000;
      let at = 0;
      if (ms < 0) buf[at++] = 0x2d;
      at = JsonBytes.#integer(buf, at, secs < 0 ? -secs : secs);
      if (frac !== 0) {
        buf[at] = 0x2e;
        buf[at + 1] = ZERO + Math.floor(frac / 100);
        buf[at + 2] = ZERO + (Math.floor(frac / 10) % 10);
        buf[at + 3] = ZERO + (frac % 10);
        at += 4;
      }
      text = buf.slice(0, at);
    }
    if (this.#stamps.size < MAX_STAMPS) this.#stamps.set(ms, text);
    return text;
  }

  /** `[<timestamp>,"<value>"]`: a sample as Prometheus writes it, its value Go's FormatFloat(v, 'f', -1, 64). */
  point(t: number, v: number): void {
    const stamp = this.#stamps.get(t) ?? this.#stamp(t);
    // Integers (counters, most gauges) are written digit by digit, values with a few decimals
    // (most other gauges) from their scaled integer; only the rest take a string. 0 is not an
    // integer here: Go writes -0 as "-0".
    const int = Number.isSafeInteger(v) && v !== 0;
    const scale = int ? 0 : decimals(v);
    const text = int || scale > 0 ? undefined : formatValue(v);
    this.#room(stamp.length + (text === undefined ? 24 : text.length) + 5);
    const buf = this.#buf;
    let at = this.#at;
    buf[at++] = 0x5b;
    for (let i = 0; i < stamp.length; i++) buf[at++] = stamp[i]!;
    buf[at++] = 0x2c;
    buf[at++] = QUOTE;
    if (int) at = JsonBytes.#integer(buf, at, v);
    else if (text === undefined) at = JsonBytes.#fixed(buf, at, v, scale);
    else for (let i = 0; i < text.length; i++) buf[at++] = text.charCodeAt(i);
    buf[at++] = QUOTE;
    buf[at++] = 0x5d;
    this.#at = at;
  }

  /** Bytes as they are. */
  bytes(b: Uint8Array): void {
    this.#room(b.length);
    this.#buf.set(b, this.#at);
    this.#at += b.length;
  }

  /**
   * The points of a series, comma-separated (through the installed kernel when there is one),
   * calling `flush` whenever `chunkBytes` are written so the caller can take them.
   */
  *points(t: Float64Array, v: Float64Array, chunkBytes: number): Generator<void> {
    const kernel = pointsKernel;
    if (kernel === undefined || t.length < 4) {
      for (let i = 0; i < t.length; i++) {
        if (i > 0) this.ascii(',');
        this.point(t[i]!, v[i]!);
        if (this.#at >= chunkBytes) yield;
      }
      return;
    }
    kernel.load(t, v);
    for (let i = 0; i < t.length;) {
      const { next, bytes } = kernel.render(i, Math.max(64, chunkBytes - this.#at));
      this.bytes(bytes);
      i = next;
      if (i < t.length && kernel.stoppedForJs) {
        if (i > 0) this.ascii(',');
        this.point(t[i]!, v[i]!);
        i++;
      }
      if (this.#at >= chunkBytes) {
        yield;
        // The kernel is the isolate's one instance: another answer streamed meanwhile may have
        // loaded its own series into it. Rendering on from that one wrote its points here, and
        // from an index past its end, nothing, forever (a hang under concurrent queries). A
        // kernel that still holds this series keeps it.
        if (i < t.length) kernel.load(t, v);
      }
    }
  }

  /** The bytes written so far (a copy); the writer starts again empty. */
  take(): Uint8Array {
    const out = this.#buf.slice(0, this.#at);
    this.#at = 0;
    return out;
  }
}
