/**
 * `npm start` — the local thanos-edge stack on loopback, stopped as a whole by one Ctrl-C:
 * - a local S3 API server (s3rver) with the bucket under <data-dir>/bucket, and
 *   <data-dir>/objstore.yml (Thanos's format) pointing at it for every `thanos-edge` command;
 * - demo blocks (a week of node and HTTP metrics from an HA pair) when the bucket is empty;
 * - if `prometheus` is on PATH: a Prometheus scraping itself and the agent, with a sidecar agent;
 * - the Worker through `wrangler dev`, reading that bucket and asking the sidecar.
 *
 * Flags: --data-dir <dir> (./data) --port <n> (8787) --s3-port <n> (9000) --store <url> (repeatable)
 *        --sidecar-port <n> (10902) --prometheus-port <n> (9090) --no-demo --no-prometheus
 * The StoreAPI token is env STORE_TOKEN, else generated once and kept in <data-dir>/store.token.
 * Readers authenticate with env AUTH_TOKENS (`token` or `tenant:token`, comma-separated), passed to
 * the Worker through its 0600 env file; without it the stack runs with AUTH_DISABLED=true, which
 * is only acceptable because everything listens on loopback.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Bucket } from '../core/objstore/s3.ts';
import { commands } from '../sidecar-agent/cli/commands.ts';
import { buildAgent } from './build-agent.mjs';
import { writeDemoBlocks } from './lib/demo-data.ts';
import { startLocalS3, type LocalS3 } from './lib/s3rver.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUCKET = 'thanos';

interface Flags {
  dataDir: string;
  port: number;
  s3Port: number;
  sidecarPort: number;
  prometheusPort: number;
  demo: boolean;
  prometheus: boolean;
  stores: string[];
  /** Rule files put into the bucket's rules/ for the ruler. */
  rules: string[];
  /** Alertmanager base URLs the ruler sends alerts to. */
  alertmanagers: string[];
}

function parseFlags(argv: readonly string[]): Flags {
  const f: Flags = {
    dataDir: resolve('data'),
    port: 8787,
    s3Port: 9000,
    sidecarPort: 10902,
    prometheusPort: 9090,
    demo: true,
    prometheus: true,
    stores: [],
    rules: [],
    alertmanagers: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [name, inline] = a.includes('=')
      ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
      : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--data-dir':
        f.dataDir = resolve(value());
        break;
      case '--port':
        f.port = Number(value());
        break;
      case '--s3-port':
        f.s3Port = Number(value());
        break;
      case '--sidecar-port':
        f.sidecarPort = Number(value());
        break;
      case '--prometheus-port':
        f.prometheusPort = Number(value());
        break;
      case '--store':
        f.stores.push(value());
        break;
      case '--rules':
        f.rules.push(resolve(value()));
        break;
      case '--alertmanager':
        f.alertmanagers.push(value());
        break;
      case '--no-demo':
        f.demo = false;
        break;
      case '--no-prometheus':
        f.prometheus = false;
        break;
      case '--help':
        process.stdout.write(
          'usage: npm start -- [--data-dir ./data] [--port 8787] [--s3-port 9000] [--store URL]... [--rules FILE]... [--alertmanager URL]... [--no-demo] [--no-prometheus]\n',
        );
        process.exit(0);
      default:
        throw new Error(`unknown flag ${a}`);
    }
  }
  return f;
}

const log = (msg: string): void => void process.stdout.write(`[start] ${msg}\n`);

