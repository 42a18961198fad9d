/**
 * @module scripts/lint — the house rules prettier and tsc cannot see, checked over `core/`:
 *
 *   no-runtime-import  core/ is runtime-neutral: no `node:*`, `cloudflare:*` or bare Node built-in
 *                      (`fs`, `path`, …) import, type-only imports included (a Node type in a core
 *                      signature makes the API Node-shaped).
 *   no-shell-import    core/ never reaches into the shells and tools around it (`worker/`,
 *                      `sidecar-agent/`, `scripts/`, `ui/`, `test/`). A `*.test.ts` beside a core
 *                      file may import the shared test helpers (`test/helpers/`): tests run in
 *                      Node, and those helpers hold what several suites share (free ports, in-memory
 *                      block dirs). Every other rule holds for test files too.
 *   no-runtime-global  no Worker-only globals (`caches`, `HTMLRewriter`, `WebSocketPair`,
 *                      `DurableObject`, `navigator.userAgent` sniffing) and no Node globals
 *                      (`process`, `Buffer`, `__dirname`, `require`, `import.meta.dirname`, …) used
 *                      as values. A local of the same name, a property name or a type is not a use.
 *   no-layer-import    the block format and object storage stay apart: nothing in `core/tsdb/`
 *                      imports `core/objstore/` and nothing in `core/objstore/` imports
 *                      `core/tsdb/` (the store gateway, `core/block/`, joins them).
 *   import-cycle       no import cycle among core/ files (type-only imports count: they are edges
 *                      of the same design, and the next value import turns them into a runtime
 *                      cycle). Each cycle is printed as a path `a → b → a`.
 *
 * Imports are read with TypeScript's own parser (ts.createSourceFile), so a string or comment that
 * looks like an import is not one. Output: one `file:line: rule: message` per finding, exit 1 if any.
 *
 *   node scripts/lint.mjs [repo-root]        (npm run lint)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Folders that are not source: data for tests, and code a script generates (never hand-edited). */
const SKIP_DIRS = new Set(['node_modules', 'testdata']);
const GENERATED_DIRS = new Set(['core/storeapi/proto/gen']);
const SOURCE_FILE = /\.(ts|mts|js|mjs)$/;
const TEST_FILE = /\.test\.(ts|mts|js|mjs)$/;

/** Top-level folders core/ must not import from; tests beside core files may use TEST_HELPERS. */
const SHELLS = ['worker/', 'sidecar-agent/', 'scripts/', 'ui/', 'test/'];
const TEST_HELPERS = 'test/helpers/';

const NODE_BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));

/** Folders of core/ that must not import each other, as [importer, imported]. */
const APART = [
  ['core/tsdb/', 'core/objstore/'],
  ['core/objstore/', 'core/tsdb/'],
];

/** Globals that exist only in one runtime, with the reason printed beside a use. */
const WORKER_GLOBALS = new Map([
  ['caches', 'the Cache API is Worker-only: take a cache as a parameter'],
  ['HTMLRewriter', 'HTMLRewriter is Worker-only'],
  ['WebSocketPair', 'WebSocketPair is Worker-only'],
  ['DurableObject', 'Durable Objects belong in worker/'],
]);
const NODE_GLOBALS = new Map([
  ['process', 'process is Node-only: take the value as an option'],
  ['Buffer', 'Buffer is Node-only: use Uint8Array, TextEncoder/TextDecoder'],
  ['__dirname', '__dirname is Node-only'],
  ['__filename', '__filename is Node-only'],
  ['require', 'require is Node-only: use an import'],
  ['global', 'global is Node-only: use globalThis'],
  ['setImmediate', 'setImmediate is Node-only: use queueMicrotask or setTimeout'],
  ['clearImmediate', 'clearImmediate is Node-only'],
]);
/** `import.meta.<name>` that only Node defines. */
const NODE_IMPORT_META = new Set(['dirname', 'filename']);

/**
 * @typedef {{ file: string, line: number, rule: string, message: string }} Finding
 * @typedef {{ spec: string, line: number }} ImportRef
 */

