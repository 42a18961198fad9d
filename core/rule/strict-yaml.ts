/**
 * @module core/rule/strict-yaml — reads YAML into typed fields the way Go's strict unmarshal does
 * (yaml.v3 `KnownFields(true)` in rulefmt, yaml.v2 `UnmarshalStrict` in promtool's unit tests):
 * unknown fields and wrongly typed values are collected as `line N: …` errors under
 * `yaml: unmarshal errors:`, and every node knows its 1-based line and column.
 *
 * Documents are read with the failsafe schema so every scalar keeps its source text (yaml.v3
 * hands a string field the raw scalar, e.g. `severity: 1` → "1"); fields convert it themselves.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
} from 'yaml';
import { BadDataError } from '../errors.ts';

/** A position in the source; 0:0 for a node that is absent (Go's zero yaml.Node). */
export interface Pos {
  readonly line: number;
  readonly col: number;
}

export const NO_POS: Pos = { line: 0, col: 0 };

/** A YAML document that failed to parse (syntax), with yaml's message. */
export class YamlSyntaxError extends BadDataError {}

export class StrictReader {
  /** Type errors, collected as Go collects them (decoding goes on); with source offsets. */
  readonly errors: { at: number; msg: string }[] = [];
  /** Errors a field's own decoder returns (durations): Go stops at the first in the document. */
  readonly fatals: { at: number; msg: string }[] = [];
  readonly #lc: LineCounter;
  readonly #doc: Document.Parsed;

  constructor(lc: LineCounter, doc: Document.Parsed) {
    this.#lc = lc;
    this.#doc = doc;
  }

  /** The node an alias (`*name`) stands for; any other node itself. */
  deref<T extends Node | null | undefined>(n: T): T {
    return (isAlias(n) ? ((n.resolve(this.#doc) as Node | undefined) ?? null) : n) as T;
  }

  pos(n: Node | null | undefined): Pos {
    if (!n?.range) return NO_POS;
    const p = this.#lc.linePos(n.range[0]);
    return { line: p.line, col: p.col };
  }

  fail(n: Node | null | undefined, msg: string): void {
    this.errors.push({ at: n?.range?.[0] ?? 0, msg: `line ${this.pos(n).line}: ${msg}` });
  }

  /** An error that ends decoding where it occurs (an Unmarshaler's own error in Go). */
  fatal(n: Node | null | undefined, msg: string): void {
    this.fatals.push({ at: n?.range?.[0] ?? 0, msg });
  }

  /** The decode error Go returns: the first fatal one in the document, else the collected ones. */
  decodeError(): string | undefined {
    if (this.fatals.length > 0) return [...this.fatals].sort((a, b) => a.at - b.at)[0]!.msg;
    return this.unmarshalError();
  }

  /** The fields of a mapping node (null for an empty/null node); unknown keys are errors. */
  fields(n0: unknown, typeName: string, known: readonly string[]): Map<string, Node | null> {
    const n = this.deref(n0 as Node | null | undefined);
    const out = new Map<string, Node | null>();
    if (n === null || n === undefined || (isScalar(n) && (n.value === '' || n.value === null)))
      return out;
    if (!isMap(n)) {
      this.fail(n as Node, `cannot unmarshal ${tagOf(n as Node)} into ${typeName}`);
      return out;
    }
    for (const pair of n.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!known.includes(key)) {
        this.fail(pair.key as Node, `field ${key} not found in type ${typeName}`);
        continue;
      }
      out.set(key, (pair.value as Node | null) ?? null);
    }
    return out;
  }

  /** A scalar's text ('' for null/absent); a non-scalar is an error. */
  string(n0: Node | null | undefined, target = 'string'): string {
    const n = this.deref(n0);
    if (n === null || n === undefined) return '';
    if (isScalar(n)) return n.value === null ? '' : String(n.value);
    this.fail(n, `cannot unmarshal ${tagOf(n)} into ${target}`);
    return '';
  }

  /** A sequence's items (empty for null/absent). */
  seq(n0: Node | null | undefined, target: string): readonly (Node | null)[] {
    const n = this.deref(n0);
    if (n === null || n === undefined || (isScalar(n) && (n.value === '' || n.value === null)))
      return [];
    if (isSeq(n)) return n.items as (Node | null)[];
    this.fail(n, `cannot unmarshal ${tagOf(n)} into ${target}`);
    return [];
  }

  /** A `map[string]string`, keys in source order. */
  stringMap(n0: Node | null | undefined): Map<string, string> {
    const n = this.deref(n0);
    const out = new Map<string, string>();
    if (n === null || n === undefined || (isScalar(n) && (n.value === '' || n.value === null)))
      return out;
    if (!isMap(n)) {
      this.fail(n, `cannot unmarshal ${tagOf(n)} into map[string]string`);
      return out;
    }
    for (const pair of n.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : '';
      out.set(k, this.string(pair.value as Node | null, 'string'));
    }
    return out;
  }

  /** The error text Go prints, or undefined when there were none. */
  unmarshalError(): string | undefined {
    if (this.errors.length === 0) return undefined;
    const lines = [...this.errors].sort((a, b) => a.at - b.at).map((e) => e.msg);
    return `yaml: unmarshal errors:\n  ${lines.join('\n  ')}`;
  }
}

const YAML_INT = /^[-+]?(?:0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|0o?[0-7_]+|0b[01_]+)$/;
const YAML_FLOAT =
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$/;

/** The tag Go's YAML decoders resolve a plain scalar to, for their error texts. */
export function resolvedTag(n: Node): string {
  if (!isScalar(n) || n.type !== 'PLAIN') return '!!str';
  const v = String(n.value);
  if (v === '' || v === '~' || v === 'null') return '!!null';
  if (v === 'true' || v === 'false') return '!!bool';
  if (YAML_INT.test(v)) return '!!int';
  if (YAML_FLOAT.test(v)) return '!!float';
  return '!!str';
}

function tagOf(n: Node): string {
  if (isMap(n)) return '!!map';
  if (isSeq(n)) return '!!seq';
  return `${resolvedTag(n)} \`${isScalar(n) ? String(n.value) : ''}\``;
}

/** Go's yaml.v2 float64 field: a plain int or float scalar (YAML 1.1 spellings of inf and nan). */
export function yamlFloat(r: StrictReader, n0: Node | null | undefined): number {
  const n = r.deref(n0);
  if (n === null || n === undefined) return 0;
  const tag = resolvedTag(n);
  const v = isScalar(n) ? String(n.value) : '';
  if (tag === '!!null') return 0;
  if (tag !== '!!int' && tag !== '!!float') {
    r.fail(n, `cannot unmarshal ${tagOf(n)} into float64`);
    return 0;
  }
  const l = v.toLowerCase();
  if (l.endsWith('.inf')) return l.startsWith('-') ? -Infinity : Infinity;
  if (l === '.nan') return NaN;
  return Number(v.replaceAll('_', ''));
}

/** Parses `text` (failsafe schema); throws YamlSyntaxError with `yaml: line N: …`. */
export function readYaml(text: string): { root: Node | null; reader: StrictReader } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { schema: 'failsafe', lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = lc.linePos(e.pos[0]).line;
    throw new YamlSyntaxError(`yaml: line ${line}: ${e.message.split('\n')[0]}`);
  }
  return { root: (doc.contents as Node | null) ?? null, reader: new StrictReader(lc, doc) };
}
