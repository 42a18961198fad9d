/**
 * @module core/rule/template/parse — builds the parse tree of a Go text/template from lex items,
 * checking what text/template checks at parse time: balanced if/range/with/define…end, known
 * functions, declared variables, non-empty commands.
 */
import { goUnquote } from '../../gocompat/unquote.ts';
import type { Arg, Command, Node, Pipe, Tree } from './ast.ts';
import { lexTemplate, type Item, type Tok } from './lex.ts';
import { TemplateParseError } from './parse-error.ts';
import { GoInt } from './value.ts';

const KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
]);

type End = { kind: 'end' } | { kind: 'else'; rest: Tok[]; line: number } | { kind: 'eof' };

class Parser {
  #items: Item[];
  #pos = 0;
  #vars: string[] = ['$'];
  readonly defines = new Map<string, readonly Node[]>();
  #rangeDepth = 0;

  constructor(
    readonly name: string,
    src: string,
    readonly funcs: ReadonlySet<string>,
  ) {
    this.#items = lexTemplate(src, name);
  }

  err(line: number, msg: string): never {
    throw new TemplateParseError(this.name, line, msg);
  }

  /** strconv.Unquote of a string constant; its error ("invalid syntax") as a parse error. */
  unquote(raw: string, line: number): string {
    try {
      return goUnquote(raw);
    } catch (err) {
      return this.err(line, err instanceof Error ? err.message : String(err));
    }
  }