/** Repo-relative path with forward slashes. */
function posix(p) {
  return p.split(sep).join('/');
}

/**
 * Every module specifier a file names: static imports and re-exports, `import x = require()`,
 * dynamic `import()` and `require()` calls with a literal argument.
 * @param {ts.SourceFile} sf
 * @returns {ImportRef[]}
 */
function importsOf(sf) {
  /** @type {ImportRef[]} */
  const out = [];
  const add = (lit) => {
    if (!lit || !ts.isStringLiteralLike(lit)) return;
    const line = sf.getLineAndCharacterOfPosition(lit.getStart(sf)).line + 1;
    out.push({ spec: lit.text, line });
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node)) {
      if (ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression);
    } else if (ts.isCallExpression(node) && node.arguments.length > 0) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0]);
      else if (ts.isIdentifier(callee) && callee.text === 'require' && !isDeclared(callee))
        add(node.arguments[0]);
    } else if (ts.isImportTypeNode(node)) {
      // `import('x').T` in a type position.
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(arg.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** A specifier that names a runtime's own module rather than a package or a file. */
function runtimeModule(spec) {
  if (spec.startsWith('node:')) return 'a node:* module';
  if (spec.startsWith('cloudflare:')) return 'a cloudflare:* module';
  if (NODE_BUILTINS.has(spec) || NODE_BUILTINS.has(spec.split('/')[0]))
    return `the Node built-in '${spec}'`;
  return undefined;
}

/** The names a scope node declares directly (not in nested scopes). */
function declaredIn(scope) {
  /** @type {Set<string>} */
  const names = new Set();
  const bind = (name) => {
    if (!name) return;
    if (ts.isIdentifier(name)) names.add(name.text);
    else if (ts.isObjectBindingPattern(name) || ts.isArrayBindingPattern(name))
      for (const el of name.elements) if (!ts.isOmittedExpression(el)) bind(el.name);
  };
  const statements = (list) => {
    for (const s of list) {
      if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) bind(d.name);
      else if (
        ts.isFunctionDeclaration(s) ||
        ts.isClassDeclaration(s) ||
        ts.isEnumDeclaration(s) ||
        ts.isModuleDeclaration(s)
      )
        bind(s.name);
      else if (ts.isImportEqualsDeclaration(s)) bind(s.name);
      else if (ts.isImportDeclaration(s) && s.importClause) {
        const c = s.importClause;
        bind(c.name);
        const nb = c.namedBindings;
        if (nb && ts.isNamespaceImport(nb)) bind(nb.name);
        if (nb && ts.isNamedImports(nb)) for (const e of nb.elements) bind(e.name);
      }
    }
  };
  if (ts.isSourceFile(scope) || ts.isBlock(scope) || ts.isModuleBlock(scope))
    statements(scope.statements);
  else if (ts.isCaseBlock(scope)) for (const c of scope.clauses) statements(c.statements);
  else if (ts.isFunctionLike(scope)) {
    for (const p of scope.parameters) bind(p.name);
    // A named function expression sees its own name.
    if (ts.isFunctionExpression(scope) && scope.name) bind(scope.name);
  } else if (ts.isClassExpression(scope) && scope.name) bind(scope.name);
  else if (ts.isCatchClause(scope) && scope.variableDeclaration)
    bind(scope.variableDeclaration.name);
  else if (
    (ts.isForStatement(scope) || ts.isForInStatement(scope) || ts.isForOfStatement(scope)) &&
    scope.initializer &&
    ts.isVariableDeclarationList(scope.initializer)
  )
    for (const d of scope.initializer.declarations) bind(d.name);
  return names;
}

/** Whether an identifier resolves to a declaration in the file rather than to a global. */
function isDeclared(id) {
  for (let n = id.parent; n; n = n.parent) if (declaredIn(n).has(id.text)) return true;
  return false;
}

/** Whether an identifier sits where it names a value (not a type, key, label or member name). */
function isValueReference(id) {
  const p = id.parent;
  if (!p) return false;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if (ts.isQualifiedName(p)) return false;
  if (ts.isBindingElement(p) && p.propertyName === id) return false;
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isImportClause(p)) return false;
  if (ts.isNamespaceImport(p) || ts.isImportEqualsDeclaration(p)) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  if (ts.isMetaProperty(p)) return false;
  // The name a declaration introduces (`const process = …`, `{ process: 1 }`, `m() {}` …);
  // a shorthand `{ process }` reads the variable, so it stays a reference.
  if (!ts.isShorthandPropertyAssignment(p) && 'name' in p && p.name === id) return false;
  for (let n = p; n; n = n.parent) {
    // `class X extends DurableObject` reads a value; `implements` and type positions do not.
    if (ts.isExpressionWithTypeArguments(n)) {
      const clause = n.parent;
      return (
        ts.isHeritageClause(clause) &&
        clause.token === ts.SyntaxKind.ExtendsKeyword &&
        ts.isClassLike(clause.parent)
      );
    }
    if (ts.isTypeNode(n)) return false;
    if (ts.isStatement(n) || ts.isSourceFile(n)) break;
  }
  return true;
}

