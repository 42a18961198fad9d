/**
 * @module sidecar-agent/sidecar/shipper — Thanos's shipper (pkg/shipper): every finished block in
 * the TSDB directory reaches the bucket exactly once.
 *
 * - Candidates: ULID dirs with a meta.json (Prometheus writes it last), samples > 0, compaction
 *   level 1 — any level with `uploadCompacted` — and not yet in `thanos.shipper.json` (or the
 *   `metaFile` named).
 * - A block whose meta.json is already in the bucket counts as uploaded (a previous run crashed
 *   between the upload and the state write): recorded, not re-sent.
 * - Upload (uploadBlock): chunks and index, then meta.json; the block is invisible until its
 *   meta.json exists, so an interrupted upload is harmless and simply redone.
 * - Failures are retried with exponential backoff, then left for the next sync.
 * - Syncs never overlap; `stop()` lets the upload in flight finish and starts no new one.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../../core/errors.ts';
import type { Bucket } from '../../core/objstore/bucket.ts';
import { META_FILENAME, isUlid, type BlockMeta } from '../../core/tsdb/meta.ts';
import { readLocalMeta, uploadBlock } from '../objstore/upload-block.ts';
import type { SidecarMetrics } from './metrics.ts';
import { readShipperState, writeShipperState } from './shipper-state.ts';

/** Thanos `metadata.SidecarSource`. */
export const SIDECAR_SOURCE = 'sidecar';

export interface RetryOptions {
  /** Attempts per block and sync (default 5). */
  readonly attempts?: number;
  /** First backoff, doubled each attempt (default 1s). */
  readonly baseMs?: number;
  /** Backoff cap (default 30s). */
  readonly maxMs?: number;
}

export interface ShipperOptions {
  readonly bucket: Bucket;
  readonly tsdbPath: string;
  /** External labels for the `thanos` section, read at each upload. */
  readonly labels: () => Record<string, string>;
  readonly uploadCompacted?: boolean;
  /** The state file in `tsdbPath` (`--shipper.meta-file-name`; default thanos.shipper.json). */
  readonly metaFile?: string;
  /** Block files uploaded at once (`--shipper.upload-concurrency`; default 1). */
  readonly uploadConcurrency?: number;
  readonly metrics?: SidecarMetrics;
  readonly retry?: RetryOptions;
  readonly log?: (msg: string) => void;
  /** Progress: called after each object of a block is written. */
  readonly onObject?: (block: string, key: string, bytes: number) => void;
}

export interface SyncResult {
  readonly uploaded: readonly string[];
  readonly failed: readonly string[];
}

export class Shipper {
  readonly #o: ShipperOptions;
  #running: Promise<SyncResult> | undefined;
  #again = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  /** Wakes a backoff sleep early on stop(). */
  #wake: (() => void) | undefined;

  constructor(options: ShipperOptions) {
    this.#o = options;
  }

  /** Runs a sync now (or after the one in progress); resolves with its result. */
  sync(): Promise<SyncResult> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    const run = (async (): Promise<SyncResult> => {
      let result: SyncResult;
      do {
        this.#again = false;
        result = await this.#syncOnce();
      } while (this.#again && !this.#stopped);
      return result;
    })().finally(() => {
      this.#running = undefined;
    });
    this.#running = run;
    return run;
  }

