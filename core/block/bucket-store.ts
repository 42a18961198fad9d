/**
 * @module core/block/bucket-store — the store gateway's Store over a bucket (Thanos's
 * BucketStore): blocks pruned by time, resolution and external labels; per block a cursor
 * (postings → series → chunks, read a batch at a time); the cursors of all blocks merged by
 * labels into one stream, so a request's memory is about two batches per block, not the blocks'
 * data. A block that cannot be read becomes a warning naming it, never a failed query (unless the
 * request asked for the abort strategy). The answer ends with a hints frame saying what it cost.
 *
 * A store shard lists the whole bucket and chooses the blocks of a request (resolution, finer
 * fallback) over all of them, then serves only its own: so the shards' answers together are the
 * one store's answer, whichever shard holds a raw block and which its downsampled copy.
 */
import { BadDataError, CorruptBlockError, LimitExceededError, errorMessage } from '../errors.ts';
import {
  compareLabelsIgnoring,
  compareStrings,
  getLabel,
  withExternal,
  type Labels,
} from '../labels/labels.ts';
import type { Matcher } from '../labels/matcher.ts';
import { mergeCursors } from '../storeapi/merge.ts';
import { addStoreStats, newStoreStats, type StoreStats } from '../storeapi/stats.ts';
import type {
  AggrChunk,
  LabelsRequest,
  LabelsResponse,
  SeriesFrame,
  SeriesRequest,
  Store,
  StoreInfo,
} from '../storeapi/store.ts';
import { chunkFileBytes, type BlockMeta } from '../tsdb/meta.ts';
import { BlockCursor, type CursorSeries } from './block-cursor.ts';
import { BlockSet, describeOpenFailure, type BlockFiles } from './block-set.ts';
import type { PackedHeaderReader } from './header-pack.ts';
import type { MetaFetcher, SkippedBlock, SyncResult } from './meta-fetcher.ts';
import { chunkSamples } from '../storeapi/chunk-samples.ts';
import { forEachLimit } from './concurrency.ts';
import { selectResolution } from './resolution.ts';
import { DEFAULT_MEMO_BYTES, SelectionMemo } from './selection-memo.ts';
import { duplicateBlocks } from './duplicate-filter.ts';

export { withExternal };

/** Blocks one request works on at once, unless `concurrency` says otherwise. */
export const DEFAULT_BLOCK_CONCURRENCY = 16;

export interface BucketStoreOptions {
  /** Re-list the bucket when the last sync is older than this, ms (default 60s). */
  readonly syncInterval?: number;
  /** Series per request before it fails (0 = unlimited; Thanos `--store.limits.request-series`). */
  readonly maxSeries?: number;
  /** Samples per request before it fails, counted from chunk headers (Thanos `--store.limits.request-samples`). */
  readonly maxSamples?: number;
  /** Bytes of chunks one request may hold across its blocks' batches (default 32 MiB). */
  readonly chunkBudget?: number;
  /** Blocks opened at once by one request (default DEFAULT_BLOCK_CONCURRENCY). */
  readonly concurrency?: number;
  /**
   * Bytes (estimated) of decoded index answers kept across requests: the series each selector
   * picks in each block, and small selections' series entries (default 8 MiB; 0 = none).
   */
  readonly selectionMemoBytes?: number;
  readonly now?: () => number;
  /**
   * This store's share of the bucket (a store shard's; default every block), asked with a block's
   * ULID and meta, or with the ULID alone for a block skipped at sync. Blocks are chosen for a
   * request over every block listed, and then only the owned ones are read.
   */
  readonly owns?: (id: string, meta?: BlockMeta) => boolean;
  /**
   * Requests may wait on I/O that another request started: a listing, a block's open, the
   * packed headers it reads (default false: only within one request; see BlockSet.get). True in
   * a Durable Object, where the requests share one I/O context; else two requests arriving at a
   * fresh store (a query's two selectors) each read every pack and open every block.
   */
  readonly sharedIo?: boolean;
}

