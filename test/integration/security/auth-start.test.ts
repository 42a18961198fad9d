/**
 * `AUTH_TOKENS=… npm start` (the local stack through wrangler dev, --no-prometheus --no-demo):
 * the Worker asks for the token on reads and the UI, takes it as bearer or Basic password, and
 * the token reaches the Worker through the 0600 env file only: never a process argument, never
 * the launcher's output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/ports.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const TOKEN = `start-${randomBytes(12).toString('hex')}`;

describe('npm start with AUTH_TOKENS', () => {
  let tmp: TmpDir;
  let child: ChildProcess;
  let port: number;
  let output = '';
  let exited: Promise<number | null>;
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;

  beforeAll(async () => {
    tmp = await makeTmpDir('thanos-edge-auth-start-');
    port = await freePort();
    child = spawn(
      process.execPath,
      [
        join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        join(root, 'scripts', 'start.ts'),
        '--data-dir',
        tmp.path,
        '--port',
        String(port),
        '--s3-port',
        '0',
        '--no-prometheus',
        '--no-demo',
      ],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, AUTH_TOKENS: TOKEN, AUTH_DISABLED: '' },
      },
    );
    exited = new Promise((r) => child.once('exit', (code) => r(code)));
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    const until = Date.now() + 240_000;
    while (!output.includes('thanos-edge querier at')) {
      if (Date.now() > until || child.exitCode !== null)
        throw new Error(`stack did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 300_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGINT');
      await exited;
    }
    await tmp?.remove();
  });

  it('asks for the token on the API and the UI, and takes it as bearer or Basic password', async () => {
    expect(output).toContain('auth: AUTH_TOKENS required');
    expect(output).not.toContain('auth is OFF');
    for (const path of ['/api/v1/query?query=1', '/api/v1/labels', '/graph', '/']) {
      const r = await fetch(url(path));
      expect(r.status, path).toBe(401);
      expect(r.headers.get('www-authenticate'), path).toMatch(/^Basic/);
    }
    const bearer = await fetch(url('/api/v1/query?query=1'), {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(bearer.status).toBe(200);
    const basicAuth = `Basic ${Buffer.from(`grafana:${TOKEN}`).toString('base64')}`;
    const ui = await fetch(url('/graph'), { headers: { authorization: basicAuth } });
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('<main id="app">');
    expect(ui.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect((await fetch(url('/-/healthy'))).status).toBe(200);
  });

  it('keeps the token out of every process argument and the output; the env file is 0600', async () => {
    let checked = 0;
    for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
      const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (!cmd.includes(tmp.path)) continue;
      checked++;
      expect(cmd).not.toContain(TOKEN);
    }
    expect(checked).toBeGreaterThanOrEqual(2);
    expect(output).not.toContain(TOKEN);
    const envFile = join(tmp.path, 'worker-secrets.env');
    expect(await readFile(envFile, 'utf8')).toContain(`AUTH_TOKENS=${JSON.stringify(TOKEN)}`);
    expect((await stat(envFile)).mode & 0o777).toBe(0o600);
  });
});
