/**
 * @module core/rule/template/exec — executes a parsed template against a data value, as
 * text/template's exec does: pipelines with the previous command's value as the last argument,
 * variables scoped to their block, field and map-key access (missingkey=zero), if/with/range
 * with else, and/or evaluated lazily, and `<no value>` printed for nil.
 */
import type { Arg, Command, ControlNode, Node, Pipe, Tree } from './ast.ts';
import { formatV } from './fmt.ts';
import {
  GoInt,
  GoMap,
  GoSlice,
  GoStruct,
  TemplateExecError,
  TemplateSample,
  truth,
  typeName,
  type TValue,
} from './value.ts';

/** A node as text/template/parse's String() prints it (for error contexts). */
function argString(a: Arg): string {
  switch (a.k) {
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'const':
      return a.text;
    case 'field':
      return `.${a.names.join('.')}`;
    case 'var':
      return [a.name, ...a.fields].join('.');
    case 'ident':
      return a.name;
    case 'pipe':
      return [`(${pipeString(a.pipe)})`, ...a.fields].join('.');
  }
}

function commandString(c: Command): string {
  return c.args.map(argString).join(' ');
}

function pipeString(p: Pipe): string {
  const decl = p.decl.length > 0 ? `${p.decl.join(', ')} ${p.assign ? '=' : ':='} ` : '';
  return decl + p.cmds.map(commandString).join(' | ');
}

/** A template function: gets its evaluated arguments, returns a value or throws. */
export type TemplateFunc = (args: TValue[]) => TValue | Promise<TValue>;

const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');
type Flow = typeof BREAK | typeof CONTINUE | undefined;

class State {
  out = '';
  vars: { name: string; v: TValue }[] = [];
  line = 0;
  constructor(
    readonly tree: Tree,
    readonly funcs: ReadonlyMap<string, TemplateFunc>,
  ) {}

  /** Current node's offset in the template text, for Go's `NAME:LINE:COL` (Tree.ErrorContext). */
  pos = -1;

  /** `at` is the failing node's text (text/template's error context). */
  fail(at: string, msg: string): never {
    const n = this.tree.name;
    let loc = String(this.line);
    if (this.pos >= 0) {
      const before = this.tree.text.slice(0, this.pos);
      const nl = before.lastIndexOf('\n');
      const line = 1 + (before.match(/\n/g)?.length ?? 0);
      // Byte offsets, as Go counts them: from the start of the text on line 1, else of the line.
      const col = new TextEncoder().encode(nl < 0 ? before : before.slice(nl + 1)).length;
      loc = `${line}:${col}`;
    }
    throw new TemplateExecError(`template: ${n}:${loc}: executing "${n}" at <${at}>: ${msg}`);
  }

  lookup(name: string): TValue {
    for (let i = this.vars.length - 1; i >= 0; i--)
      if (this.vars[i]!.name === name) return this.vars[i]!.v;
    return this.fail(name, `undefined variable: ${name}`);
  }
}

function field(s: State, recv: TValue, name: string): TValue {
  if (recv instanceof GoMap) return recv.entries.has(name) ? recv.entries.get(name)! : recv.zero;
  if (recv instanceof GoStruct) {
    if (recv.fields.has(name)) return recv.fields.get(name)!;
    return s.fail(`.${name}`, `can't evaluate field ${name} in type ${recv.typeName}`);
  }
  if (recv instanceof TemplateSample) {
    if (name === 'Labels') return recv.labels;
    if (name === 'Value') return recv.value;
    return s.fail(`.${name}`, `can't evaluate field ${name} in type *template.sample`);
  }
  if (recv === null) return s.fail(`.${name}`, `nil pointer evaluating interface {}.${name}`);
  return s.fail(`.${name}`, `can't evaluate field ${name} in type ${typeName(recv)}`);
}

function fields(s: State, v: TValue, names: readonly string[]): TValue {
  for (const n of names) v = field(s, v, n);
  return v;
}

async function evalArg(s: State, a: Arg, dot: TValue): Promise<TValue> {
  switch (a.k) {
    case 'dot':
      return dot;
    case 'nil':
      return null;
    case 'const':
      return a.v;
    case 'field':
      s.pos = a.pos;
      return fields(s, dot, a.names);
    case 'var':
      s.pos = a.pos;
      return fields(s, s.lookup(a.name), a.fields);
    case 'pipe':
      return fields(s, await evalPipe(s, a.pipe, dot), a.fields);
    case 'ident':
      return call(s, a.name, a.pos, [], dot, undefined);
  }
}

