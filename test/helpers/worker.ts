/**
 * @module test/helpers/worker — runs the real thanos-edge Worker in workerd (Miniflare): bundles
 * worker/index.ts with esbuild as wrangler does, with the WASM kernels (XOR codec, CRC-32C) as
 * CompiledWasm modules, and
 * starts it on a free loopback port with the given vars and an in-memory R2 bucket `BLOCKS`.
 * With `ui: true` it also serves the query UI's static assets (ui/dist) as wrangler.toml's
 * [assets] section configures them. Authentication is off (AUTH_DISABLED=true) unless the vars
 * configure it or `openAuth: false` asks for the Worker as deployed.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Log, LogLevel, Miniflare } from 'miniflare';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The kernels worker/wasm.ts imports as CompiledWasm modules (wasm/build/<name>.wasm). */
export const WASM_MODULES = [
  'xor',
  'crc32c',
  'points',
  'regression',
  'rate',
  'over-time',
  'gzip',
  'snappy',
];

const bundles = new Map<string, Promise<{ code: string; wasm: Map<string, Uint8Array> }>>();

/** The Worker (or another entry that imports it, such as a test probe) bundled for workerd. */
export function bundleWorker(
  entry = join(root, 'worker', 'index.ts'),
): Promise<{ code: string; wasm: Map<string, Uint8Array> }> {
  let bundled = bundles.get(entry);
  if (bundled) return bundled;
  bundled = (async () => {
    const out = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['workerd', 'worker', 'browser'],
      target: 'es2022',
      // Modules workerd provides itself (Durable Object RPC's base class).
      external: ['*.wasm', 'cloudflare:*'],
      write: false,
      outfile: join(root, 'worker', 'index.js'),
      logLevel: 'silent',
    });
    const code = out.outputFiles[0]!.text;
    const wasm = new Map<string, Uint8Array>();
    for (const name of WASM_MODULES) {
      wasm.set(name, new Uint8Array(await readFile(join(root, 'wasm', 'build', `${name}.wasm`))));
    }
    return { code, wasm };
  })();
  bundles.set(entry, bundled);
  return bundled;
}

/** Worker names, which are also their inspector targets (`core:user:<name>`). */
export const QUERIER_WORKER = 'querier';
export const SHARDS_WORKER = 'shards';
export const RECEIVE_WORKER = 'receive';

export interface WorkerHandle {
  readonly mf: Miniflare;
  readonly url: URL;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export interface StartWorkerOptions {
  readonly vars?: Record<string, string>;
  /** Bind the in-memory R2 bucket BLOCKS (default true). */
  readonly r2?: boolean;
  /** Serve the built query UI (ui/dist, `node scripts/build-ui.mjs`) as Workers static assets. */
  readonly ui?: boolean;
  /**
   * Bind the store-shard Durable Object class as STORE_SHARD (wrangler.toml does): `true` runs
   * the shards in the Worker's isolate (as workerd does for one script), `'isolate'` in a worker
   * of their own, so their heap can be read apart from the querier's.
   */
  readonly shards?: boolean | 'isolate';
  /** V8 inspector on this port (heap readings per isolate, test/helpers/inspector.ts). */
  readonly inspectorPort?: number;
  /**
   * Bind the receive-shard Durable Object class as RECEIVE_SHARD (wrangler.toml does): `true` in
   * the Worker's isolate, `'isolate'` in a worker of its own (its heap read apart).
   */
  readonly receive?: boolean | 'isolate';
  /** Bind the ruler Durable Object class as RULER (wrangler.toml does). */
  readonly ruler?: boolean;
  /**
   * Keep Durable Object storage and the R2 bucket in this directory, so both survive a restart of
   * the Worker as they do on the platform (without it the bucket lives in workerd's memory).
   */
  readonly persistDir?: string;
  /** Listen on this port instead of a free one (a restart at the same address). */
  readonly port?: number;
  /**
   * Default true: without AUTH_TOKENS/AUTH_DISABLED/CF_ACCESS_* in `vars` the Worker runs with
   * AUTH_DISABLED=true. False: exactly `vars`, secure by default (every route 401).
   */
  readonly openAuth?: boolean;
  /** Bundle this module instead of worker/index.ts (a probe that imports from it). */
  readonly entry?: string;
  /** Collect the Worker's log lines (console output) into this array. */
  readonly logs?: string[];
}

/** wrangler.toml's [assets] routing, as wrangler hands it to Miniflare in `wrangler dev`. */
async function assetsOptions() {
  const toml = await readFile(join(root, 'wrangler.toml'), 'utf8');
  const first = /^run_worker_first\s*=\s*(true|false|\[.*\])\s*$/m.exec(toml);
  const value = first ? (JSON.parse(first[1]!) as boolean | string[]) : false;
  const routes = Array.isArray(value) ? value : [];
  return {
    directory: join(root, 'ui', 'dist'),
    binding: 'ASSETS',
    routerConfig: {
      has_user_worker: true,
      ...(value === true ? { invoke_user_worker_ahead_of_assets: true } : {}),
      ...(routes.length > 0
        ? {
            static_routing: {
              user_worker: routes.filter((r) => !r.startsWith('!')),
              asset_worker: routes.filter((r) => r.startsWith('!')).map((r) => r.slice(1)),
            },
          }
        : {}),
    },
    assetConfig: { not_found_handling: 'single-page-application' as const },
  };
}

/** Vars that configure authentication: when a caller sets none, the test Worker runs open. */
const AUTH_VARS = ['AUTH_TOKENS', 'AUTH_DISABLED', 'CF_ACCESS_TEAM_DOMAIN', 'CF_ACCESS_AUD'];

/**
 * The Worker's vars: the caller's, plus AUTH_DISABLED=true unless the caller configures
 * authentication itself or asks for the Worker as deployed (`openAuth: false`): the suites that
 * test other things query without credentials.
 */
export function withAuthDefaults(
  vars: Record<string, string> = {},
  openAuth = true,
): Record<string, string> {
  if (!openAuth || AUTH_VARS.some((k) => k in vars)) return { ...vars };
  return { AUTH_DISABLED: 'true', ...vars };
}

/** Miniflare's own log (request lines) and workerd's stdout/stderr (console output) into `into`. */
function capturedLogs(into: string[]) {
  class CapturingLog extends Log {
    protected override log(message: string): void {
      into.push(message);
    }
  }
  const collect = (stream: Readable): void => {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => into.push(chunk));
  };
  return {
    log: new CapturingLog(LogLevel.DEBUG),
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      collect(stdout);
      collect(stderr);
    },
  };
}

