/**
 * `thanos-edge sidecar` as a Thanos unit file runs it: every flag of Thanos v0.42
 * `thanos sidecar --help` (test/fixtures/thanos-sidecar-flags.ts) and Thanos's full S3 objstore
 * template (test/fixtures/thanos-s3-template.ts) against a real Prometheus 2.42 and s3rver.
 *
 * - Started while Prometheus is down: `/-/healthy` 200 at once, `/-/ready` 503; Prometheus comes
 *   up: `/-/ready` 200.
 * - The reloader writes the env-substituted config Prometheus reads and reloads it (Prometheus's
 *   external labels change); a rule file written into `--reloader.rule-dir` is loaded by
 *   Prometheus (its /api/v1/rules).
 * - The shipper uploads under the objstore `prefix` and records them in the file
 *   `--shipper.meta-file-name` names.
 * - `--reloader.method=signal` reloads through HTTP, with one warning saying why.
 * - Logs: logfmt with levels; ignored flags logged once with the reason; `--log.format=json`
 *   and `--log.level=warn` filter and shape every line; `--log.format=journald` writes logfmt
 *   and says so once; `--prometheus.ready_timeout` ends a start against a Prometheus that never
 *   comes.
 * - `--help` / `--help-long` / `--version` exit 0 on stdout for every command; kingpin's
 *   `--no-help` / `--no-version` are accepted; unknown flags and values still exit 2.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMatcher } from '../../../core/labels/matcher.ts';
import { HttpStore } from '../../../core/storeapi/http-client.ts';
import type { SeriesFrame } from '../../../core/storeapi/store.ts';
import { commands } from '../../../sidecar-agent/cli/commands.ts';
import { parseTimeOrDuration } from '../../../sidecar-agent/cli/sidecar-flags.ts';
import { SidecarAgent } from '../../../sidecar-agent/sidecar/agent.ts';
import { bucketFromConfigText } from '../../../sidecar-agent/objstore/from-config.ts';
import { thanosS3Template } from '../../fixtures/thanos-s3-template.ts';
import {
  THANOS_V042_SIDECAR_FLAGS,
  thanosSidecarFlags,
} from '../../fixtures/thanos-sidecar-flags.ts';
import { AGENT_BIN } from '../../helpers/agent-process.ts';
import { freePort } from '../../helpers/ports.ts';
import { startLivePrometheus, type LivePrometheus } from '../../helpers/prometheus-live.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI to its end (at most `timeoutMs`). */
function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [AGENT_BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`thanos-edge ${args.join(' ')} did not end:\n${stderr}`));
    }, timeoutMs);
    p.once('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

async function waitFor<T>(what: string, f: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('--help and --version', () => {
  it('exit 0 on stdout for the top level and every command', async () => {
    for (const args of [['--help'], ['help'], ['--version']]) {
      const r = await runCli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(args[0] === '--version' ? /^thanos-edge, version \d/ : /usage:/);
    }
    for (const c of commands) {
      const help = await runCli([...c.path, '--help']);
      expect(help.code, `${c.path.join(' ')} --help: ${help.stderr}`).toBe(0);
      expect(help.stdout, c.path.join(' ')).toMatch(/usage|Usage/);
      const version = await runCli([...c.path, '--version']);
      expect(version.code, `${c.path.join(' ')} --version`).toBe(0);
      expect(version.stdout).toMatch(/^thanos-edge, version \d+\.\d+\.\d+ \(branch: none/);
    }
    const sidecarHelp = await runCli(['help', 'sidecar']);
    expect(sidecarHelp.code).toBe(0);
    // kingpin's --help-long: the same help.
    const long = await runCli(['sidecar', '--help-long']);
    expect(long.code, long.stderr).toBe(0);
    expect(long.stdout).toBe(sidecarHelp.stdout);
    // Every flag of Thanos v0.42's --help is in ours, as `--name=` or `--[no-]name`.
    for (const name of THANOS_V042_SIDECAR_FLAGS)
      expect(sidecarHelp.stdout, name).toMatch(
        new RegExp(`--(?:\\[no-\\])?${name.replace(/[.]/g, '\\.')}(?:[= ]|\\n)`),
      );
    // Every flag of the fixture is in the sidecar's --help.
    for (const flag of thanosSidecarFlags({
      prometheusUrl: 'u',
      tsdbPath: 't',
      objstoreConfigFile: 'o',
      httpAddress: 'h',
      ruleDir: 'r',
      configFile: 'c',
      envsubstFile: 'e',
      httpClientFile: 'f',
    })) {
      const name = /^--(?:no-)?([^=]+)/.exec(flag)![1]!;
      expect(sidecarHelp.stdout).toContain(name);
    }
  }, 180_000);

  it('unknown flags and bad log settings are still usage errors (exit 2)', async () => {
    const unknown = await runCli(['sidecar', '--no-such-flag=1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown long flag '--no-such-flag'");
    const level = await runCli(['sidecar', '--log.level=loud']);
    expect(level.code).toBe(2);
    expect(level.stderr).toMatch(/log level "loud": want one of/);
    // Enums keep Thanos's values: a method or TLS version it does not know is still refused.
    const method = await runCli(['sidecar', '--reloader.method=sighup']);
    expect(method.code).toBe(2);
    expect(method.stderr).toMatch(/--reloader\.method: enum value must be one of http,signal/);
    const tls = await runCli(['sidecar', '--grpc-server-tls-min-version=1.4']);
    expect(tls.code).toBe(2);
    expect(tls.stderr).toMatch(/--grpc-server-tls-min-version: expected one of 1\.0, 1\.1/);
  });
});

describe('logging', () => {
  it('--log.format=json --log.level=warn: JSON lines, nothing below warn; ready_timeout ends the start', async () => {
    const port = await freePort(); // nothing listens there
    const r = await runCli([
      'sidecar',
      `--prometheus.url=http://127.0.0.1:${port}`,
      '--http-address=127.0.0.1:0',
      '--prometheus.ready_timeout=2s',
      '--log.format=json',
      '--log.level=warn',
      '--hash-func=SHA256',
      '--http.config=/etc/thanos/web.yml',
    ]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    const entries = lines.map((l) => JSON.parse(l) as Record<string, string>);
    expect(entries.length).toBeGreaterThan(1);
    for (const e of entries) {
      expect(['warn', 'error']).toContain(e.level);
      expect(e.ts).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    // The info lines (listening, ignored flags) were filtered out; the failure is an error line.
    expect(r.stderr).not.toContain('listening on');
    expect(r.stderr).not.toContain('hash-func');
    // An ignored --http.config leaves the endpoints without its TLS/auth: a warning, not info.
    expect(entries.find((e) => e.flag === '--http.config')).toMatchObject({ level: 'warn' });
    expect(entries.at(-1)).toMatchObject({ level: 'error', msg: 'sidecar could not start' });
    expect(entries.at(-1)!.err).toMatch(/ready_timeout/);
  }, 60_000);
});

describe('--log.format=journald, --no-help, --no-version', () => {
  it('are accepted: logfmt lines on stderr, the journald note once', async () => {
    const port = await freePort(); // nothing listens there
    const r = await runCli([
      'sidecar',
      '--no-help',
      '--no-version',
      `--prometheus.url=http://127.0.0.1:${port}`,
      '--http-address=127.0.0.1:0',
      '--grpc-address=127.0.0.1:0',
      '--prometheus.ready_timeout=1s',
      '--log.format=journald',
    ]);
    // 1: it ran and gave up on Prometheus; a refused flag would be 2 before any log line.
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect(l).toMatch(/^level=(info|warn|error) ts=\S+ /);
    const notes = lines.filter((l) => l.includes('journald log format'));
    expect(notes).toEqual([
      expect.stringMatching(
        /^level=info ts=\S+ msg="journald log format: lines are written as logfmt to stderr, which the systemd journal captures"$/,
      ),
    ]);
    expect(lines.at(-1)).toMatch(/^level=error .*msg="sidecar could not start"/);
  }, 60_000);
});

describe('a Thanos-generated flag set and objstore template', () => {
  let tmp: TmpDir;
  let s3: S3rverHandle;
  let prom: LivePrometheus;
  let ruleDir: string;
  let configPath: string;

  beforeAll(async () => {
    tmp = await makeTmpDir('sidecar-flags-');
    s3 = await startS3rver({ buckets: ['thanos'] });
    ruleDir = join(tmp.path, 'rules');
    await mkdir(ruleDir);
    prom = await startLivePrometheus({
      dir: join(tmp.path, 'prom'),
      externalLabels: { cluster: 'flags', replica: 'a' },
      ruleFiles: [join(ruleDir, '*.yml')],
    });
    configPath = join(tmp.path, 'prom', 'prometheus.yml');
  }, 120_000);

  afterAll(async () => {
    await prom?.stop();
    await s3?.stop();
    await tmp?.remove();
  });

  it('starts before Prometheus, gets ready with it, reloads config and rules, ships under the prefix', async () => {
    // The reloader's input: Prometheus's own config with the replica label from the environment.
    const template = (await readFile(configPath, 'utf8')).replace(
      'replica: "a"',
      'replica: "$(FLAGS_TEST_REPLICA)"',
    );
    expect(template).toContain('$(FLAGS_TEST_REPLICA)');
    const templatePath = join(tmp.path, 'prometheus.yml.tmpl');
    await writeFile(templatePath, template);
    const objstorePath = join(tmp.path, 'objstore.yml');
    await writeFile(
      objstorePath,
      thanosS3Template({
        bucket: 'thanos',
        endpoint: `127.0.0.1:${s3.port}`,
        accessKey: s3.accessKeyId,
        secretKey: s3.secretAccessKey,
        prefix: 'unit-file',
        maxRetries: 3,
      }),
    );
    const httpClientPath = join(tmp.path, 'http-client.yml');
    await writeFile(
      httpClientPath,
      'basic_auth: {username: "", password: ""}\nbearer_token: ""\ntls_config: {insecure_skip_verify: false}\n' +
        'transport_config: {max_idle_conns: 10, idle_conn_timeout: 1m30s, response_header_timeout: 2m}\n',
    );
    const port = await freePort();

    await prom.stop(); // the sidecar starts first, as it may in a pod
    const flags = thanosSidecarFlags({
      prometheusUrl: prom.url,
      tsdbPath: prom.tsdbPath,
      objstoreConfigFile: objstorePath,
      httpAddress: `127.0.0.1:${port}`,
      ruleDir,
      configFile: templatePath,
      envsubstFile: configPath,
      httpClientFile: httpClientPath,
      shipperMetaFileName: 'thanos.shipper.flags-test.json',
    });
    const proc = spawn(
      process.execPath,
      [AGENT_BIN, 'sidecar', ...flags, '--shipper.sync-interval=1s'],
      {
        env: { ...process.env, STORE_TOKEN: 'tok', FLAGS_TEST_REPLICA: 'b' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let log = '';
    proc.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor(
        'listening',
        async () => (log.includes('listening on') ? true : undefined),
        30_000,
      );
      const healthy = await fetch(`${url}/-/healthy`);
      expect(healthy.status).toBe(200);
      expect((await fetch(`${url}/-/ready`)).status).toBe(503);
      // StoreAPI: unavailable, not wrong, while Prometheus is away.
      const info = await fetch(`${url}/api/v1/store/info`, {
        headers: { authorization: 'Bearer tok' },
      });
      expect(info.status).toBe(503);

      await prom.start();
      await waitFor('ready', async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined));

      // The reloader substituted $(FLAGS_TEST_REPLICA) into Prometheus's config and reloaded it.
      await waitFor('the env-substituted config', async () =>
        (await readFile(configPath, 'utf8')).includes('replica: "b"') ? true : undefined,
      );
      await waitFor('config reload', async () => {
        const r = (await (await fetch(`${prom.url}/api/v1/status/config`)).json()) as {
          data: { yaml: string };
        };
        return /replica: b/.test(r.data.yaml) ? true : undefined;
      });

      // A new rule file: Prometheus loads it after the reloader's POST /-/reload.
      await writeFile(
        join(ruleDir, 'flags.yml'),
        'groups:\n  - name: flags-test\n    rules:\n      - record: flags_test:up\n        expr: up\n',
      );
      const groups = await waitFor('rules reload', async () => {
        const r = (await (await fetch(`${prom.url}/api/v1/rules`)).json()) as {
          data: { groups: { name: string; rules: { name: string }[] }[] };
        };
        return r.data.groups.length > 0 ? r.data.groups : undefined;
      });
      expect(groups.map((g) => [g.name, g.rules.map((r) => r.name)])).toEqual([
        ['flags-test', ['flags_test:up']],
      ]);

      // The shipper writes under the template's prefix.
      const raw = bucketFromConfigText(
        thanosS3Template({
          bucket: 'thanos',
          endpoint: `127.0.0.1:${s3.port}`,
          accessKey: s3.accessKeyId,
          secretKey: s3.secretAccessKey,
        }),
      );
      const shipped = await waitFor(
        'a shipped block',
        async () => {
          const keys: string[] = [];
          for await (const k of raw.iter('unit-file/', { recursive: true })) keys.push(k);
          return keys.some((k) => k.endsWith('/meta.json')) ? keys : undefined;
        },
        120_000,
      );
      expect(shipped.every((k) => k.startsWith('unit-file/'))).toBe(true);
      // Recorded in the --shipper.meta-file-name file, and only there.
      const shippedIds = shipped
        .filter((k) => k.endsWith('/meta.json'))
        .map((k) => k.split('/')[1]);
      const state = await waitFor('the shipper meta file', async () => {
        const text = await readFile(join(prom.tsdbPath, 'thanos.shipper.flags-test.json'), 'utf8');
        const json = JSON.parse(text) as { version: number; uploaded: string[] };
        return shippedIds.every((id) => json.uploaded.includes(id!)) ? json : undefined;
      });
      expect(state.version).toBe(1);
      expect(await readFile(join(prom.tsdbPath, 'thanos.shipper.json')).catch(() => 'absent')).toBe(
        'absent',
      );

      // Logs: logfmt with a level on every line; each ignored flag once, with its reason.
      const lines = log.split('\n').filter((l) => l.startsWith('level='));
      expect(lines.length).toBeGreaterThan(5);
      expect(lines.some((l) => l.startsWith('level=debug'))).toBe(false);
      const ignored = lines.filter((l) => l.includes('flag=--store.limits.request-series'));
      expect(ignored).toHaveLength(1);
      expect(ignored[0]).toMatch(
        /^level=info ts=\S+ msg="flag accepted for compatibility with Thanos and ignored" flag=--store\.limits\.request-series reason="[^"]+"$/,
      );
      // The gRPC flags are implemented: served, not ignored.
      expect(lines.some((l) => l.includes('flag=--grpc-'))).toBe(false);
      expect(lines.some((l) => l.includes('reloader.method'))).toBe(false); // http: no warning
      expect(log).toMatch(/msg="listening for gRPC on 127\.0\.0\.1:\d+"/);
      expect(log).toMatch(/msg="reloader: Prometheus reload triggered"/);
    } finally {
      proc.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    expect(log).toMatch(/msg=bye/);
  }, 300_000);

  it('--reloader.method=signal: reloads through HTTP and warns once why', async () => {
    const template = (await readFile(configPath, 'utf8')).replace(
      /replica: "?[a-z]"?/,
      'replica: "$(FLAGS_TEST_REPLICA)"',
    );
    expect(template).toContain('$(FLAGS_TEST_REPLICA)');
    const templatePath = join(tmp.path, 'prometheus-signal.yml.tmpl');
    await writeFile(templatePath, template);
    const proc = spawn(
      process.execPath,
      [
        AGENT_BIN,
        'sidecar',
        `--prometheus.url=${prom.url}`,
        '--http-address=127.0.0.1:0',
        '--grpc-address=127.0.0.1:0',
        `--reloader.config-file=${templatePath}`,
        `--reloader.config-envsubst-file=${configPath}`,
        '--reloader.method=signal',
        '--reloader.process-name=prometheus',
      ],
      {
        env: { ...process.env, STORE_TOKEN: 'tok', FLAGS_TEST_REPLICA: 'sig' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let log = '';
    proc.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    try {
      await waitFor('config reload', async () => {
        const r = (await (await fetch(`${prom.url}/api/v1/status/config`)).json()) as {
          data: { yaml: string };
        };
        return /replica: sig/.test(r.data.yaml) ? true : undefined;
      });
      const warnings = log.split('\n').filter((l) => l.includes('--reloader.method=signal'));
      expect(warnings).toEqual([
        expect.stringMatching(
          /^level=warn ts=\S+ msg="--reloader\.method=signal: reloading Prometheus through HTTP" reason="Prometheus's PID cannot be found reliably [^"]+POST \/-\/reload[^"]+"$/,
        ),
      ]);
      expect(log).toMatch(/msg="reloader: Prometheus reload triggered"/);
    } finally {
      proc.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 120_000);
});

describe('--min-time', () => {
  let tmp: TmpDir;
  let prom: LivePrometheus;

  beforeAll(async () => {
    tmp = await makeTmpDir('sidecar-min-time-');
    prom = await startLivePrometheus({ dir: tmp.path, externalLabels: { cluster: 'mt' } });
    await prom.waitForBlocks(2); // 10s blocks: chunks that end well before the cut below
  }, 120_000);

  afterAll(async () => {
    await prom?.stop();
    await tmp?.remove();
  });

  it('nothing older is advertised or read from Prometheus; a relative value moves with the clock', async () => {
    const cut = Date.now() - 3000;
    const series = async (minTime?: () => number): Promise<{ info: number; ends: number[] }> => {
      const agent = await SidecarAgent.start({
        prometheusUrl: prom.url,
        host: '127.0.0.1',
        port: 0,
        token: 't',
        ...(minTime ? { minTime } : {}),
      });
      try {
        const store = new HttpStore(agent.url, { token: 't' });
        const frames: SeriesFrame[] = [];
        for await (const f of store.series({
          minTime: 0,
          maxTime: Date.now(),
          matchers: [newMatcher('=', '__name__', 'up')],
          maxResolutionWindow: 0,
          aggregates: ['raw'],
          partialResponseStrategy: 'abort',
          skipChunks: false,
        }))
          frames.push(f);
        const ends = frames.flatMap((f) =>
          f.type === 'series' ? f.chunks.map((c) => c.maxTime) : [],
        );
        return { info: (await store.info()).minTime, ends };
      } finally {
        await agent.stop();
      }
    };
    const all = await series();
    expect(all.info).toBeLessThan(cut);
    expect(all.ends.some((t) => t < cut)).toBe(true); // without the flag, older chunks come back
    const limited = await series(() => cut);
    expect(limited.info).toBe(cut);
    expect(limited.ends.length).toBeGreaterThan(0);
    expect(limited.ends.every((t) => t >= cut)).toBe(true);
    // `-1d`: a day before each call's now, as Thanos's relative --min-time.
    const t0 = Date.now();
    const rel = parseTimeOrDuration('-1d');
    expect(Math.abs(rel - (t0 - 86_400_000))).toBeLessThan(1000);
  }, 120_000);
});