  /** Syncs now and every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    const tick = (): void => {
      if (this.#stopped) return;
      this.sync()
        .catch((err: unknown) => this.#o.log?.(`shipper: sync failed: ${errorMessage(err)}`))
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, intervalMs);
        });
    };
    tick();
  }

  /** No new uploads; waits for the one in flight (its retries are cut short). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#wake?.();
    await this.#running?.catch(() => undefined);
  }

  async #syncOnce(): Promise<SyncResult> {
    const { bucket, tsdbPath, metrics } = this.#o;
    metrics?.dirSyncs.inc();
    const state = await readShipperState(tsdbPath, this.#o.metaFile);
    const recorded = new Set(state.uploaded);
    const present = new Set<string>();
    const uploaded: string[] = [];
    const failed: string[] = [];
    let names: string[];
    try {
      names = (await readdir(tsdbPath)).filter(isUlid).sort();
    } catch (err) {
      metrics?.dirSyncFailures.inc();
      throw new Error(`shipper: read ${tsdbPath}: ${errorMessage(err)}`, { cause: err });
    }
    const save = (): Promise<void> =>
      writeShipperState(
        tsdbPath,
        [...recorded].filter((id) => present.has(id)),
        this.#o.metaFile,
      );

    for (const id of names) {
      const dir = join(tsdbPath, id);
      // Prometheus renames a finished block into place with meta.json inside; no meta = not ready.
      if (!(await stat(join(dir, META_FILENAME)).catch(() => undefined))) continue;
      present.add(id);
      if (recorded.has(id)) continue;
      if (this.#stopped) break;
      let meta: BlockMeta;
      try {
        meta = await readLocalMeta(dir);
      } catch (err) {
        this.#o.log?.(`shipper: skip ${id}: ${errorMessage(err)}`);
        continue;
      }
      if (meta.compaction.level > 1 && !this.#o.uploadCompacted) continue;
      if ((meta.stats?.numSamples ?? 1) === 0) continue;
      const ok = await this.#uploadWithRetry(bucket, dir, id);
      if (ok === 'uploaded' || ok === 'present') {
        recorded.add(id);
        await save();
        if (ok === 'uploaded') uploaded.push(id);
      } else {
        failed.push(id);
      }
    }
    // Forget blocks Prometheus deleted (retention, compaction), as Thanos does.
    if ([...recorded].some((id) => !present.has(id)) || state.uploaded.length !== recorded.size)
      await save();
    if (failed.length > 0) metrics?.dirSyncFailures.inc();
    return { uploaded, failed };
  }

  async #uploadWithRetry(
    bucket: Bucket,
    dir: string,
    id: string,
  ): Promise<'uploaded' | 'present' | 'failed'> {
    const attempts = this.#o.retry?.attempts ?? 5;
    let backoff = this.#o.retry?.baseMs ?? 1000;
    const maxMs = this.#o.retry?.maxMs ?? 30_000;
    for (let attempt = 1; ; attempt++) {
      try {
        if (await bucket.exists(`${id}/${META_FILENAME}`)) {
          this.#o.log?.(`shipper: block ${id} already in the bucket; recording it as uploaded`);
          return 'present';
        }
        const res = await uploadBlock(bucket, dir, {
          labels: this.#o.labels(),
          source: SIDECAR_SOURCE,
          ...(this.#o.uploadConcurrency ? { concurrency: this.#o.uploadConcurrency } : {}),
          onObject: (key, bytes) => this.#o.onObject?.(id, key, bytes),
        });
        this.#o.metrics?.uploads.inc();
        this.#o.metrics?.uploadedBytes.inc(res.bytes);
        this.#o.metrics?.lastSuccessfulUpload.set(Date.now() / 1000);
        this.#o.log?.(`shipper: uploaded block ${id} (${res.bytes} bytes)`);
        return 'uploaded';
      } catch (err) {
        this.#o.metrics?.uploadFailures.inc();
        // The block may have been deleted locally meanwhile (retention, compaction): give up on it.
        const gone = !(await stat(join(dir, META_FILENAME)).catch(() => undefined));
        this.#o.log?.(
          `shipper: upload ${id} attempt ${attempt}/${attempts} failed: ${errorMessage(err)}`,
        );
        if (gone || attempt >= attempts || this.#stopped) return 'failed';
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, backoff);
          this.#wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.#wake = undefined;
        backoff = Math.min(backoff * 2, maxMs);
      }
    }
  }
}