export async function startWorker(options: StartWorkerOptions = {}): Promise<WorkerHandle> {
  const { code, wasm } = await bundleWorker(options.entry);
  const modules = [
    { type: 'ESModule' as const, path: join(root, 'worker', 'index.js'), contents: code },
    ...[...wasm].map(([name, contents]) => ({
      type: 'CompiledWasm' as const,
      path: join(root, 'wasm', 'build', `${name}.wasm`),
      contents,
    })),
  ];
  const worker = {
    modules,
    modulesRoot: root,
    compatibilityDate: '2026-04-01',
    r2Buckets: options.r2 === false ? [] : ['BLOCKS'],
    // The Worker logs a line per request: suites that do not read the logs keep only errors.
    bindings: {
      ...(options.logs || process.env.WORKER_LOG ? {} : { LOG_LEVEL: 'error' }),
      ...withAuthDefaults(options.vars, options.openAuth),
    },
  };
  const shard = { className: 'StoreShard', useSQLite: true };
  const receiveShard = { className: 'ReceiveShard', useSQLite: true };
  const receiveObjects =
    options.receive === 'isolate'
      ? { RECEIVE_SHARD: { ...receiveShard, scriptName: RECEIVE_WORKER } }
      : options.receive
        ? { RECEIVE_SHARD: receiveShard }
        : {};
  const storeObjects =
    options.shards === 'isolate'
      ? { STORE_SHARD: { ...shard, scriptName: SHARDS_WORKER } }
      : options.shards
        ? { STORE_SHARD: shard }
        : {};
  const mf = new Miniflare({
    // The network is closed here: use Miniflare's placeholder `request.cf` instead of fetching one.
    cf: false,
    host: '127.0.0.1',
    port: options.port ?? 0,
    ...(options.persistDir
      ? {
          durableObjectsPersist: join(options.persistDir, 'do'),
          r2Persist: join(options.persistDir, 'r2'),
        }
      : {}),
    ...(options.inspectorPort ? { inspectorPort: options.inspectorPort } : {}),
    ...(options.logs ? capturedLogs(options.logs) : {}),
    // WORKER_LOG=1: Miniflare's request lines and workerd's own output on this process's stderr.
    ...(process.env.WORKER_LOG && !options.logs
      ? {
          log: new Log(LogLevel.DEBUG),
          // WORKER_LOG=verbose: workerd's internal errors too (connections it drops, and why).
          verbose: process.env.WORKER_LOG === 'verbose',
          handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
            stdout.pipe(process.stderr);
            stderr.pipe(process.stderr);
          },
        }
      : {}),
    workers: [
      {
        ...worker,
        name: QUERIER_WORKER,
        durableObjects: {
          ...storeObjects,
          ...receiveObjects,
          ...(options.ruler ? { RULER: { className: 'Ruler', useSQLite: true } } : {}),
        },
        ...(options.ui ? { assets: await assetsOptions() } : {}),
      },
      // workerd runs a worker's Durable Objects in its isolate: a second worker holding the
      // shards gives them an isolate apart from the querier's, as the Workers platform does.
      ...(options.shards === 'isolate'
        ? [{ ...worker, name: SHARDS_WORKER, durableObjects: { STORE_SHARD: shard } }]
        : []),
      ...(options.receive === 'isolate'
        ? [{ ...worker, name: RECEIVE_WORKER, durableObjects: { RECEIVE_SHARD: receiveShard } }]
        : []),
    ],
  });
  const url = await mf.ready;
  let stopped = false;
  return {
    mf,
    url,
    fetch: (path, init) => fetch(new URL(path, url), init),
    async stop() {
      if (stopped) return;
      stopped = true;
      await mf.dispose();
    },
  };
}