interface Selected {
  readonly meta: BlockMeta;
  readonly external: Labels;
  /** Matchers left after those on external labels were checked against the block. */
  readonly matchers: readonly Matcher[];
  /** Key of the external label set (resolution selection stays within one). */
  readonly group: string;
}

export class BucketStore implements Store {
  readonly #fetcher: MetaFetcher;
  readonly #blocks: BlockSet;
  readonly #opts: BucketStoreOptions;
  readonly #memo: SelectionMemo | undefined;
  #last: SyncResult | undefined;
  #syncing: { promise: Promise<SyncResult>; owner: object | undefined } | undefined;
  /** Why the last re-list failed, while the blocks of the one before are still served. */
  #staleBecause: string | undefined;
  /** When the blocks served were listed (the last successful sync). */
  #listedAt = 0;

  constructor(fetcher: MetaFetcher, blocks: BlockSet, options: BucketStoreOptions = {}) {
    this.#fetcher = fetcher;
    this.#blocks = blocks;
    this.#opts = options;
    const memoBytes = options.selectionMemoBytes ?? DEFAULT_MEMO_BYTES;
    this.#memo = memoBytes > 0 ? new SelectionMemo(memoBytes) : undefined;
  }

  /** Decoded index answers kept across requests, if any (for metrics). */
  get selectionMemo(): SelectionMemo | undefined {
    return this.#memo;
  }

