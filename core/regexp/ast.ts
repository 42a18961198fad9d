/**
 * @module core/regexp/ast — the RE2 parse tree and Go's regexp/syntax error type, shared by
 * the parser, the limit checks, the JS translator and the NFA.
 */
import { BadDataError } from '../errors.ts';
import type { CharClass } from './charclass.ts';

export type Re2Node =
  | { readonly op: 'literal'; readonly cp: number; readonly fold: boolean }
  | { readonly op: 'class'; readonly cls: CharClass }
  | { readonly op: 'any'; readonly nl: boolean }
  | {
      readonly op:
        'beginLine' | 'endLine' | 'beginText' | 'endText' | 'wordBoundary' | 'noWordBoundary';
    }
  | { readonly op: 'empty' }
  | { readonly op: 'concat'; readonly subs: readonly Re2Node[] }
  | { readonly op: 'alternate'; readonly subs: readonly Re2Node[] }
  | { readonly op: 'capture'; readonly sub: Re2Node; readonly name: string | undefined }
  | {
      readonly op: 'repeat';
      readonly sub: Re2Node;
      readonly min: number;
      /** -1 for unbounded. */
      readonly max: number;
      readonly greedy: boolean;
      /** Written as `{n,m}` (Go's OpRepeat) rather than `*`, `+`, `?`. */
      readonly counted: boolean;
    };

/** Go's regexp/syntax ErrorCode texts. */
export const ErrorCode = {
  invalidCharClass: 'invalid character class',
  invalidCharRange: 'invalid character class range',
  invalidEscape: 'invalid escape sequence',
  invalidNamedCapture: 'invalid named capture',
  invalidPerlOp: 'invalid or unsupported Perl syntax',
  invalidRepeatOp: 'invalid nested repetition operator',
  invalidRepeatSize: 'invalid repeat count',
  invalidUTF8: 'invalid UTF-8',
  missingBracket: 'missing closing ]',
  missingParen: 'missing closing )',
  missingRepeatArgument: 'missing argument to repetition operator',
  trailingBackslash: 'trailing backslash at end of expression',
  unexpectedParen: 'unexpected )',
  nestingDepth: 'expression nests too deeply',
  /** What Go 1.19 (with its CVE-2022-41715 backport) says for a regexp over its size limits. */
  internalError: 'regexp/syntax: internal error',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A regexp Go would refuse to compile; `message` is Go's `*syntax.Error` text. */
export class Re2SyntaxError extends BadDataError {
  readonly code: ErrorCode;
  readonly expr: string;
  constructor(code: ErrorCode, expr: string) {
    super(`error parsing regexp: ${code}: \`${expr}\``);
    this.code = code;
    this.expr = expr;
  }
}

export function children(re: Re2Node): readonly Re2Node[] {
  switch (re.op) {
    case 'concat':
    case 'alternate':
      return re.subs;
    case 'capture':
    case 'repeat':
      return [re.sub];
    default:
      return [];
  }
}
