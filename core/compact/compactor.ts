/**
 * @module core/compact/compactor — one compactor iteration, in Thanos's order: sync the bucket,
 * mark duplicates left by an interrupted compaction, compact each group until nothing is planned
 * (groups in parallel up to the concurrency), the downsampling step (a hook), retention, then
 * delete what was marked longer ago than the delete delay and partial uploads older than two days.
 *
 * Crash safety comes from the order of effects: the new block is uploaded with meta.json last,
 * only then are its inputs marked for deletion, and marked blocks stay readable for the delete
 * delay. A compactor killed at any point leaves either an invisible partial upload, or a new
 * block beside inputs it fully covers (the next sync marks those inputs as duplicates).
 */
import { Block } from '../tsdb/block-reader.ts';
import { DELETION_MARK_FILENAME, NO_COMPACT_MARK_FILENAME } from '../block/markers.ts';
import { forEachLimit } from '../block/concurrency.ts';
import { CorruptBlockError, HaltError, RetryError, errorMessage } from '../errors.ts';
import type { Bucket } from '../objstore/bucket.ts';
import { chunkFileBytes, type BlockMeta } from '../tsdb/meta.ts';
import { compactBlocks, type CompactProgress } from './compact-blocks.ts';
import { groupBlocks, type Group } from './group.ts';
import { cleanBucket, type DeleteReason } from './cleaner.ts';
import {
  CORRUPTED_NO_COMPACT_REASON,
  markForDeletion,
  markNoCompact,
  type MarkerFile,
} from './marks.ts';
import { bucketInput, type CompactionInput } from './input.ts';
import type { CompactionOutput } from './output.ts';
import { DEFAULT_RANGES, describeOverlaps, findOverlaps, plan } from './planner.ts';
import { blocksPastRetention, type RetentionPolicy } from './retention.ts';
import { Syncer, type BucketView, type SyncState } from './syncer.ts';

/** What the compactor reports while it works (metrics, logs, progress). */
export interface CompactorEvents {
  synced?(counts: Readonly<Record<SyncState, number>>): void;
  compactionStarted?(group: Group, inputs: readonly BlockMeta[]): void;
  compactionDone?(group: Group, ok: boolean, output?: BlockMeta): void;
  marked?(marker: MarkerFile, reason: string, id: string): void;
  deleted?(id: string, why: DeleteReason): void;
  deleteFailed?(id: string, err: unknown): void;
  progress?(group: Group, p: CompactProgress & { readonly blocks: number }): void;
  log?(msg: string): void;
}

/** The downsampling step's hook; runs after compaction unless downsampling is disabled. */
export type DownsampleStep = (ctx: {
  readonly bucket: Bucket;
  readonly view: BucketView;
  readonly now: number;
}) => Promise<void>;

export interface CompactorOptions {
  readonly output: CompactionOutput;
  /** Where input blocks are read from (default: the bucket, with range reads). */
  readonly input?: CompactionInput;
  /** Consistency delay, ms (30m). */
  readonly consistencyDelay?: number;
  /** Delete delay, ms (48h). */
  readonly deleteDelay?: number;
  readonly retention?: RetentionPolicy;
  readonly replicaLabels?: readonly string[];
  /** Merge overlapping blocks instead of halting (`--compact.enable-vertical-compaction`). */
  readonly verticalCompaction?: boolean;
  /** Groups compacted at once (1). */
  readonly concurrency?: number;
  readonly ranges?: readonly number[];
  /** The downsampling round (core/compact/downsample-step.ts); none: no downsampling. */
  readonly downsample?: DownsampleStep;
  readonly downsamplingDisabled?: boolean;
  readonly events?: CompactorEvents;
  readonly now?: () => number;
}

export interface IterationResult {
  readonly compactions: number;
  /** Groups halted (overlaps without vertical compaction). */
  readonly halted: readonly HaltError[];
  /** Compactions that failed for other reasons (retried next iteration). */
  readonly failures: readonly RetryError[];
  readonly deleted: number;
}

export class Compactor {
  readonly #bucket: Bucket;
  readonly #opts: CompactorOptions;
  readonly #syncer: Syncer;

