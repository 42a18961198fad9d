/**
 * `thanos-edge sidecar` as its own process, as a user runs it (the bin, hence the bundle), shipping
 * with a 1s sync. Resolves once it logs that it listens; its stderr lines are kept for assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const AGENT_BIN = join(
  import.meta.dirname,
  '..',
  '..',
  'sidecar-agent',
  'bin',
  'thanos-edge.mjs',
);

export interface AgentProcess {
  readonly proc: ChildProcess;
  readonly url: string;
  readonly log: string[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface AgentProcessOptions {
  readonly prometheusUrl: string;
  readonly tsdbPath: string;
  readonly objstoreConfigPath: string;
  readonly token: string;
}

export async function startAgentProcess(o: AgentProcessOptions): Promise<AgentProcess> {
  const proc = spawn(
    process.execPath,
    [
      AGENT_BIN,
      'sidecar',
      `--prometheus.url=${o.prometheusUrl}`,
      `--tsdb.path=${o.tsdbPath}`,
      `--objstore.config-file=${o.objstoreConfigPath}`,
      '--http-address=127.0.0.1:0',
      '--grpc-address=127.0.0.1:0',
      '--shipper.sync-interval=1s',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, STORE_TOKEN: o.token } },
  );
  const log: string[] = [];
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    proc.once('exit', (code, signal) => r({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`agent did not start in 60s:\n${log.join('\n')}`)),
      60_000,
    );
    createInterface({ input: proc.stderr! }).on('line', (line) => {
      log.push(line);
      const m = /listening on (http:\/\/[^\s"]+)/.exec(line);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`agent exited ${code}:\n${log.join('\n')}`));
    });
  });
  return { proc, url, log, exit };
}
