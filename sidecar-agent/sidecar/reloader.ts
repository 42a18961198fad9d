/**
 * @module sidecar-agent/sidecar/reloader — Thanos's reloader (pkg/reloader) for the sidecar:
 * watches `--reloader.config-file` and the `--reloader.rule-dir` directories and, when their
 * content changes, asks Prometheus to re-read them (POST `/-/reload`, which needs Prometheus's
 * `--web.enable-lifecycle`).
 *
 * - The config file (gunzipped first when it ends in `.gz`, as Thanos does) has `$(VAR)`
 *   replaced by the environment (an unset VAR is an error, as Thanos's envsubst) and is written
 *   to `--reloader.config-envsubst-file` (the file Prometheus reads) before the reload.
 * - Changes are seen by file-system events and, in any case, by re-reading everything every
 *   `--reloader.watch-interval` (events are lost on some volumes, e.g. ConfigMap symlink swaps).
 * - The first check after start reloads (Thanos does too: the envsubst file is written fresh).
 * - A failed reload is retried every `--reloader.retry-interval` until it succeeds.
 */
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { errorMessage } from '../../core/errors.ts';
import type { Logger } from '../log.ts';
import { expandEnv } from '../objstore/from-config.ts';

export interface ReloaderOptions {
  /** Triggers the reload (PrometheusClient.reload). */
  readonly reload: (signal?: AbortSignal) => Promise<void>;
  readonly configFile?: string;
  readonly envsubstFile?: string;
  readonly ruleDirs?: readonly string[];
  /** Default 3m (Thanos's). */
  readonly watchIntervalMs?: number;
  /** Default 5s (Thanos's). */
  readonly retryIntervalMs?: number;
  readonly log: Logger;
  readonly env?: Record<string, string | undefined>;
}

/** Events within this window are one change (editors write a file in several steps). */
const DEBOUNCE_MS = 100;

export class Reloader {
  readonly #o: ReloaderOptions;
  #lastHash: string | undefined;
  /** The content changed but Prometheus has not yet taken it. */
  #pending = false;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #timers = new Set<NodeJS.Timeout>();
  #watchers: FSWatcher[] = [];
  #interval: NodeJS.Timeout | undefined;
  /** Reloads done (for tests and logs). */
  reloads = 0;

  constructor(options: ReloaderOptions) {
    this.#o = options;
  }

  /** Checks now, then on file events and every watch interval. */
  start(): void {
    const targets = [
      ...(this.#o.configFile ? [dirname(this.#o.configFile)] : []),
      ...(this.#o.ruleDirs ?? []),
    ];
    for (const dir of new Set(targets)) {
      try {
        const w = watch(dir, () => this.#soon(DEBOUNCE_MS));
        w.on('error', (err) =>
          this.#o.log.warn('reloader: watch failed', { dir, err: errorMessage(err) }),
        );
        this.#watchers.push(w);
      } catch (err) {
        this.#o.log.warn('reloader: cannot watch; relying on the watch interval', {
          dir,
          err: errorMessage(err),
        });
      }
    }
    this.#interval = setInterval(() => void this.check(), this.#o.watchIntervalMs ?? 180_000);
    this.#interval.unref();
    this.#o.log.info('reloader: started', {
      cfg: this.#o.configFile ?? '',
      out: this.#o.envsubstFile ?? '',
      dirs: (this.#o.ruleDirs ?? []).join(','),
    });
    void this.check();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const w of this.#watchers) w.close();
    if (this.#interval) clearInterval(this.#interval);
    for (const t of this.#timers) clearTimeout(t);
    await this.#running;
  }

  #soon(ms: number): void {
    if (this.#stopped) return;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      void this.check();
    }, ms);
    t.unref();
    this.#timers.add(t);
  }

  /** Reads everything; reloads Prometheus when it changed (or a reload is still owed). */
  check(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.#checkOnce();
      } while (this.#again && !this.#stopped);
    })().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #checkOnce(): Promise<void> {
    const h = createHash('sha256');
    try {
      if (this.#o.configFile) {
        const bytes = await readFile(this.#o.configFile);
        const raw = (this.#o.configFile.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString(
          'utf8',
        );
        const text = expandEnv(
          raw,
          this.#o.env ?? process.env,
          `reloader config ${this.#o.configFile}`,
        );
        h.update(`config\0${text}\0`);
        if (this.#o.envsubstFile) await writeIfChanged(this.#o.envsubstFile, text);
      }
      for (const dir of this.#o.ruleDirs ?? []) {
        for (const name of (await readdir(dir)).sort()) {
          const path = join(dir, name);
          // Regular files (symlinks followed); sub-directories are not rule files.
          if (!(await stat(path).catch(() => undefined))?.isFile()) continue;
          h.update(`${path}\0`);
          h.update(await readFile(path));
        }
      }
    } catch (err) {
      this.#o.log.error('reloader: reading watched files failed', { err: errorMessage(err) });
      return;
    }
    const hash = h.digest('hex');
    if (hash !== this.#lastHash) {
      this.#lastHash = hash;
      this.#pending = true;
    }
    if (!this.#pending || this.#stopped) return;
    try {
      await this.#o.reload(AbortSignal.timeout(30_000));
      this.#pending = false;
      this.reloads++;
      this.#o.log.info('reloader: Prometheus reload triggered', {
        cfg_in: this.#o.configFile ?? '',
        cfg_out: this.#o.envsubstFile ?? '',
        watched_dirs: (this.#o.ruleDirs ?? []).join(','),
      });
    } catch (err) {
      this.#o.log.error('reloader: reload failed; retrying', {
        err: errorMessage(err),
        retry_in: `${this.#o.retryIntervalMs ?? 5000}ms`,
      });
      this.#soon(this.#o.retryIntervalMs ?? 5000);
    }
  }
}

/** Writes `text` to `path` atomically unless it already holds it (no spurious events). */
async function writeIfChanged(path: string, text: string): Promise<void> {
  const old = await readFile(path, 'utf8').catch(() => undefined);
  if (old === text) return;
  const tmp = `${path}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}