  /**
   * Lists the bucket again if the last sync is older than the interval; concurrent callers share
   * one sync when they are one request (`owner`; see BlockSet.get for why not across requests).
   * A failed re-list keeps the blocks of the last good one (and says so in warnings): a bucket
   * that is down for a minute must not make every block vanish.
   */
  async sync(force = false, owner?: object): Promise<SyncResult> {
    const now = (this.#opts.now ?? Date.now)();
    const interval = this.#opts.syncInterval ?? 60_000;
    if (!force && this.#last && now - this.#last.at < interval) return this.#last;
    if (this.#syncing && (owner === undefined || this.#syncing.owner === owner)) {
      return this.#syncing.promise;
    }
    {
      const promise: Promise<SyncResult> = this.#fetcher
        .sync()
        .then(
          (listed) => {
            const r = withoutDuplicates(listed);
            this.#last = r;
            this.#listedAt = r.at;
            this.#staleBecause = undefined;
            const ids = new Set(r.metas.keys());
            this.#blocks.retain(ids);
            this.#memo?.retain(ids);
            return r;
          },
          (err: unknown) => {
            if (!this.#last) throw err;
            this.#staleBecause = `bucket re-list failed, serving the blocks listed at ${new Date(this.#listedAt).toISOString()}: ${errorMessage(err)}`;
            // Try again at the next request after a short pause, not after a whole interval
            // (#listedAt keeps when the blocks served were really listed).
            this.#last = { ...this.#last, at: now - interval + Math.min(interval, 5000) };
            return this.#last;
          },
        )
        .finally(() => {
          if (this.#syncing?.promise === promise) this.#syncing = undefined;
        });
      this.#syncing = { promise, owner };
      return promise;
    }
  }

  /** Who may share the I/O a request starts (`sharedIo`: every request). */
  #owner(signal: AbortSignal | undefined): object {
    return this.#opts.sharedIo ? this : (signal ?? {});
  }

  /** Set while the blocks served are those of an older listing (the last re-list failed). */
  get staleBecause(): string | undefined {
    return this.#staleBecause;
  }

  /** The block set (open blocks, header counters) for metrics. */
  get blocks(): BlockSet {
    return this.#blocks;
  }

  /** This store's blocks skipped at the last sync, with why (partial upload, deletion mark, corrupt meta). */
  get skipped(): readonly SkippedBlock[] {
    const owns = this.#opts.owns;
    const all = this.#last?.skipped ?? [];
    return owns ? all.filter((s) => owns(s.id)) : all;
  }

  /** How many blocks the last sync gave this store to serve (its share, when it is a shard). */
  get loaded(): number {
    let n = 0;
    for (const m of this.#last?.metas.values() ?? []) if (this.#owns(m)) n++;
    return n;
  }

  /**
   * The blocks this store serves (its share, when it is a shard) and those skipped, after a sync.
   * A block found corrupt by a read is listed as skipped (`corrupt`, with the read's error), not
   * as served: queries keep trying it and warn, but the listing tells the truth.
   */
  async served(owner?: object): Promise<{ metas: BlockMeta[]; skipped: readonly SkippedBlock[] }> {
    const { metas } = await this.sync(false, owner);
    for (const id of this.#corrupt.keys()) if (!metas.has(id)) this.#corrupt.delete(id);
    const mine = [...metas.values()].filter((m) => this.#owns(m));
    const corrupt = mine.filter((m) => this.#corrupt.has(m.ulid));
    return {
      metas: mine.filter((m) => !this.#corrupt.has(m.ulid)),
      skipped: [...this.skipped, ...corrupt.map((m) => this.#corrupt.get(m.ulid)!)].sort((a, b) =>
        a.id < b.id ? -1 : 1,
      ),
    };
  }

  /** What every series request answered so far has cost and returned (for /metrics). */
  readonly totals: StoreStats = newStoreStats();
  seriesRequests = 0;

  /** Blocks a read found corrupt (bad checksum, magic, offset), by ULID: immutable, so it stays. */
  readonly #corrupt = new Map<string, SkippedBlock>();

  #noteCorrupt(meta: BlockMeta, err: unknown, detail: string): void {
    for (let e: unknown = err; e instanceof Error; e = e.cause) {
      if (e instanceof CorruptBlockError) {
        this.#corrupt.set(meta.ulid, { id: meta.ulid, reason: 'corrupt', detail });
        return;
      }
    }
  }

  #owns(meta: BlockMeta): boolean {
    return this.#opts.owns?.(meta.ulid, meta) ?? true;
  }

  async info(signal?: AbortSignal): Promise<StoreInfo> {
    const { metas } = await this.sync(false, this.#owner(signal));
    let minTime = Infinity;
    let maxTime = -Infinity;
    const sets = new Map<string, Labels>();
    for (const m of metas.values()) {
      if (!this.#owns(m)) continue;
      minTime = Math.min(minTime, m.minTime);
      maxTime = Math.max(maxTime, m.maxTime);
      const { labels, key } = externalEntry(m);
      sets.set(key, labels);
    }
    return {
      storeType: 'store',
      labelSets: [...sets.values()].filter((s) => s.length > 0),
      minTime: Number.isFinite(minTime) ? minTime : 0,
      maxTime: Number.isFinite(maxTime) ? maxTime : 0,
    };
  }

  #select(
    metas: Iterable<BlockMeta>,
    minTime: number,
    maxTime: number,
    matchers: readonly Matcher[],
    maxResolution: number,
  ): Selected[] {
    const out: Selected[] = [];
    for (const meta of metas) {
      // meta.maxTime is exclusive.
      if (meta.maxTime <= minTime || meta.minTime > maxTime) continue;
      const { labels: external, key: group } = externalEntry(meta);
      const left: Matcher[] = [];
      let ok = true;
      for (const m of matchers) {
        const ext = external.find((l) => l.name === m.name);
        if (!ext) left.push(m);
        else if (!m.matches(ext.value)) ok = false;
      }
      if (ok) out.push({ meta, external, matchers: left, group });
    }
    // Chosen over the whole bucket, then narrowed to this store's share: a shard must not fall
    // back to raw data whose coarse copy another shard serves, nor miss a gap another fills.
    return selectResolution(out, minTime, maxTime, maxResolution).filter((s) => this.#owns(s.meta));
  }

  async *series(request: SeriesRequest, signal?: AbortSignal): AsyncGenerator<SeriesFrame> {
    if (!Number.isFinite(request.minTime) || !Number.isFinite(request.maxTime)) {
      throw new BadDataError(
        `series request: time range [${request.minTime}, ${request.maxTime}] is not a range of numbers`,
      );
    }
    const owner = this.#owner(signal);
    const { metas, files, headers } = await this.sync(false, owner);
    const selected = this.#select(
      metas.values(),
      request.minTime,
      request.maxTime,
      request.matchers,
      request.maxResolutionWindow,
    );
    const abort = request.partialResponseStrategy === 'abort';
    const ignored = new Set(request.withoutReplicaLabels ?? []);
    const compare = (a: Labels, b: Labels): number => compareLabelsIgnoring(a, b, ignored);
    const stats = newStoreStats();
    const warnings: string[] = [];
    if (this.#staleBecause) warnings.push(this.#staleBecause);
    const fail = (meta: BlockMeta, err: unknown): void => {
      if (err instanceof LimitExceededError) throw err;
      const msg = describeOpenFailure(meta, err);
      this.#noteCorrupt(meta, err, msg);
      if (abort) throw new Error(msg, { cause: err });
      warnings.push(msg);
    };
    const cursors: BlockCursor[] = [];
    const packed = this.#blocks.packedHeaders(
      headers,
      selected.map((s) => s.meta.ulid),
      stats.other,
      () => this.#fetcher.packUnreadable(),
    );
    await forEachLimit(selected, this.#opts.concurrency ?? DEFAULT_BLOCK_CONCURRENCY, async (s) => {
      if (signal?.aborted) return;
      try {
        const block = await this.#blocks.get(
          s.meta,
          blockFiles(files, packed, s.meta.ulid),
          stats.other,
          owner,
        );
        const cursor = new BlockCursor(block, {
          mint: request.minTime,
          maxt: request.maxTime,
          matchers: s.matchers,
          external: s.external,
          replicaLabels: ignored,
          compare,
          skipChunks: request.skipChunks,
          aggregates: request.aggregates,
          batchSeries: this.#batchSeries(s.meta, selected.length, request),
          stats,
          ...(this.#memo ? { memo: this.#memo } : {}),
        });
        await cursor.advance();
        const failure = cursor.takeFailure();
        if (failure) throw failure;
        cursors.push(cursor);
      } catch (err) {
        fail(s.meta, err);
      }
    });
    signal?.throwIfAborted();
    // In time order (they were opened concurrently): a series' chunks then come out of a group
    // already sorted (groups keep the cursors' order).
    cursors.sort((a, b) => a.block.meta.minTime - b.block.meta.minTime);
    stats.blocksQueried = cursors.length;
    for (const w of warnings.splice(0)) yield { type: 'warning', warning: w };
    let seriesCount = 0;
    let samples = 0;
    let previous: readonly BlockCursor[] = [];
    const failures = (moved: readonly BlockCursor[]): void => {
      for (const c of moved) {
        const f = c.takeFailure();
        if (f) fail(c.block.meta, f);
      }
    };
    for await (const group of mergeCursors<CursorSeries, BlockCursor>(cursors, (a, b) =>
      compare(a.labels, b.labels),
    )) {
      failures(previous);
      for (const w of warnings.splice(0)) yield { type: 'warning', warning: w };
      previous = group;
      signal?.throwIfAborted();
      const head = group[0]!.head!;
      let chunks = head.chunks;
      if (group.length > 1) {
        // The same series in several blocks: one frame, chunks in time order.
        chunks = group.flatMap((c) => c.head!.chunks);
        if (!ascendingByMinTime(chunks))
          (chunks as AggrChunk[]).sort((a, b) => a.minTime - b.minTime);
      }
      seriesCount++;
      if (this.#opts.maxSeries && seriesCount > this.#opts.maxSeries) {
        throw new LimitExceededError(
          `exceeded series limit: limit ${this.#opts.maxSeries} violated (got ${seriesCount})`,
        );
      }
      if (this.#opts.maxSamples && !request.skipChunks) {
        for (const c of chunks) samples += chunkSamples(c);
        if (samples > this.#opts.maxSamples) {
          throw new LimitExceededError(
            `exceeded samples limit: limit ${this.#opts.maxSamples} violated (got ${samples})`,
          );
        }
      }
      if (request.limit && seriesCount > request.limit) break;
      stats.mergedSeries++;
      stats.mergedChunks += chunks.length;
      yield { type: 'series', labels: head.labels, chunks };
    }
    failures(cursors);
    for (const w of warnings.splice(0)) yield { type: 'warning', warning: w };
    addStoreStats(this.totals, stats);
    this.seriesRequests++;
    yield { type: 'hints', stats };
  }

  /**
   * Series per batch for one block: its share of the request's chunk budget (two batches in
   * flight per block), over what a series' chunks in the asked range are expected to weigh.
   */
  #batchSeries(meta: BlockMeta, blocks: number, request: SeriesRequest): number {
    if (request.skipChunks) return MAX_BATCH;
    const budget = (this.#opts.chunkBudget ?? 32 * 1024 * 1024) / (2 * Math.max(1, blocks));
    let chunkBytes = chunkFileBytes(meta);
    if (chunkBytes === 0) chunkBytes = (meta.stats?.numSamples ?? 0) * 1.5;
    const span = Math.max(1, meta.maxTime - meta.minTime);
    const overlap =
      (Math.min(request.maxTime, meta.maxTime) - Math.max(request.minTime, meta.minTime)) / span;
    const perSeries =
      (chunkBytes / Math.max(1, meta.stats?.numSeries ?? 1)) * Math.min(1, Math.max(0.05, overlap));
    const n = Math.floor(budget / Math.max(1, perSeries));
    return Number.isFinite(n) ? Math.min(MAX_BATCH, Math.max(MIN_BATCH, n)) : MIN_BATCH;
  }

  async labelNames(request: LabelsRequest, signal?: AbortSignal): Promise<LabelsResponse> {
    return this.#labels(
      request,
      this.#owner(signal),
      (ls, into) => {
        for (const l of ls) into.add(l.name);
      },
      (block, into) => {
        for (const n of block.index.labelNames()) into.add(n);
      },
      true,
    );
  }

  async labelValues(
    name: string,
    request: LabelsRequest,
    signal?: AbortSignal,
  ): Promise<LabelsResponse> {
    return this.#labels(
      request,
      this.#owner(signal),
      (ls, into) => {
        const v = getLabel(ls, name);
        if (v !== '') into.add(v);
      },
      (block, into, ext) => {
        const e = ext.find((l) => l.name === name);
        if (e) into.add(e.value);
        else for (const v of block.index.labelValues(name)) into.add(v);
      },
      false,
    );
  }

  async #labels(
    request: LabelsRequest,
    owner: object,
    fromSeries: (ls: Labels, into: Set<string>) => void,
    fromIndex: (
      block: Awaited<ReturnType<BlockSet['get']>>,
      into: Set<string>,
      ext: Labels,
    ) => void,
    addExternalNames: boolean,
  ): Promise<LabelsResponse> {
    const { metas, files, headers } = await this.sync(false, owner);
    const selected = this.#select(
      metas.values(),
      request.start,
      request.end,
      request.matchers,
      Infinity,
    );
    const into = new Set<string>();
    const warnings: string[] = this.#staleBecause ? [this.#staleBecause] : [];
    const packed = this.#blocks.packedHeaders(
      headers,
      selected.map((s) => s.meta.ulid),
      undefined,
      () => this.#fetcher.packUnreadable(),
    );
    await forEachLimit(selected, this.#opts.concurrency ?? DEFAULT_BLOCK_CONCURRENCY, async (s) => {
      try {
        const block = await this.#blocks.get(
          s.meta,
          blockFiles(files, packed, s.meta.ulid),
          undefined,
          owner,
        );
        if (s.matchers.length === 0) {
          fromIndex(block, into, s.external);
          if (addExternalNames) for (const l of s.external) into.add(l.name);
          return;
        }
        for await (const series of block.select(s.matchers, request.start, request.end, {
          skipChunks: true,
        })) {
          fromSeries(withExternal(series.labels, s.external), into);
        }
      } catch (err) {
        const msg = describeOpenFailure(s.meta, err);
        this.#noteCorrupt(s.meta, err, msg);
        if (request.partialResponseStrategy === 'abort') throw new Error(msg, { cause: err });
        warnings.push(msg);
      }
    });
    into.delete('');
    const values = [...into].sort(compareStrings);
    return { values: request.limit ? values.slice(0, request.limit) : values, warnings };
  }
}

