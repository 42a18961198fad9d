/**
 * @module core/rule/template/ast — the parse tree of a Go text/template (text/template/parse's
 * node kinds, the subset alert templates use). `line` is 1-based, for error messages.
 */
import type { TValue } from './value.ts';

/** One operand of a command; `fields` is a `.A.B` chain applied after the term. */
export type Arg =
  | { readonly k: 'dot' }
  | { readonly k: 'field'; readonly names: readonly string[]; readonly pos: number }
  | {
      readonly k: 'var';
      readonly name: string;
      readonly fields: readonly string[];
      readonly pos: number;
    }
  | { readonly k: 'const'; readonly v: TValue; readonly text: string }
  | { readonly k: 'nil' }
  | { readonly k: 'ident'; readonly name: string; readonly pos: number }
  | { readonly k: 'pipe'; readonly pipe: Pipe; readonly fields: readonly string[] };

export interface Command {
  readonly args: readonly Arg[];
}

export interface Pipe {
  readonly line: number;
  /** Variables declared (`:=`) or assigned (`=`), e.g. `$i, $x := …` in range. */
  readonly decl: readonly string[];
  readonly assign: boolean;
  readonly cmds: readonly Command[];
}

export type Node =
  | { readonly k: 'text'; readonly text: string }
  | { readonly k: 'action'; readonly pipe: Pipe }
  | ControlNode
  | {
      readonly k: 'template';
      readonly line: number;
      readonly name: string;
      readonly pipe: Pipe | undefined;
    }
  | { readonly k: 'break' | 'continue'; readonly line: number };

/** A parsed template: its main list and the `{{define}}`d ones by name. */
export interface Tree {
  readonly name: string;
  /** The template's source (error positions are offsets in it). */
  readonly text: string;
  readonly root: readonly Node[];
  readonly defines: ReadonlyMap<string, readonly Node[]>;
}

/** if, with and range: a pipeline, the list run when it holds, and the optional else list. */
export interface ControlNode {
  readonly k: 'if' | 'with' | 'range';
  readonly pipe: Pipe;
  readonly list: readonly Node[];
  readonly elseList: readonly Node[] | undefined;
}
