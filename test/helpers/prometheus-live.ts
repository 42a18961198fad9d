/**
 * @module test/helpers/prometheus-live — a REAL Prometheus 2.42 for sidecar tests: scrapes itself
 * every second, has external labels, and cuts blocks of `blockDuration` (the hidden
 * `--storage.tsdb.{min,max}-block-duration` flags, equal so there is no local compaction), so
 * level-1 blocks appear within seconds. Listens on a free port (started on :0, then the
 * self-scrape target is set by a config reload). `stop()` / `start()` keep the port and data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PROMETHEUS } from './prometheus-tsdb.ts';

export interface LivePrometheusOptions {
  /** Work directory (config + `data/`). */
  readonly dir: string;
  readonly externalLabels?: Record<string, string>;
  /** Block length, a Go duration (default `10s`). */
  readonly blockDuration?: string;
  readonly scrapeInterval?: string;
  /** Extra scrape jobs: job name → targets. */
  readonly extraTargets?: Record<string, string[]>;
  /** Scrape jobs as YAML list items (indented two spaces), e.g. with relabel_configs. */
  readonly scrapeConfigsYaml?: string;
  /** More command-line flags (e.g. `--enable-feature=exemplar-storage`). */
  readonly extraArgs?: readonly string[];
  /** Rule files it evaluates (paths). */
  readonly ruleFiles?: readonly string[];
  /** Remote-write everything to this URL (with a bearer token and extra headers). */
  readonly remoteWrite?: {
    readonly url: string;
    readonly token?: string;
    readonly headers?: Record<string, string>;
  };
}

export interface LivePrometheus {
  readonly url: string;
  readonly port: number;
  readonly tsdbPath: string;
  /** Finished blocks (ULID dirs with meta.json) now on disk. */
  blocks(): Promise<string[]>;
  /** Waits until at least `n` blocks exist. */
  waitForBlocks(n: number, timeoutMs?: number): Promise<string[]>;
  /** Its most recent log lines (stderr), for failure reports. */
  log(): string[];
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
}

function configYaml(o: LivePrometheusOptions, port: number | undefined): string {
  const ext = o.externalLabels ?? { cluster: 'test', replica: 'a' };
  const lines = [
    'global:',
    `  scrape_interval: ${o.scrapeInterval ?? '1s'}`,
    `  evaluation_interval: ${o.scrapeInterval ?? '1s'}`,
  ];
  if (Object.keys(ext).length > 0) {
    lines.push('  external_labels:');
    for (const [k, v] of Object.entries(ext)) lines.push(`    ${k}: ${JSON.stringify(v)}`);
  }
  if (o.ruleFiles?.length) lines.push(`rule_files: ${JSON.stringify(o.ruleFiles)}`);
  lines.push('scrape_configs:');
  if (port !== undefined) {
    lines.push(
      '  - job_name: prometheus',
      `    static_configs: [{ targets: ["127.0.0.1:${port}"] }]`,
    );
  }
  for (const [job, targets] of Object.entries(o.extraTargets ?? {})) {
    lines.push(
      `  - job_name: ${job}`,
      `    static_configs: [{ targets: ${JSON.stringify(targets)} }]`,
    );
  }
  if (o.scrapeConfigsYaml) lines.push(o.scrapeConfigsYaml.trimEnd());
  if (port === undefined && !o.extraTargets && !o.scrapeConfigsYaml)
    lines[lines.length - 1] = 'scrape_configs: []';
  const rw = o.remoteWrite;
  if (rw) {
    lines.push('remote_write:', `  - url: ${JSON.stringify(rw.url)}`);
    if (rw.token) lines.push(`    authorization: { credentials: ${JSON.stringify(rw.token)} }`);
    if (rw.headers) lines.push(`    headers: ${JSON.stringify(rw.headers)}`);
    // Short deadlines and backoffs, so a test sees its samples (and retries) within seconds.
    lines.push(
      '    queue_config: { batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 2s }',
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function startLivePrometheus(o: LivePrometheusOptions): Promise<LivePrometheus> {
  const tsdbPath = join(o.dir, 'data');
  await mkdir(tsdbPath, { recursive: true });
  const configPath = join(o.dir, 'prometheus.yml');
  const block = o.blockDuration ?? '10s';
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  /** Prometheus's recent log lines, shown when blocks do not appear. */
  const recentLog: string[] = [];

  const launch = async (port: number): Promise<number> => {
    const p = spawn(
      PROMETHEUS,
      [
        `--config.file=${configPath}`,
        `--storage.tsdb.path=${tsdbPath}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-lifecycle',
        `--storage.tsdb.min-block-duration=${block}`,
        `--storage.tsdb.max-block-duration=${block}`,
        ...(o.extraArgs ?? []),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = p;
    exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    const bound = await new Promise<number>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(
        () => reject(new Error(`prometheus did not start:\n${log}`)),
        60_000,
      );
      createInterface({ input: p.stderr! }).on('line', (line) => {
        if (log.length < 20_000) log += `${line}\n`;
        recentLog.push(line);
        if (recentLog.length > 200) recentLog.shift();
        const m = /msg="Listening on" address=127\.0\.0\.1:(\d+)/.exec(line);
        if (m && m[1] !== '0') {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      p.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`prometheus exited (${code}):\n${log}`));
      });
    });
    for (let i = 0; i < 600; i++) {
      const r = await fetch(`http://127.0.0.1:${bound}/-/ready`).catch(() => undefined);
      if (r?.ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return bound;
  };

  await writeFile(configPath, configYaml(o, undefined));
  const port = await launch(0);
  const url = `http://127.0.0.1:${port}`;
  await writeFile(configPath, configYaml(o, port));
  const r = await fetch(`${url}/-/reload`, { method: 'POST' });
  if (!r.ok) throw new Error(`prometheus reload: ${r.status} ${await r.text()}`);

  const blocks = async (): Promise<string[]> => {
    const out: string[] = [];
    for (const name of (await readdir(tsdbPath))
      .filter((n) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(n))
      .sort()) {
      const files = await readdir(join(tsdbPath, name)).catch((): string[] => []);
      if (files.includes('meta.json')) out.push(name);
    }
    return out;
  };

  return {
    url,
    port,
    tsdbPath,
    blocks,
    async waitForBlocks(n, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const b = await blocks();
        if (b.length >= n) return b;
        if (Date.now() > deadline) {
          throw new Error(
            `only ${b.length} of ${n} blocks after ${timeoutMs}ms; prometheus log:\n${recentLog.slice(-40).join('\n')}`,
          );
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    log: () => [...recentLog],
    async stop() {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    async start() {
      await launch(port);
    },
  };
}