async function call(
  s: State,
  name: string,
  pos: number,
  argNodes: readonly Arg[],
  dot: TValue,
  final: TValue | undefined,
): Promise<TValue> {
  const fn = s.funcs.get(name);
  if (fn === undefined) return s.fail(name, `"${name}" is not a defined function`);
  if (name === 'and' || name === 'or') {
    // Go 1.18+: evaluated left to right, stopping at the first falsy (and) / truthy (or) value.
    const all: (Arg | TValue)[] = [...argNodes];
    if (final !== undefined) all.push(final);
    if (all.length === 0)
      return s.fail(name, `wrong number of args for ${name}: want at least 1 got 0`);
    let v: TValue = null;
    for (let i = 0; i < all.length; i++) {
      const x = all[i]!;
      v = i < argNodes.length ? await evalArg(s, x as Arg, dot) : (x as TValue);
      if (truth(v) === (name === 'or')) return v;
    }
    return v;
  }
  const args: TValue[] = [];
  for (const a of argNodes) args.push(await evalArg(s, a, dot));
  if (final !== undefined) args.push(final);
  try {
    return await fn(args);
  } catch (err) {
    s.pos = pos;
    if (err instanceof TemplateExecError && err.message.startsWith('template: ')) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    return s.fail(
      commandString({ args: [{ k: 'ident', name, pos }, ...argNodes] }),
      `error calling ${name}: ${msg}`,
    );
  }
}

async function evalCommand(
  s: State,
  c: Command,
  dot: TValue,
  final: TValue | undefined,
): Promise<TValue> {
  const first = c.args[0]!;
  if (first.k === 'ident') return call(s, first.name, first.pos, c.args.slice(1), dot, final);
  if (c.args.length > 1 || final !== undefined) {
    const what =
      first.k === 'field'
        ? `.${first.names.join('.')}`
        : first.k === 'var'
          ? first.name
          : formatV(await evalArg(s, first, dot));
    return s.fail(what, `can't give argument to non-function ${what}`);
  }
  return evalArg(s, first, dot);
}

async function evalPipe(s: State, p: Pipe, dot: TValue): Promise<TValue> {
  s.line = p.line;
  let v: TValue | undefined;
  for (const c of p.cmds) v = await evalCommand(s, c, dot, v);
  const value = v ?? null;
  if (p.decl.length === 1 && p.assign) {
    for (let i = s.vars.length - 1; i >= 0; i--)
      if (s.vars[i]!.name === p.decl[0]) {
        s.vars[i]!.v = value;
        break;
      }
  } else if (p.decl.length === 1) s.vars.push({ name: p.decl[0]!, v: value });
  return value;
}

function printValue(v: TValue): string {
  return v === null ? '<no value>' : formatV(v);
}

async function walk(s: State, nodes: readonly Node[], dot: TValue): Promise<Flow> {
  for (const n of nodes) {
    switch (n.k) {
      case 'text':
        s.out += n.text;
        break;
      case 'action': {
        const v = await evalPipe(s, n.pipe, dot);
        if (n.pipe.decl.length === 0) s.out += printValue(v);
        break;
      }
      case 'if':
      case 'with': {
        const mark = s.vars.length;
        const v = await evalPipe(s, n.pipe, dot);
        let flow: Flow;
        if (truth(v)) flow = await walk(s, n.list, n.k === 'with' ? v : dot);
        else if (n.elseList) flow = await walk(s, n.elseList, dot);
        s.vars.length = mark;
        if (flow) return flow;
        break;
      }
      case 'range': {
        const flow = await range(s, n, dot);
        if (flow) return flow;
        break;
      }
      case 'template': {
        const body = s.tree.defines.get(n.name);
        s.line = n.line;
        if (body === undefined) s.fail(`template ${n.name}`, `no such template "${n.name}"`);
        const v = n.pipe ? await evalPipe(s, n.pipe, dot) : null;
        const saved = s.vars;
        s.vars = [{ name: '$', v }];
        await walk(s, body, v);
        s.vars = saved;
        break;
      }
      case 'break':
        return BREAK;
      case 'continue':
        return CONTINUE;
    }
  }
  return undefined;
}

async function range(s: State, n: ControlNode, dot: TValue): Promise<Flow> {
  const mark = s.vars.length;
  const pipe = { ...n.pipe, decl: [] as string[] };
  const v = await evalPipe(s, pipe, dot);
  let entries: [TValue, TValue][];
  if (v instanceof GoSlice) entries = v.items.map((x, i) => [new GoInt(i), x]);
  else if (v instanceof GoMap)
    entries = [...v.entries.keys()].sort().map((k) => [k, v.entries.get(k)!]);
  else if (v === null) entries = [];
  else return s.fail('range', `range can't iterate over ${formatV(v)}`);
  for (const [k, x] of entries) {
    const d = n.pipe.decl;
    if (d.length === 1) s.vars.push({ name: d[0]!, v: x });
    if (d.length === 2) s.vars.push({ name: d[0]!, v: k }, { name: d[1]!, v: x });
    const flow = await walk(s, n.list, x);
    s.vars.length = mark;
    if (flow === BREAK) break;
  }
  if (entries.length === 0 && n.elseList) {
    const flow = await walk(s, n.elseList, dot);
    s.vars.length = mark;
    return flow;
  }
  return undefined;
}

/** Executes `tree` with `data` as dot and `$`; returns the output text. */
export async function execTemplate(
  tree: Tree,
  data: TValue,
  funcs: ReadonlyMap<string, TemplateFunc>,
): Promise<string> {
  const s = new State(tree, funcs);
  s.vars.push({ name: '$', v: data });
  await walk(s, tree.root, data);
  return s.out;
}