/** What a request knows about a block before opening it: its listed files, its packed header. */
/**
 * A sync without the blocks a compaction's output already covers (Thanos's DeduplicateFilter,
 * over the whole bucket so that every shard agrees): they are listed as skipped, naming the block
 * served instead.
 */
function withoutDuplicates(r: SyncResult): SyncResult {
  const dup = duplicateBlocks(r.metas.values());
  if (dup.size === 0) return r;
  const metas = new Map(r.metas);
  const files = new Map(r.files);
  const headers = r.headers ? new Map(r.headers) : undefined;
  const skipped: SkippedBlock[] = [...r.skipped];
  for (const [id, cover] of dup) {
    metas.delete(id);
    files.delete(id);
    headers?.delete(id);
    skipped.push({
      id,
      reason: 'duplicate',
      detail: `block ${id}: every source of it is in block ${cover}, which is served instead`,
    });
  }
  skipped.sort((a, b) => (a.id < b.id ? -1 : 1));
  return { ...r, metas, files, skipped, ...(headers ? { headers } : {}) };
}

function blockFiles(
  files: ReadonlyMap<string, ReadonlySet<string>>,
  packed: PackedHeaderReader | undefined,
  id: string,
): BlockFiles {
  return {
    files: files.get(id),
    ...(packed ? { header: () => packed.get(id) } : {}),
  };
}

