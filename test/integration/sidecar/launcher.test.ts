/**
 * The bin started as a program (`thanos-edge …`, as npm links it): its sh launcher line execs Node
 * with the agent's V8 flags (`--max-semi-space-size=2`, 8 for `compact`), unless NODE_OPTIONS sets that flag, and
 * adds THANOS_EDGE_NODE_ARGS. Read from the running agent's /proc/<pid>/cmdline (Linux).
 */
import { spawn } from 'node:child_process';
import { readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_BIN } from '../../helpers/agent-process.ts';
import { freePort } from '../../helpers/ports.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

let tmp: TmpDir;
beforeAll(async () => {
  tmp = await makeTmpDir('launcher-');
});
afterAll(async () => {
  await tmp.remove();
});

/**
 * Starts `<program> sidecar` (Prometheus down: it listens anyway), or `compact --wait` on an empty
 * filesystem bucket, and returns its Node command line.
 */
async function agentCommandLine(
  program: string,
  env: NodeJS.ProcessEnv,
  command: 'sidecar' | 'compact' = 'sidecar',
): Promise<string[]> {
  const args =
    command === 'sidecar'
      ? [
          'sidecar',
          `--prometheus.url=http://127.0.0.1:${await freePort()}`,
          '--http-address=127.0.0.1:0',
          '--grpc-address=127.0.0.1:0',
        ]
      : [
          'compact',
          `--objstore.config=type: FILESYSTEM\nconfig:\n  directory: ${join(tmp.path, 'bucket')}\n`,
          `--data-dir=${join(tmp.path, 'data')}`,
          '--wait',
          '--http-address=127.0.0.1:0',
        ];
  const p = spawn(program, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    cwd: tmp.path,
  });
  const exit = new Promise((r) => p.once('exit', r));
  try {
    const lines: string[] = [];
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: p.stderr }).on('line', (l) => {
        lines.push(l);
        if (l.includes('listening on http://')) resolve();
      });
      p.once('exit', (c) => reject(new Error(`agent exited ${c}:\n${lines.join('\n')}`)));
    });
    const cmdline = await readFile(`/proc/${p.pid}/cmdline`, 'utf8');
    return cmdline.split('\0').filter(Boolean);
  } finally {
    p.kill('SIGTERM');
    await exit;
  }
}

describe('the thanos-edge launcher', () => {
  it('runs Node (the same process) on the bin with the semi-space cap, through a symlink too', async () => {
    const link = join(tmp.path, 'thanos-edge');
    await symlink(AGENT_BIN, link);
    for (const program of [AGENT_BIN, link]) {
      const argv = await agentCommandLine(program, { NODE_OPTIONS: '' });
      expect(argv[0], argv.join(' ')).toMatch(/node$/);
      expect(argv.slice(1, 3)).toEqual(['--max-semi-space-size=2', program]);
      expect(argv[3]).toBe('sidecar');
    }
  });

  it('gives compact a young generation of 8 MB a semi-space (a batch job that allocates fast)', async () => {
    const argv = await agentCommandLine(AGENT_BIN, { NODE_OPTIONS: '' }, 'compact');
    expect(argv.slice(1, 4)).toEqual(['--max-semi-space-size=8', AGENT_BIN, 'compact']);
  });

  it('leaves the semi-space to NODE_OPTIONS when it sets it, and adds THANOS_EDGE_NODE_ARGS', async () => {
    const own = await agentCommandLine(AGENT_BIN, {
      NODE_OPTIONS: '--max-semi-space-size=8',
      THANOS_EDGE_NODE_ARGS: '--stack-trace-limit=20',
    });
    expect(own.slice(1, 3)).toEqual(['--stack-trace-limit=20', AGENT_BIN]);
    const extra = await agentCommandLine(AGENT_BIN, {
      NODE_OPTIONS: '',
      THANOS_EDGE_NODE_ARGS: '--max-semi-space-size=4',
    });
    // Given after the agent's own flag, the user's wins (V8 takes the last).
    expect(extra.slice(1, 4)).toEqual([
      '--max-semi-space-size=2',
      '--max-semi-space-size=4',
      AGENT_BIN,
    ]);
  });
});
