/**
 * @module ui/editor — the PromQL expression editor: CodeMirror 6 with codemirror-promql's
 * highlighting, linting and autocompletion, the latter fed by this querier's label, series and
 * metadata APIs. Enter runs the query, Shift+Enter adds a line.
 */
import { autocompletion, closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import {
  defaultKeymap,
  history,
  historyKeymap,
  insertNewlineAndIndent,
} from '@codemirror/commands';
import { bracketMatching, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintKeymap } from '@codemirror/lint';
import { EditorState, Prec } from '@codemirror/state';
import { EditorView, highlightSpecialChars, keymap, placeholder } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { PromQLExtension } from '@prometheus-io/codemirror-promql';

const promqlHighlight = HighlightStyle.define([
  { tag: tags.number, color: '#09885a' },
  { tag: tags.string, color: '#a31515' },
  { tag: tags.keyword, color: '#008080', fontWeight: 'bold' },
  { tag: tags.function(tags.variableName), color: '#008080' },
  { tag: tags.labelName, color: '#800000' },
  { tag: tags.operator, color: '#af00db' },
  { tag: tags.modifier, color: '#af00db' },
  { tag: tags.comment, color: '#888', fontStyle: 'italic' },
  { tag: tags.invalid, color: 'red' },
]);

const theme = EditorView.theme({
  '&': {
    fontSize: '14px',
    background: '#fff',
    border: '1px solid #ced4da',
    borderRadius: '4px 0 0 4px',
  },
  '&.cm-focused': {
    outline: 'none',
    borderColor: '#80bdff',
    boxShadow: '0 0 0 2px rgba(0,123,255,.2)',
  },
  '.cm-content': {
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
    padding: '7px 4px',
  },
  '.cm-scroller': { overflow: 'auto' },
  '.cm-tooltip': {
    border: '1px solid #ced4da',
    borderRadius: '4px',
    background: '#fff',
    boxShadow: '0 3px 10px rgba(0,0,0,.12)',
  },
  '.cm-tooltip-autocomplete ul li': { padding: '2px 8px 2px 4px !important' },
  '.cm-tooltip.cm-tooltip-autocomplete > ul': {
    fontFamily: 'ui-monospace, Menlo, Consolas, monospace',
    maxHeight: '16em',
  },
  '.cm-completionDetail': { color: '#6c757d', fontStyle: 'normal', marginLeft: '1em' },
  '.cm-completionInfo': { maxWidth: '30em', padding: '6px 8px' },
});

/** One completion source for all editors: its client caches labels and metric names. */
const promql = new PromQLExtension().setComplete({
  remote: { url: '', httpMethod: 'GET', cache: { maxAge: 60_000 } },
});

export interface ExprEditor {
  readonly view: EditorView;
  value(): string;
  set(v: string): void;
}

export function createEditor(
  parent: HTMLElement,
  initial: string,
  onRun: () => void,
  onChange: (v: string) => void,
): ExprEditor {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: initial,
      extensions: [
        history(),
        highlightSpecialChars(),
        bracketMatching(),
        closeBrackets(),
        autocompletion({ activateOnTyping: true }),
        syntaxHighlighting(promqlHighlight),
        placeholder('Expression (press Shift+Enter for newlines)'),
        EditorView.lineWrapping,
        theme,
        promql.asExtension(),
        // Below the completion keymap (added by autocompletion() at the same precedence, earlier),
        // so Enter picks a suggestion when the list is open and runs the query otherwise.
        Prec.highest(
          keymap.of([
            { key: 'Enter', run: () => (onRun(), true) },
            { key: 'Shift-Enter', run: insertNewlineAndIndent },
          ]),
        ),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...lintKeymap]),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    view,
    value: () => view.state.doc.toString(),
    set: (v) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: v } }),
  };
}
