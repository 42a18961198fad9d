/**
 * @module core/promql/parser/errors — parse errors as Prometheus reports them
 * (`<line>:<col>: parse error: <message>`, column in bytes), and the ordering rule that picks the
 * one error Prometheus would report first when several are found.
 */
import { BadDataError } from '../../errors.ts';

const ENC = new TextEncoder();

/** Maps UTF-16 indices (lezer, JS strings) to UTF-8 byte offsets (Prometheus positions). */
export class ByteOffsets {
  readonly #prefix: Uint32Array | undefined;
  readonly bytes: Uint8Array;

  constructor(readonly text: string) {
    this.bytes = ENC.encode(text);
    if (this.bytes.length === text.length) {
      this.#prefix = undefined; // ASCII: identity
      return;
    }
    const prefix = new Uint32Array(text.length + 1);
    let b = 0;
    for (let i = 0; i < text.length; i++) {
      prefix[i] = b;
      const c = text.charCodeAt(i);
      if (c < 0x80) b += 1;
      else if (c < 0x800) b += 2;
      else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d < 0xe000) {
          prefix[i + 1] = b; // a position inside a pair maps to the pair's start
          b += 4;
          i++;
          continue;
        }
        b += 3;
      } else b += 3;
    }
    prefix[text.length] = b;
    this.#prefix = prefix;
  }

  toByte(i: number): number {
    return this.#prefix ? this.#prefix[i]! : i;
  }
}

/** Prometheus ParseErr.Error(): `line:col:` from a byte position, then `parse error: msg`. */
export function formatParseError(bytes: Uint8Array, pos: number, message: string): string {
  if (pos < 0 || pos > bytes.length) return `invalid position: parse error: ${message}`;
  let line = 1;
  let lastLineBreak = -1;
  for (let i = 0; i < pos; i++) {
    if (bytes[i] === 0x0a) {
      lastLineBreak = i;
      line++;
    }
  }
  return `${line}:${pos - lastLineBreak}: parse error: ${message}`;
}

/** A parse error: `start` is a byte offset into the query. */
export class ParseError extends BadDataError {
  constructor(
    readonly query: string,
    readonly start: number,
    readonly detail: string,
    bytes: Uint8Array = ENC.encode(query),
  ) {
    super(formatParseError(bytes, start, detail));
  }
}

/**
 * Where, relative to a token starting at position p, Prometheus's LALR parser emits an error
 * (errors are ordered by emission and the first one is reported):
 *  - a construct it reduces without lookahead (most of them), when its last token was read: end - 0.5;
 *  - a lexical error while reading the token at p: p + 0.1;
 *  - a reduction that needed token p as lookahead (`sum(x)` may be followed by `by`): p + 0.2;
 *  - token p being unexpected: p + 0.3;
 *  - token p's value (number, duration) being invalid, found when it is reduced: p + 0.35.
 */
export const ErrorKey = {
  reduce: (end: number): number => end - 0.5,
  lexer: (p: number): number => p + 0.1,
  lookaheadReduce: (p: number): number => p + 0.2,
  syntax: (p: number): number => p + 0.3,
  value: (p: number): number => p + 0.35,
} as const;

/** Which stage found an error; breaks ties between errors found at the same point of the input. */
export const ErrorStage = { Lexer: 0, Token: 1, Semantic: 2, Syntax: 3 } as const;
export type ErrorStage = (typeof ErrorStage)[keyof typeof ErrorStage];

interface Pending {
  /** UTF-16 index where Prometheus's LALR parser would have emitted it (reductions happen when
   * the next token is read, so a construct's semantic error is keyed by the construct's end). */
  readonly key: number;
  readonly stage: ErrorStage;
  readonly seq: number;
  /** UTF-16 index reported in the message. */
  readonly start: number;
  readonly message: string;
}

/** Collects errors from lexer, token scan, AST building and lezer; reports the one Prometheus would. */
export class ErrorCollector {
  readonly #errors: Pending[] = [];

  add(stage: ErrorStage, key: number, start: number, message: string): void {
    this.#errors.push({ key, stage, seq: this.#errors.length, start, message });
  }

  get size(): number {
    return this.#errors.length;
  }

  first(): { start: number; message: string } | undefined {
    let best: Pending | undefined;
    for (const e of this.#errors) {
      if (
        !best ||
        e.key < best.key ||
        (e.key === best.key &&
          (e.stage < best.stage || (e.stage === best.stage && e.seq < best.seq)))
      )
        best = e;
    }
    return best;
  }
}