  constructor(bucket: Bucket, opts: CompactorOptions) {
    this.#bucket = bucket;
    this.#opts = opts;
    this.#syncer = new Syncer(bucket, {
      ...(opts.consistencyDelay !== undefined ? { consistencyDelay: opts.consistencyDelay } : {}),
      ...(opts.now ? { now: opts.now } : {}),
    });
  }

  #now(): number {
    return (this.#opts.now ?? Date.now)();
  }

  #log(msg: string): void {
    this.#opts.events?.log?.(msg);
  }

  async #mark(id: string, details: string, reason: string): Promise<void> {
    if (await markForDeletion(this.#bucket, id, details, this.#now()))
      this.#opts.events?.marked?.(DELETION_MARK_FILENAME, reason, id);
  }

  async iterate(): Promise<IterationResult> {
    const ev = this.#opts.events;
    let view = await this.#syncer.sync();
    ev?.synced?.(view.counts);
    for (const p of view.problems) this.#log(p);
    for (const id of view.duplicates) {
      this.#log(`block ${id}: sources covered by another block, marking for deletion`);
      await this.#mark(id, 'compacted duplicate (garbage collection)', 'duplicate');
    }

    const halted: HaltError[] = [];
    const failures: RetryError[] = [];
    let compactions = 0;
    const groups = groupBlocks(view.compactable, this.#opts.replicaLabels ?? []);
    await forEachLimit(groups, this.#opts.concurrency ?? 1, async (g) => {
      try {
        compactions += await this.#compactGroup(g, new Set(view.noCompact));
      } catch (err) {
        if (err instanceof HaltError) halted.push(err);
        else failures.push(new RetryError(`group ${g.key}: ${errorMessage(err)}`, { cause: err }));
        this.#log(`group ${g.key}: ${errorMessage(err)}`);
      }
    });

    if (compactions > 0 || (this.#opts.downsample && !this.#opts.downsamplingDisabled)) {
      view = await this.#syncer.sync();
    }
    if (this.#opts.downsample && !this.#opts.downsamplingDisabled) {
      await this.#opts.downsample({ bucket: this.#bucket, view, now: this.#now() });
      view = await this.#syncer.sync();
    }

    const now = this.#now();
    const live = [...view.metas.values()].filter((m) => !view.deletionMarks.has(m.ulid));
    for (const m of blocksPastRetention(live, this.#opts.retention ?? {}, now)) {
      this.#log(`block ${m.ulid}: past retention, marking for deletion`);
      await this.#mark(m.ulid, 'block exceeding retention period', 'retention');
    }
    const deleted = await cleanBucket(this.#bucket, await this.#syncer.sync(), {
      now: this.#now(),
      ...(this.#opts.deleteDelay !== undefined ? { deleteDelay: this.#opts.deleteDelay } : {}),
      deleted: (id, why) => this.#opts.events?.deleted?.(id, why),
      failed: (id, err) => this.#opts.events?.deleteFailed?.(id, err),
      log: (msg) => this.#log(msg),
    });
    return { compactions, halted, failures, deleted };
  }

  /**
   * Compacts one group until its planner has nothing left; returns the compactions done.
   *
   * Each compaction's upload (and the marking of its inputs) runs while the next one downloads
   * and merges: uploading waits on the object store, merging on the CPU, so a group of several
   * compactions takes about the merges' time plus one upload instead of the sum of both. One
   * upload at a time, in order; a plan that takes the block being uploaded as input waits for it.
   */
  async #compactGroup(group: Group, noCompact: Set<string>): Promise<number> {
    const ev = this.#opts.events;
    const metas = [...group.metas];
    let done = 0;
    let publishing: { readonly ulid: string | undefined; readonly done: Promise<void> } | undefined;
    const settle = async (): Promise<void> => {
      const p = publishing;
      publishing = undefined;
      await p?.done;
    };
    try {
      for (;;) {
        if (!this.#opts.verticalCompaction) {
          const overlaps = findOverlaps(metas);
          if (overlaps.length > 0) {
            const ids = [...new Set(overlaps.flatMap((o) => [o.a.ulid, o.b.ulid]))];
            throw new HaltError(
              `pre compaction overlap check: overlaps found while gathering blocks. ${describeOverlaps(overlaps)}`,
              group.key,
              ids,
            );
          }
        }
        const inputs = plan(metas, {
          ranges: this.#opts.ranges ?? DEFAULT_RANGES,
          noCompact,
          vertical: this.#opts.verticalCompaction ?? false,
        });
        if (inputs.length === 0) break;
        const pending = publishing?.ulid;
        if (pending !== undefined && inputs.some((m) => m.ulid === pending)) await settle();
        ev?.compactionStarted?.(group, inputs);
        // Timed from the first read: downloading the inputs is part of compacting them.
        const started = this.#now();
        let merged: MergedBlock;
        try {
          merged = await this.#merge(group, inputs);
        } catch (err) {
          ev?.compactionDone?.(group, false);
          const bad =
            err instanceof CorruptBlockError
              ? inputs.find((m) => m.ulid === err.location.block)
              : undefined;
          if (!bad) throw err;
          // A block the compactor cannot read is set aside; the rest of the group goes on.
          this.#log(
            `block ${bad.ulid}: cannot be compacted (${errorMessage(err)}), marking no-compact`,
          );
          if (
            await markNoCompact(
              this.#bucket,
              bad.ulid,
              CORRUPTED_NO_COMPACT_REASON,
              errorMessage(err),
              this.#now(),
            )
          )
            ev?.marked?.(NO_COMPACT_MARK_FILENAME, CORRUPTED_NO_COMPACT_REASON, bad.ulid);
          noCompact.add(bad.ulid);
          continue;
        }
        try {
          await settle();
        } catch (err) {
          // The block just merged is never published: its local copy goes now, not at restart.
          if (merged.meta) await this.#opts.output.discard(merged.meta.ulid);
          throw err;
        }
        const up = this.#publish(group, inputs, merged, started);
        // Rejections are taken by the next settle(); none goes unobserved meanwhile.
        up.catch(() => {});
        publishing = { ulid: merged.meta?.ulid, done: up };
        done++;
        const used = new Set(inputs.map((m) => m.ulid));
        const rest = metas.filter((m) => !used.has(m.ulid));
        metas.length = 0;
        metas.push(...rest);
        if (merged.meta) metas.push(merged.meta);
      }
    } catch (err) {
      // The upload under way is finished (or fails) before the group's error is reported.
      await settle().catch(() => {});
      throw err;
    }
    await settle();
    return done;
  }

  /** Downloads and merges the inputs into a new block in the output (not yet visible). */
  async #merge(group: Group, inputs: readonly BlockMeta[]): Promise<MergedBlock> {
    const { output, replicaLabels = [] } = this.#opts;
    const opened = await (this.#opts.input ?? bucketInput(this.#bucket)).open(group, inputs);
    let ulid: string | undefined;
    try {
      const blocks = await Promise.all(
        inputs.map((m, i) =>
          Block.open(opened.dirs[i]!, {
            id: m.ulid,
            // Compaction reads whole blocks in order: large reads, fewer requests.
            index: {
              ...(m.stats.numSeries ? { numSeries: m.stats.numSeries } : {}),
              maxRead: 16 << 20,
            },
            chunks: { verifySegmentHeaders: true, maxRead: 16 << 20 },
          }),
        ),
      );
      const penalty = replicaLabels.length > 0;
      const segmentSize = output.segmentSize?.(inputs.reduce((a, m) => a + chunkFileBytes(m), 0));
      const res = await compactBlocks(
        blocks.map((b) => ({
          block: b,
          replica: penalty
            ? replicaLabels.map((l) => b.meta.thanos?.labels[l] ?? '').join('\xff')
            : '',
        })),
        {
          sink: (id) => {
            ulid = id;
            return output.sink(id);
          },
          penalty,
          ...(segmentSize ? { segmentSize } : {}),
          readBudget: opened.readBudget,
          thanos: {
            labels: { ...group.labels },
            downsample: { resolution: group.resolution },
          },
          onProgress: (p) => this.#opts.events?.progress?.(group, { ...p, blocks: inputs.length }),
        },
      );
      // Nothing written is nothing to publish; the sink may have left an empty directory.
      if (!res.meta && ulid) await output.discard(ulid);
      return { meta: res.meta, reencodedSeries: res.reencodedSeries };
    } catch (err) {
      if (ulid) await output.discard(ulid);
      throw err;
    } finally {
      await opened.release();
    }
  }

  /**
   * Makes the merged block visible (meta.json last), then marks its inputs for deletion: only
   * once the new block is visible do the inputs go. An empty result publishes nothing and its
   * inputs go all the same.
   */
  async #publish(
    group: Group,
    inputs: readonly BlockMeta[],
    merged: MergedBlock,
    started: number,
  ): Promise<void> {
    const ev = this.#opts.events;
    let out: BlockMeta | undefined;
    if (!merged.meta) {
      this.#log(`group ${group.key}: compacted block would be empty, marking inputs for deletion`);
    } else {
      try {
        out = await this.#opts.output.publish(merged.meta);
      } catch (err) {
        ev?.compactionDone?.(group, false);
        throw err;
      } finally {
        await this.#opts.output.discard(merged.meta.ulid);
      }
      const took = (this.#now() - started) / 1000;
      this.#log(
        `group ${group.key}: compacted ${inputs.length} blocks into ${out.ulid} ` +
          `(level ${out.compaction.level}, ${out.stats.numSeries} series, ${out.stats.numSamples} samples` +
          `${merged.reencodedSeries > 0 ? `, ${merged.reencodedSeries} series merged` : ''}) in ${took.toFixed(3)}s`,
      );
    }
    ev?.compactionDone?.(group, true, out);
    for (const m of inputs) await this.#mark(m.ulid, 'source of compacted block', 'compacted');
  }
}

/** A merged block written to the output but not yet published. */
interface MergedBlock {
  /** Undefined when the inputs held no samples (nothing written). */
  readonly meta: BlockMeta | undefined;
  readonly reencodedSeries: number;
}
