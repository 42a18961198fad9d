/**
 * @module test/helpers/prometheus-tsdb — runs the real Prometheus 2.42 over an existing TSDB
 * directory (admin API on, loopback, port 0) so tests can make it modify blocks, e.g. write
 * tombstones with `delete_series`. `stop()` sends SIGTERM and waits for the exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const PROMETHEUS = process.env.PROMETHEUS ?? '/usr/bin/prometheus';

export interface PrometheusHandle {
  readonly url: string;
  /** Replaces the configuration and reloads it (`/-/reload`). */
  reload(configYaml: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrometheusOnTsdb(
  tsdbPath: string,
  workDir: string,
  /** Further flags, e.g. `--query.max-samples=1000`. */
  extraArgs: readonly string[] = [],
): Promise<PrometheusHandle> {
  const config = join(workDir, 'prometheus.yml');
  await writeFile(config, 'global: {}\n');
  const p: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${tsdbPath}`,
      '--web.listen-address=127.0.0.1:0',
      '--web.enable-admin-api',
      '--web.enable-lifecycle',
      '--storage.tsdb.retention.time=100y',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`prometheus did not start:\n${log}`)), 60_000);
    createInterface({ input: p.stderr! }).on('line', (line) => {
      log += `${line}\n`;
      // The toolkit logs the bound address (with the real port) once listening.
      const m = /msg="Listening on" address=(127\.0\.0\.1:\d+)/.exec(line);
      if (m && !m[1]!.endsWith(':0')) {
        clearTimeout(timer);
        resolve(`http://${m[1]}`);
      }
    });
    p.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`prometheus exited (${code}):\n${log}`));
    });
  });
  // Wait until the TSDB is open (ready), or admin calls fail with 503.
  for (let i = 0; i < 600; i++) {
    const r = await fetch(`${url}/-/ready`).catch(() => undefined);
    if (r?.ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async reload(yaml: string) {
      await writeFile(config, yaml);
      const r = await fetch(`${url}/-/reload`, { method: 'POST' });
      if (!r.ok) throw new Error(`reload failed: ${r.status} ${await r.text()}`);
    },
    async stop() {
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
      await exited;
    },
  };
}
