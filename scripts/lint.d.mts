/** Types of scripts/lint.mjs for its test (test/lint.test.ts). */
export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly rule: 'no-runtime-import' | 'no-shell-import' | 'no-runtime-global' | 'import-cycle';
  readonly message: string;
}
export interface ImportRef {
  readonly spec: string;
  readonly line: number;
}
export declare function lintSource(
  file: string,
  text: string,
): { findings: Finding[]; imports: ImportRef[] };
export declare function resolveImport(
  from: string,
  spec: string,
  known: ReadonlySet<string>,
): string | undefined;
export declare function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][];
export declare function lintTree(root: string, sources?: ReadonlyMap<string, string>): Finding[];
export declare function formatFinding(f: Finding): string;