/** A block's external labels, sorted, and their set's key; made once per meta (they never change). */
const externalOf = new WeakMap<BlockMeta, { readonly labels: Labels; readonly key: string }>();

function externalEntry(meta: BlockMeta): { readonly labels: Labels; readonly key: string } {
  let e = externalOf.get(meta);
  if (!e) {
    const ext = meta.thanos?.labels ?? {};
    const labels = Object.keys(ext)
      .sort(compareStrings)
      .map((name) => ({ name, value: ext[name]! }));
    e = { labels, key: JSON.stringify(labels) };
    externalOf.set(meta, e);
  }
  return e;
}

/**
 * A block's external labels, sorted. Shared by every caller for the meta's life (a request
 * touches each block of the bucket at least once): not to be modified.
 */
export function externalLabels(meta: BlockMeta): Labels {
  return externalEntry(meta).labels;
}

/**
 * Series per batch: bounds for the per-block batch size. The floor is what a block costs a
 * request however tight the budget (two batches of it in flight): kept small, so the budget, not
 * the number of blocks, bounds a request's memory.
 */
const MIN_BATCH = 4;
const MAX_BATCH = 2048;

function ascendingByMinTime(chunks: readonly AggrChunk[]): boolean {
  for (let i = 1; i < chunks.length; i++)
    if (chunks[i]!.minTime < chunks[i - 1]!.minTime) return false;
  return true;
}