/**
 * The findings of the per-file rules for one core/ file.
 * @param {string} file repo-relative path (`core/…`), used in messages and to resolve imports
 * @param {string} text the file's source
 * @returns {{ findings: Finding[], imports: ImportRef[] }}
 */
export function lintSource(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file));
  const isTest = TEST_FILE.test(file);
  /** @type {Finding[]} */
  const findings = [];
  const lineOf = (node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const imports = importsOf(sf);

  for (const imp of imports) {
    const runtime = runtimeModule(imp.spec);
    if (runtime) {
      findings.push({
        file,
        line: imp.line,
        rule: 'no-runtime-import',
        message: `'${imp.spec}' is ${runtime}; core/ uses web APIs only (the shells wire runtimes in)`,
      });
      continue;
    }
    if (!imp.spec.startsWith('.')) continue;
    const target = posix(join(dirname(file), imp.spec));
    const apart = APART.find(([from, to]) => file.startsWith(from) && target.startsWith(to));
    if (apart) {
      findings.push({
        file,
        line: imp.line,
        rule: 'no-layer-import',
        message: `'${imp.spec}': ${apart[0]} must not import ${apart[1]} (core/block/ joins them)`,
      });
    }
    const shell = SHELLS.find((s) => target.startsWith(s));
    if (shell && !(isTest && target.startsWith(TEST_HELPERS))) {
      findings.push({
        file,
        line: imp.line,
        rule: 'no-shell-import',
        message: `'${imp.spec}' reaches into ${shell}; core/ must not depend on it`,
      });
    }
  }

  const visit = (node) => {
    if (ts.isIdentifier(node)) {
      const why = WORKER_GLOBALS.get(node.text) ?? NODE_GLOBALS.get(node.text);
      if (why && isValueReference(node) && !isDeclared(node))
        findings.push({ file, line: lineOf(node), rule: 'no-runtime-global', message: why });
      if (
        node.text === 'navigator' &&
        isValueReference(node) &&
        !isDeclared(node) &&
        ts.isPropertyAccessExpression(node.parent) &&
        node.parent.name.text === 'userAgent'
      )
        findings.push({
          file,
          line: lineOf(node),
          rule: 'no-runtime-global',
          message: 'navigator.userAgent sniffs the runtime: take the behaviour as an option',
        });
    } else if (ts.isPropertyAccessExpression(node)) {
      const obj = node.expression;
      const name = node.name.text;
      if (
        ts.isMetaProperty(obj) &&
        obj.keywordToken === ts.SyntaxKind.ImportKeyword &&
        NODE_IMPORT_META.has(name)
      ) {
        findings.push({
          file,
          line: lineOf(node),
          rule: 'no-runtime-global',
          message: `import.meta.${name} is Node-only`,
        });
      } else if (
        ts.isIdentifier(obj) &&
        obj.text === 'globalThis' &&
        (WORKER_GLOBALS.has(name) || NODE_GLOBALS.has(name))
      ) {
        findings.push({
          file,
          line: lineOf(node),
          rule: 'no-runtime-global',
          message: `globalThis.${name}: ${WORKER_GLOBALS.get(name) ?? NODE_GLOBALS.get(name)}`,
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { findings, imports };
}

function scriptKind(file) {
  return /\.m?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
}

/**
 * Resolves a relative specifier to one of the known files, as the bundler resolution does:
 * the exact name, `.js` written for `.ts`, an added extension, or a folder's index.
 * @param {string} from repo-relative importing file
 * @param {string} spec
 * @param {Set<string>} known repo-relative files
 */
export function resolveImport(from, spec, known) {
  if (!spec.startsWith('.')) return undefined;
  const base = posix(join(dirname(from), spec));
  const candidates = [
    base,
    base.replace(/\.(m?)js$/, '.$1ts'),
    `${base}.ts`,
    `${base}.d.ts`,
    `${base}/index.ts`,
  ];
  return candidates.find((c) => known.has(c));
}

/**
 * Import cycles in a graph, madge-style: a depth-first walk in sorted order reports each edge
 * that closes a loop back into the current path as the cycle it closes. The graph is acyclic
 * exactly when nothing is reported; a cycle that shares edges with a reported one may show only
 * after that one is fixed.
 * @param {Map<string, string[]>} graph file → files it imports
 * @returns {string[][]} each cycle as [a, b, …, a]
 */
export function findCycles(graph) {
  /** @type {string[][]} */
  const cycles = [];
  /** @type {Map<string, 'open' | 'done'>} */
  const state = new Map();
  const path = [];
  const walk = (n) => {
    state.set(n, 'open');
    path.push(n);
    for (const m of [...(graph.get(n) ?? [])].sort()) {
      const s = state.get(m);
      if (s === 'open') cycles.push([...path.slice(path.indexOf(m)), m]);
      else if (s === undefined) walk(m);
    }
    path.pop();
    state.set(n, 'done');
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) walk(n);
  return cycles;
}

/** Every source file under a folder, repo-relative, sorted. */
function sourceFiles(root, dir) {
  /** @type {string[]} */
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(join(root, d), { withFileTypes: true })) {
      const rel = `${d}/${e.name}`;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !GENERATED_DIRS.has(rel)) walk(rel);
      } else if (SOURCE_FILE.test(e.name)) out.push(rel);
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Lints a tree: the per-file rules over every core/ source file, then import cycles.
 * @param {string} root the repository root
 * @param {Map<string, string>} [sources] repo-relative path → text, instead of reading `root`
 * @returns {Finding[]} sorted by file and line
 */
export function lintTree(root, sources) {
  const files = sources ? [...sources.keys()].sort() : sourceFiles(root, 'core');
  const known = new Set(files);
  /** @type {Finding[]} */
  const findings = [];
  /** @type {Map<string, string[]>} */
  const graph = new Map();
  /** @type {Map<string, number>} `from\0to` → line of the import */
  const edgeLine = new Map();
  for (const file of files) {
    const text = sources ? sources.get(file) : readFileSync(join(root, file), 'utf8');
    const r = lintSource(file, /** @type {string} */ (text));
    findings.push(...r.findings);
    const targets = new Set();
    for (const imp of r.imports) {
      const to = resolveImport(file, imp.spec, known);
      if (!to || to === file) continue;
      targets.add(to);
      if (!edgeLine.has(`${file}\0${to}`)) edgeLine.set(`${file}\0${to}`, imp.line);
    }
    graph.set(file, [...targets]);
  }
  for (const cycle of findCycles(graph)) {
    findings.push({
      file: cycle[0],
      line: edgeLine.get(`${cycle[0]}\0${cycle[1]}`) ?? 1,
      rule: 'import-cycle',
      message: cycle.join(' → '),
    });
  }
  return findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

export function formatFinding(f) {
  return `${f.file}:${f.line}: ${f.rule}: ${f.message}`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const findings = lintTree(root);
  for (const f of findings) console.log(formatFinding(f));
  if (findings.length > 0) {
    console.log(`\nlint: ${findings.length} finding(s) in ${relative(process.cwd(), root) || '.'}`);
    process.exitCode = 1;
  } else console.log('lint: core/ is clean');
}
