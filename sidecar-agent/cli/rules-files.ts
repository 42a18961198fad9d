/**
 * @module sidecar-agent/cli/rules-files — promtool's resolveAndGlobFilepaths for rule unit
 * tests: rule_files relative to the test file's directory, glob patterns (`*`, `?`, `[…]` in any
 * path element, as Go's filepath.Glob) expanded in name order, a warning for a pattern that
 * matches nothing.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, sep } from 'node:path';
import type { RuleFileSource } from '../../core/rule/unittest/runner.ts';

const META = /[*?[\\]/;

function elementRe(pat: string): RegExp {
  let re = '';
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pat.indexOf(']', i + 1);
      if (end < 0) throw new Error('syntax error in pattern');
      let body = pat.slice(i + 1, end);
      if (body.startsWith('^')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '\\' && i + 1 < pat.length) re += `\\${pat[++i]}`;
    else re += c.replace(/[.+^${}()|\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Go's filepath.Glob: matches in lexical order; a pattern without metacharacters matches itself if it exists. */
export async function glob(pattern: string): Promise<string[]> {
  if (!META.test(pattern)) return (await stat(pattern).catch(() => undefined)) ? [pattern] : [];
  const parts = pattern.split(sep);
  let bases = [parts[0] === '' ? sep : parts[0]!];
  for (const part of parts.slice(1)) {
    const next: string[] = [];
    for (const b of bases) {
      if (!META.test(part)) {
        const p = join(b, part);
        if (await stat(p).catch(() => undefined)) next.push(p);
        continue;
      }
      const re = elementRe(part);
      const names = (await readdir(b).catch(() => [] as string[])).filter((n) => re.test(n)).sort();
      for (const n of names) next.push(join(b, n));
    }
    bases = next;
  }
  return bases;
}

/**
 * promtool's argument check (kingpin ExistingFiles): the first path that does not exist is an
 * error before any file is read, `…: error: path 'X' does not exist, try --help`, exit 1.
 */
export async function firstMissing(paths: readonly string[]): Promise<string | undefined> {
  for (const p of paths) if (!(await stat(p).catch(() => undefined))) return p;
  return undefined;
}

export function missingPathMessage(path: string): string {
  return `thanos-edge: error: path '${path}' does not exist, try --help\n`;
}

/** Resolves and reads the rule files of a unit-test file, writing promtool's warnings to stderr. */
export function ruleFileLoader(
  testFile: string,
): (patterns: readonly string[]) => Promise<RuleFileSource[]> {
  return async (patterns) => {
    const out: RuleFileSource[] = [];
    for (const p of patterns) {
      const full = p !== '' && !isAbsolute(p) ? join(dirname(testFile), p) : p;
      const matches = await glob(full);
      if (matches.length === 0) process.stderr.write(`  WARNING: no file match pattern ${full}\n`);
      for (const m of matches) out.push({ path: m, text: await readFile(m, 'utf8') });
    }
    return out;
  };
}