  /** Parses nodes until {{end}}, {{else}} or EOF. */
  list(): { nodes: Node[]; end: End; line: number } {
    const nodes: Node[] = [];
    while (this.#pos < this.#items.length) {
      const it = this.#items[this.#pos++]!;
      if (it.t === 'text') {
        nodes.push({ k: 'text', text: it.text });
        continue;
      }
      const toks = it.items.filter((t, i) => !(t.t === 'space' && i === 0));
      const first = toks[0];
      const kw = first?.t === 'ident' && KEYWORDS.has(first.name) ? first.name : undefined;
      const rest = toks.slice(1);
      switch (kw) {
        case 'end':
          return { nodes, end: { kind: 'end' }, line: it.line };
        case 'else':
          return {
            nodes,
            end: { kind: 'else', rest: trimSpace(rest), line: it.line },
            line: it.line,
          };
        case 'if':
        case 'with':
        case 'range':
          nodes.push(this.control(kw, rest, it.line));
          break;
        case 'define': {
          const nameTok = trimSpace(rest)[0];
          if (nameTok?.t !== 'string') this.err(it.line, 'unexpected token in define clause');
          const saved = this.#vars;
          this.#vars = ['$'];
          const body = this.list();
          this.#vars = saved;
          if (body.end.kind !== 'end') this.err(it.line, 'unexpected EOF');
          this.defines.set(this.unquote(nameTok.raw, it.line), body.nodes);
          break;
        }
        case 'template': {
          const r = trimSpace(rest);
          const nameTok = r[0];
          if (nameTok?.t !== 'string') this.err(it.line, 'unexpected token in template clause');
          const more = trimSpace(r.slice(1));
          nodes.push({
            k: 'template',
            line: it.line,
            name: this.unquote(nameTok.raw, it.line),
            pipe: more.length > 0 ? this.pipe(more, it.line, false) : undefined,
          });
          break;
        }
        case 'break':
        case 'continue':
          if (this.#rangeDepth === 0) this.err(it.line, `{{${kw}}} outside {{range}}`);
          nodes.push({ k: kw, line: it.line });
          break;
        case 'block':
          this.err(it.line, 'block is not supported');
          break;
        default:
          nodes.push({ k: 'action', pipe: this.pipe(toks, it.line, true) });
      }
    }
    return { nodes, end: { kind: 'eof' }, line: 0 };
  }

  control(kw: 'if' | 'with' | 'range', toks: Tok[], line: number): Node {
    const saved = this.#vars.length;
    if (trimSpace(toks).length === 0) this.err(line, `missing value for ${kw}`);
    const pipe = this.pipe(trimSpace(toks), line, kw === 'range' ? 'range' : true);
    if (kw === 'range') this.#rangeDepth++;
    const body = this.list();
    if (kw === 'range') this.#rangeDepth--;
    let elseList: Node[] | undefined;
    if (body.end.kind === 'eof') this.err(line, 'unexpected EOF');
    if (body.end.kind === 'else') {
      const r = body.end.rest;
      if (r[0]?.t === 'ident' && (r[0].name === 'if' || r[0].name === 'with') && kw === r[0].name) {
        // {{else if …}}: an if nested in the else branch, closed by the same {{end}}.
        this.#vars.length = saved;
        elseList = [this.control(kw, r.slice(1), body.end.line)];
      } else {
        if (r.length > 0) this.err(body.end.line, 'unexpected token in else');
        this.#vars.length = saved;
        const e = this.list();
        if (e.end.kind !== 'end')
          this.err(line, e.end.kind === 'eof' ? 'unexpected EOF' : 'expected end; found {{else}}');
        elseList = e.nodes;
      }
    }
    this.#vars.length = saved;
    return { k: kw, pipe, list: body.nodes, elseList };
  }

  pipe(toksIn: Tok[], line: number, ctx: boolean | 'range'): Pipe {
    let toks = trimSpace(toksIn);
    const decl: string[] = [];
    let assign = false;
    // `$x :=`, `$x =`, and in range `$i, $x :=`.
    const nonSpace = toks.filter((t) => t.t !== 'space');
    const v0 = nonSpace[0];
    if (v0?.t === 'var') {
      const n1 = nonSpace[1];
      if (n1?.t === 'declare' || n1?.t === 'assign') {
        decl.push(v0.name);
        assign = n1.t === 'assign';
        toks = trimSpace(toks.slice(toks.indexOf(n1) + 1));
      } else if (n1?.t === 'comma' && ctx === 'range') {
        const v1 = nonSpace[2];
        const d = nonSpace[3];
        if (v1?.t !== 'var' || (d?.t !== 'declare' && d?.t !== 'assign'))
          this.err(line, 'range can only initialize variables');
        decl.push(v0.name, v1.name);
        assign = d.t === 'assign';
        toks = trimSpace(toks.slice(toks.indexOf(d) + 1));
      }
    }
    if (assign)
      for (const d of decl)
        if (!this.#vars.includes(d)) this.err(line, `undefined variable "${d}"`);
    const cmds: Command[] = [];
    let cur: Tok[] = [];
    let depth = 0;
    for (const t of toks) {
      if (t.t === 'lparen') depth++;
      if (t.t === 'rparen') depth--;
      if (t.t === 'pipe' && depth === 0) {
        cmds.push(this.command(cur, line));
        cur = [];
      } else cur.push(t);
    }
    if (depth !== 0) this.err(line, depth > 0 ? 'unclosed left paren' : 'unexpected right paren');
    cmds.push(this.command(cur, line));
    if (!assign) for (const d of decl) this.#vars.push(d);
    return { line, decl, assign, cmds };
  }

  command(toksIn: Tok[], line: number): Command {
    const toks = trimSpace(toksIn);
    if (toks.length === 0) this.err(line, 'missing value for command');
    const args: Arg[] = [];
    let i = 0;
    while (i < toks.length) {
      const t = toks[i]!;
      if (t.t === 'space') {
        i++;
        continue;
      }
      let arg: Arg;
      i++;
      switch (t.t) {
        case 'dot':
          arg = { k: 'dot' };
          break;
        case 'field': {
          const names = [t.name];
          while (toks[i]?.t === 'field') names.push((toks[i++] as { name: string }).name);
          arg = { k: 'field', names, pos: t.pos };
          break;
        }
        case 'var': {
          if (!this.#vars.includes(t.name)) this.err(line, `undefined variable "${t.name}"`);
          const fields = fieldChain(toks, i);
          i += fields.length;
          arg = { k: 'var', name: t.name, fields, pos: t.pos };
          break;
        }
        case 'string':
          arg = { k: 'const', v: this.unquote(t.raw, line), text: t.raw };
          break;
        case 'char':
          arg = {
            k: 'const',
            v: new GoInt(this.unquote(`"${t.raw.slice(1, -1)}"`, line).codePointAt(0) ?? 0),
            text: t.raw,
          };
          break;
        case 'number':
          arg = {
            k: 'const',
            v: parseNumber(t.raw, () => this.err(line, `illegal number syntax: "${t.raw}"`)),
            text: t.raw,
          };
          break;
        case 'ident':
          if (t.name === 'true' || t.name === 'false')
            arg = { k: 'const', v: t.name === 'true', text: t.name };
          else if (t.name === 'nil') arg = { k: 'nil' };
          else {
            if (KEYWORDS.has(t.name)) this.err(line, `unexpected <${t.name}> in command`);
            if (!this.funcs.has(t.name)) this.err(line, `function "${t.name}" not defined`);
            arg = { k: 'ident', name: t.name, pos: t.pos };
          }
          break;
        case 'lparen': {
          let depth = 1;
          const start = i;
          while (i < toks.length && depth > 0) {
            if (toks[i]!.t === 'lparen') depth++;
            if (toks[i]!.t === 'rparen') depth--;
            i++;
          }
          const inner = toks.slice(start, i - 1);
          const saved = this.#vars.length;
          const pipe = this.pipe(inner, line, false);
          this.#vars.length = saved;
          arg = {
            k: 'pipe',
            pipe,
            fields: fieldChain(toks, i),
          };
          i += arg.fields.length;
          break;
        }
        default:
          this.err(line, `unexpected ${describe(t)} in operand`);
      }
      args.push(arg);
    }
    return { args };
  }
}

/** The `.A.B` field names that directly follow position `i` (a chain on a variable or a pipe). */
function fieldChain(toks: readonly Tok[], i: number): string[] {
  const out: string[] = [];
  for (let t = toks[i]; t?.t === 'field'; t = toks[++i]) out.push(t.name);
  return out;
}

function describe(t: Tok): string {
  switch (t.t) {
    case 'rparen':
      return '")"';
    case 'comma':
      return '","';
    case 'declare':
      return '":="';
    case 'assign':
      return '"="';
    case 'pipe':
      return '"|"';
    default:
      return `<${t.t}>`;
  }
}

function trimSpace(toks: Tok[]): Tok[] {
  let a = 0;
  let b = toks.length;
  while (a < b && toks[a]!.t === 'space') a++;
  while (b > a && toks[b - 1]!.t === 'space') b--;
  return toks.slice(a, b);
}

/** A number constant: int unless it has a fraction or exponent (text/template's idealConstant). */
function parseNumber(raw: string, fail: () => never): GoInt | number {
  const s = raw.replaceAll('_', '');
  if (/^[+-]?0[xXbBoO]/.test(s)) {
    const neg = s.startsWith('-');
    const v = Number(s.replace(/^[+-]/, ''));
    if (Number.isNaN(v)) fail();
    return new GoInt(neg ? -v : v);
  }
  const v = Number(s);
  if (Number.isNaN(v)) fail();
  return /[.eE]/.test(s) ? v : new GoInt(v);
}

/** Parses template `src` named `name`; `funcs` are the names callable in it. */
export function parseTemplate(name: string, src: string, funcs: ReadonlySet<string>): Tree {
  const p = new Parser(name, src, funcs);
  const r = p.list();
  if (r.end.kind === 'end') p.err(r.line, 'unexpected {{end}}');
  if (r.end.kind === 'else') p.err(r.line, 'unexpected {{else}}');
  return { name, text: src, root: r.nodes, defines: p.defines };
}
