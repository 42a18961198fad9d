/**
 * @module test/helpers/go-regex-oracle — Go's regexp engine as a test oracle, through a real
 * Prometheus 2.42: every input string becomes one series `t{i="<n>", l="<input>"}` in a block
 * written by `promtool tsdb create-blocks-from openmetrics`; a Prometheus on a free loopback port
 * serves it; each regex is asked as `/api/v1/label/i/values?match[]=t{l=~"<re>"}` and the `i`
 * values that come back are Go's answer. An invalid regex comes back as Prometheus's error text.
 * Always `stop()` it (afterAll).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { goQuote } from '../../core/gocompat/quote.ts';
import { freePort } from './ports.ts';

const run = promisify(execFile);

/** The sample time of every series (seconds); any fixed time works with a 100y retention. */
const SAMPLE_TIME_S = 1_700_000_000;

export type OracleAnswer =
  | { readonly ok: true; readonly matches: ReadonlySet<number> }
  | { readonly ok: false; readonly error: string };

/** Go's ExpandString of a template per matching input (index into `inputs` → text). */
export type ReplaceAnswer =
  | { readonly ok: true; readonly out: ReadonlyMap<number, string> }
  | { readonly ok: false; readonly error: string };

export interface GoRegexOracle {
  /** Go's answer for each regex over all inputs (indices into `inputs`). */
  ask(regexes: readonly string[]): Promise<OracleAnswer[]>;
  /**
   * Go's submatches: `label_replace(t, "out", template, "l", re)` at the sample time; an input
   * whose series comes back with an `out` label matched (use a template that never expands empty).
   */
  replace(regexes: readonly string[], template: string): Promise<ReplaceAnswer[]>;
  /** Raw API access: the error text (or '') for an arbitrary `match[]` selector. */
  selectorError(selector: string): Promise<string>;
  stop(): Promise<void>;
}

/** OpenMetrics label values escape only backslash, double quote and newline. */
function omValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export async function startGoRegexOracle(inputs: readonly string[]): Promise<GoRegexOracle> {
  const dir = await mkdtemp(join(tmpdir(), 'regex-oracle-'));
  let proc: ChildProcess | undefined;
  try {
    const lines = ['# TYPE t gauge'];
    inputs.forEach((s, i) => {
      // An empty value is an absent label, which is what Prometheus matches '' against.
      const l = s === '' ? '' : `,l="${omValue(s)}"`;
      lines.push(`t{i="${i}"${l}} 1 ${SAMPLE_TIME_S}`);
    });
    lines.push('# EOF', '');
    const om = join(dir, 'input.om');
    await writeFile(om, lines.join('\n'));
    const data = join(dir, 'data');
    await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', om, data]);
    const config = join(dir, 'prometheus.yml');
    await writeFile(config, 'global:\n  scrape_interval: 1h\n');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    proc = spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${data}`,
        '--storage.tsdb.retention.time=100y',
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    proc.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
      const ok = await fetch(`${base}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`prometheus not ready: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    // A read of the oracle is idempotent: one retry covers a kept-alive connection that closed just
    // as it was reused (seen once in a full-suite run as `fetch failed`).
    const read = async (url: string): Promise<Response> => {
      try {
        return await globalThis.fetch(url);
      } catch {
        return globalThis.fetch(url);
      }
    };
    // The values of `i` over the matching series: the smallest answer that says which matched.
    const query = async (
      selector: string,
    ): Promise<{ status: string; error?: string; data?: string[] }> => {
      const url = `${base}/api/v1/label/i/values?match[]=${encodeURIComponent(selector)}&start=${SAMPLE_TIME_S - 60}&end=${SAMPLE_TIME_S + 60}`;
      const res = await read(url);
      return (await res.json()) as { status: string; error?: string; data?: string[] };
    };
    const askOne = async (re: string): Promise<OracleAnswer> => {
      const body = await query(`t{l=~${goQuote(re)}}`);
      if (body.status !== 'success') {
        const e = body.error ?? '';
        const at = e.indexOf('error parsing regexp');
        return { ok: false, error: at >= 0 ? e.slice(at) : e };
      }
      return { ok: true, matches: new Set(body.data!.map(Number)) };
    };
    const replaceOne = async (re: string, template: string): Promise<ReplaceAnswer> => {
      const q = `label_replace(t, "out", ${goQuote(template)}, "l", ${goQuote(re)})`;
      const url = `${base}/api/v1/query?query=${encodeURIComponent(q)}&time=${SAMPLE_TIME_S}`;
      const body = (await (await read(url)).json()) as {
        status: string;
        error?: string;
        data?: { result: { metric: Record<string, string> }[] };
      };
      if (body.status !== 'success') {
        const e = body.error ?? '';
        const at = e.indexOf('error parsing regexp');
        return { ok: false, error: at >= 0 ? e.slice(at) : e };
      }
      const out = new Map<number, string>();
      for (const { metric } of body.data!.result) {
        if (metric['out'] !== undefined) out.set(Number(metric['i']), metric['out']);
      }
      return { ok: true, out };
    };
    const pool = async <T>(n: number, one: (k: number) => Promise<T>): Promise<T[]> => {
      const out: T[] = new Array(n);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < n) {
          const k = next++;
          out[k] = await one(k);
        }
      };
      await Promise.all(Array.from({ length: 6 }, worker));
      return out;
    };
    const child = proc;
    return {
      ask: (regexes) => pool(regexes.length, (k) => askOne(regexes[k]!)),
      replace: (regexes, template) =>
        pool(regexes.length, (k) => replaceOne(regexes[k]!, template)),
      async selectorError(selector) {
        const body = await query(selector);
        return body.status === 'success' ? '' : (body.error ?? '');
      },
      async stop() {
        if (child.exitCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
