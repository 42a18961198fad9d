/**
 * @module test/helpers/prometheus-pair — a REAL Prometheus 2.42 with a short time retention, for
 * the long-term-storage promise: it cuts `blockDuration` blocks (min = max, no local compaction)
 * and deletes them itself once they fall `retention` behind the newest block, as a production
 * Prometheus does after days. Scrapes only the given targets (no self-scrape, so no reload is
 * needed after binding port 0). `stop()` sends SIGTERM and waits.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PROMETHEUS } from './prometheus-tsdb.ts';

export interface RetainingPrometheusOptions {
  readonly dir: string;
  readonly externalLabels: Record<string, string>;
  /** job name → `host:port` targets. */
  readonly targets: Record<string, string[]>;
  /** Go duration, e.g. `10s`. */
  readonly blockDuration: string;
  /** Go duration, e.g. `30s`: blocks this far behind the newest one are deleted. */
  readonly retention: string;
}

export interface RetainingPrometheus {
  readonly url: string;
  readonly tsdbPath: string;
  /** Finished blocks (ULID dirs with meta.json) now on disk. */
  blocks(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startRetainingPrometheus(
  o: RetainingPrometheusOptions,
): Promise<RetainingPrometheus> {
  const tsdbPath = join(o.dir, 'data');
  await mkdir(tsdbPath, { recursive: true });
  const configPath = join(o.dir, 'prometheus.yml');
  const lines = ['global:', '  scrape_interval: 1s', '  external_labels:'];
  for (const [k, v] of Object.entries(o.externalLabels))
    lines.push(`    ${k}: ${JSON.stringify(v)}`);
  lines.push('scrape_configs:');
  for (const [job, targets] of Object.entries(o.targets)) {
    lines.push(
      `  - job_name: ${job}`,
      `    static_configs: [{ targets: ${JSON.stringify(targets)} }]`,
    );
  }
  await writeFile(configPath, `${lines.join('\n')}\n`);

  const p = spawn(
    PROMETHEUS,
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${tsdbPath}`,
      '--web.listen-address=127.0.0.1:0',
      `--storage.tsdb.min-block-duration=${o.blockDuration}`,
      `--storage.tsdb.max-block-duration=${o.blockDuration}`,
      `--storage.tsdb.retention.time=${o.retention}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(
      () => reject(new Error(`prometheus did not start in 60s:\n${log}`)),
      60_000,
    );
    createInterface({ input: p.stderr! }).on('line', (line) => {
      if (log.length < 20_000) log += `${line}\n`;
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
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const r = await fetch(`${url}/-/ready`).catch(() => undefined);
    if (r?.ok) break;
    if (i >= 600) throw new Error('prometheus not ready after 60s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    tsdbPath,
    async blocks() {
      const out: string[] = [];
      for (const name of (await readdir(tsdbPath))
        .filter((n) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(n))
        .sort()) {
        const files = await readdir(join(tsdbPath, name)).catch((): string[] => []);
        if (files.includes('meta.json')) out.push(name);
      }
      return out;
    },
    async stop() {
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
      await exited;
    },
  };
}
