/**
 * @module test/helpers/edge-grpc-process — a `thanos-edge` command that serves gRPC (`sidecar`,
 * `store`) as its own process, from the bin as a user runs it. Resolves once it logs both its
 * HTTP and its gRPC listen addresses; its stderr lines are kept for assertions. `stop()` sends
 * SIGTERM and waits for the exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { AGENT_BIN } from './agent-process.ts';

export interface EdgeGrpcProcess {
  readonly proc: ChildProcess;
  /** `http://host:port` */
  readonly httpUrl: string;
  /** `host:port` */
  readonly grpcAddress: string;
  readonly log: string[];
  stop(): Promise<number | null>;
}

export async function startEdgeGrpcProcess(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<EdgeGrpcProcess> {
  const proc = spawn(process.execPath, [AGENT_BIN, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  const log: string[] = [];
  const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  let httpUrl = '';
  let grpcAddress = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`${args[0]} did not start in 60s:\n${log.join('\n')}`)),
      60_000,
    );
    createInterface({ input: proc.stderr! }).on('line', (line) => {
      log.push(line);
      httpUrl ||= /listening on (http:\/\/[^\s"]+)/.exec(line)?.[1] ?? '';
      grpcAddress ||= /listening for gRPC on ([^\s"]+)/.exec(line)?.[1] ?? '';
      if (httpUrl && grpcAddress) {
        clearTimeout(t);
        resolve();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`${args[0]} exited ${code}:\n${log.join('\n')}`));
    });
  });
  return {
    proc,
    httpUrl,
    grpcAddress,
    log,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exit;
    },
  };
}
