/**
 * @module test/helpers/alertmanager — a REAL Alertmanager 0.25 (Debian `prometheus-alertmanager`)
 * on a free loopback port, clustering off, with a route that only holds alerts (the tests read
 * them back through its API v2). `stop()` ends it.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './ports.ts';

export const ALERTMANAGER = process.env.ALERTMANAGER ?? '/usr/bin/prometheus-alertmanager';

export interface AlertmanagerHandle {
  readonly url: string;
  /** Alerts it holds now (API v2, active ones). */
  alerts(): Promise<
    Array<{ labels: Record<string, string>; annotations: Record<string, string>; endsAt: string }>
  >;
  stop(): Promise<void>;
}

export async function startAlertmanager(dir: string): Promise<AlertmanagerHandle> {
  await mkdir(join(dir, 'data'), { recursive: true });
  const config = join(dir, 'alertmanager.yml');
  await writeFile(config, 'route:\n  receiver: hold\nreceivers:\n  - name: hold\n');
  const port = await freePort();
  const p = spawn(
    ALERTMANAGER,
    [
      `--config.file=${config}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  p.stderr!.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const r = await fetch(`${url}/-/ready`).catch(() => undefined);
    if (r?.ok) break;
    if (i > 300 || p.exitCode !== null) throw new Error(`alertmanager did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async alerts() {
      const r = await fetch(`${url}/api/v2/alerts`);
      return (await r.json()) as Awaited<ReturnType<AlertmanagerHandle['alerts']>>;
    },
    async stop() {
      if (p.exitCode === null) p.kill('SIGTERM');
      await exited;
    },
  };
}