function onPath(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

async function waitFor(
  url: string,
  timeoutMs: number,
  what: string,
  headers: Record<string, string> = {},
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await fetch(url, { headers }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not become ready at ${url} within ${timeoutMs / 1000}s`);
}

/** STORE_TOKEN from the environment, else one generated once and kept in <data-dir>/store.token. */
async function storeToken(dataDir: string): Promise<string> {
  if (process.env.STORE_TOKEN) return process.env.STORE_TOKEN;
  const file = join(dataDir, 'store.token');
  const existing = await readFile(file, 'utf8').then(
    (t) => t.trim(),
    () => '',
  );
  if (existing) return existing;
  const token = randomBytes(16).toString('hex');
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return token;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const children: ChildProcess[] = [];
  /** Stopped after the others: the Worker, which Prometheus and the agent write to. */
  let worker: ChildProcess | undefined;
  let s3: LocalS3 | undefined;
  let stopping = false;
  const running = (c: ChildProcess): boolean => c.exitCode === null && c.signalCode === null;
  const terminate = (group: ChildProcess[]): Promise<unknown> =>
    Promise.all(
      group.filter(running).map((c) => {
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        return exited;
      }),
    );
  const stop = async (code: number): Promise<never> => {
    if (stopping) {
      // A second signal: stop waiting, and leave nothing running behind.
      for (const c of children) if (running(c)) c.kill('SIGKILL');
      process.exit(code);
    }
    stopping = true;
    log('stopping…');
    // Prometheus and the agent first, while the Worker they write to still answers (Prometheus
    // would otherwise wait out its remote-write flush deadline, a minute), then the Worker.
    await terminate(children.filter((c) => c !== worker));
    await terminate(worker ? [worker] : []);
    await s3?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    const bucketDir = join(flags.dataDir, 'bucket');
    await mkdir(bucketDir, { recursive: true });
    s3 = await startLocalS3({ directory: bucketDir, buckets: [BUCKET], port: flags.s3Port });
    const objstore = join(flags.dataDir, 'objstore.yml');
    await writeFile(objstore, s3.objstoreYaml(BUCKET));
    log(
      `local S3 at ${s3.endpoint} (bucket "${BUCKET}" in ${bucketDir}); objstore config: ${objstore}`,
    );

    const bucket = new S3Bucket({
      endpoint: s3.endpoint,
      bucket: BUCKET,
      region: s3.region,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
    });
    let empty = true;
    for await (const _ of bucket.iter('')) {
      empty = false;
      break;
    }
    if (empty && flags.demo) {
      log('bucket is empty: writing a week of demo blocks (HA pair, cluster="demo")…');
      const started = Date.now();
      const n = await writeDemoBlocks(bucket, {
        onBlock: (b) =>
          process.stdout.isTTY &&
          process.stdout.write(
            `\r[start]   block ${b.ulid} replica ${b.replica}: ${b.series} series, ${b.samples} samples   `,
          ),
      });
      if (process.stdout.isTTY) process.stdout.write('\n');
      log(`wrote ${n} demo blocks in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    }

    // The ruler reads rule files from the bucket: the given ones go to rules/<file name>.
    for (const file of flags.rules) {
      const key = `rules/${basename(file)}`;
      await bucket.upload(key, new Uint8Array(await readFile(file)));
      log(`rule file ${file} → ${key} (the ruler evaluates it; /rules and /alerts in the UI)`);
    }

    const token = await storeToken(flags.dataDir);
    // Prometheus reads the token from a file of its own (0600), never from its config.
    const tokenFile = join(flags.dataDir, 'remote-write.token');
    await writeFile(tokenFile, token, { mode: 0o600 });
    const stores: string[] = [...flags.stores];
    const hasSidecar = commands.some((c) => c.path.join(' ') === 'sidecar');
    if (flags.prometheus && onPath('prometheus') && hasSidecar) {
      const promDir = join(flags.dataDir, 'prometheus');
      await mkdir(promDir, { recursive: true });
      const config = join(flags.dataDir, 'prometheus.yml');
      await writeFile(
        config,
        [
          'global:',
          '  scrape_interval: 15s',
          '  external_labels:',
          '    cluster: local',
          '    replica: "0"',
          'scrape_configs:',
          '  - job_name: prometheus',
          `    static_configs: [{ targets: ["127.0.0.1:${flags.prometheusPort}"] }]`,
          '  - job_name: thanos-edge-sidecar',
          `    static_configs: [{ targets: ["127.0.0.1:${flags.sidecarPort}"] }]`,
          // The same Prometheus also pushes to the Worker's receiver, as a remote-write user
          // would: its series show up a second time, with tenant_id="local-prometheus".
          'remote_write:',
          `  - url: "http://127.0.0.1:${flags.port}/api/v1/receive"`,
          `    authorization: { credentials_file: ${JSON.stringify(tokenFile)} }`,
          '',
        ].join('\n'),
      );
      const prom = spawn(
        'prometheus',
        [
          `--config.file=${config}`,
          `--storage.tsdb.path=${promDir}`,
          `--web.listen-address=127.0.0.1:${flags.prometheusPort}`,
          '--storage.tsdb.min-block-duration=2h',
          '--storage.tsdb.max-block-duration=2h',
          '--web.enable-lifecycle',
        ],
        { stdio: ['ignore', 'ignore', 'ignore'] },
      );
      children.push(prom);
      await waitFor(`http://127.0.0.1:${flags.prometheusPort}/-/ready`, 60_000, 'Prometheus');
      log(`Prometheus at http://127.0.0.1:${flags.prometheusPort}`);
      await buildAgent(); // the agent runs from its bundle: rebuild it from the current sources
      const sidecar = spawn(
        process.execPath,
        [
          join(root, 'sidecar-agent', 'bin', 'thanos-edge.mjs'),
          'sidecar',
          `--prometheus.url=http://127.0.0.1:${flags.prometheusPort}`,
          `--tsdb.path=${promDir}`,
          `--objstore.config-file=${objstore}`,
          `--http-address=127.0.0.1:${flags.sidecarPort}`,
        ],
        { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, STORE_TOKEN: token } },
      );
      children.push(sidecar);
      await waitFor(`http://127.0.0.1:${flags.sidecarPort}/-/ready`, 60_000, 'sidecar agent');
      stores.push(`http://127.0.0.1:${flags.sidecarPort}`);
      log(`sidecar agent at http://127.0.0.1:${flags.sidecarPort}`);
    } else if (flags.prometheus) {
      log(
        onPath('prometheus')
          ? 'sidecar agent not available: serving the bucket only'
          : 'prometheus not on PATH: serving the bucket only',
      );
    }

    // Readers' tokens (a secret, like STORE_TOKEN) or, without them, auth off on loopback.
    const authTokens = process.env.AUTH_TOKENS?.trim() ?? '';
    const vars: Record<string, string> = {
      ...(authTokens ? {} : { AUTH_DISABLED: 'true' }),
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: BUCKET,
      S3_REGION: s3.region,
      STORES: stores.join(','),
      SYNC_INTERVAL: '30s',
      RECEIVE_DEFAULT_TENANT: 'local-prometheus',
      ...(flags.alertmanagers.length ? { ALERTMANAGER_URLS: flags.alertmanagers.join(',') } : {}),
    };
    // Secrets reach the Worker through an env file only its owner can read, never as arguments
    // (which every user sees in `ps`).
    const secretsFile = join(flags.dataDir, 'worker-secrets.env');
    await writeFile(
      secretsFile,
      Object.entries({
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        STORE_TOKEN: token,
        // The agents behind STORES ask for the same token.
        STORES_TOKEN: token,
        ...(authTokens ? { AUTH_TOKENS: authTokens } : {}),
      })
        .map(([k, v]) => `${k}=${JSON.stringify(v)}\n`)
        .join(''),
      { mode: 0o600 },
    );
    const wrangler = spawn(
      process.execPath,
      [
        join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js'),
        'dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(flags.port),
        '--persist-to',
        join(flags.dataDir, 'wrangler'),
        '--show-interactive-dev-session=false',
        '--log-level',
        'warn',
        '--env-file',
        secretsFile,
        ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
      ],
      {
        cwd: root,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: {
          ...process.env,
          WRANGLER_SEND_METRICS: 'false',
          CLOUDFLARE_CF_FETCH_ENABLED: 'false',
          CI: process.env.CI ?? '',
        },
      },
    );
    children.push(wrangler);
    worker = wrangler;
    wrangler.once('exit', (code) => {
      if (!stopping) {
        log(`wrangler dev exited (${code})`);
        void stop(code ?? 1);
      }
    });
    // Any one reader token proves the Worker answers with auth on (it is never printed).
    const probeToken = authTokens
      .split(',')[0]
      ?.replace(/^[^:]*:/, '')
      .trim();
    await waitFor(
      `http://127.0.0.1:${flags.port}/api/v1/status/buildinfo`,
      120_000,
      'the Worker (wrangler dev)',
      probeToken ? { authorization: `Bearer ${probeToken}` } : {},
    );
    log(
      authTokens
        ? 'auth: AUTH_TOKENS required (Authorization: Bearer <token>, or as the basic-auth password)'
        : 'auth is OFF (AUTH_DISABLED=true): anyone on this machine can read; set AUTH_TOKENS to require tokens. Loopback only — never expose this stack.',
    );
    log(`stores: bucket "${BUCKET}"${stores.length ? `, ${stores.join(', ')}` : ''}`);
    log(
      `thanos-edge querier at http://127.0.0.1:${flags.port}  (UI at /, API at /api/v1/query?query=up, stores at /api/v1/stores)`,
    );
    log(
      `remote write (Prometheus remote_write url, bearer token in ${join(flags.dataDir, 'store.token')} or STORE_TOKEN): http://127.0.0.1:${flags.port}/api/v1/receive`,
    );
    log('Ctrl-C stops everything.');
  } catch (err) {
    process.stderr.write(`[start] ${err instanceof Error ? err.message : String(err)}\n`);
    await stop(1);
  }
}

void main();
