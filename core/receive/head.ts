/**
 * @module core/receive/head — a receive shard's in-memory head: per tenant, per series, XOR
 * chunks cut as Prometheus's head cuts them (core/tsdb/writer/chunk-cutter.ts, chunk range = block
 * duration, so no chunk crosses a block boundary), with Prometheus 2.42's append rules:
 *
 * - older than the series' newest sample: "out of order sample";
 * - the same timestamp with other value bits: "duplicate sample for timestamp"; with the same bits
 *   it is a retry and is skipped silently (remote write resends after a lost ack);
 * - older than the tenant head's newest sample minus half a block, or than what was already cut
 *   into a block: "out of bounds" (too old).
 *
 * A request is checked whole before any sample is applied, so a rejected request leaves the head
 * (and the durable log) exactly as it was. Durability is the caller's: it logs the request's bytes
 * before acknowledging (worker/receive-shard.ts), and replays the log into a new head after a restart.
 */
import { ENCODING_XOR, XorAppender } from '../chunkenc/xor.ts';
import { BadDataError, LimitExceededError } from '../errors.ts';
import { labelsToString, type Label, type Labels } from '../labels/labels.ts';
import { ChunkCutter } from '../tsdb/writer/chunk-cutter.ts';
import type { ChunkMeta } from '../tsdb/writer/chunk-writer.ts';
import { ByteStrings } from './byte-strings.ts';
import { keyString, SeriesKeys } from './series-keys.ts';
import {
  canonicalKey,
  decodeSeriesLabels,
  labelsOfSeries,
  type WriteBatch,
} from './write-request.ts';

export interface HeadOptions {
  /** Block duration and chunk range in ms (Prometheus's 2h). */
  readonly blockDuration: number;
  /** Most series one tenant may have in this head; 0 = no limit. */
  readonly maxSeriesPerTenant?: number;
}

/** A head's chunks start small: a series' first chunk costs no backing store (see XorAppenderOptions). */
const HEAD_CHUNK_OPTIONS = { initialBytes: 64 } as const;

/** What a request's check pass tracks per series: its newest sample as the request goes. */
interface CheckState {
  chkEpoch: number;
  chkT: number;
  chkHi: number;
  chkLo: number;
}

/** A series a request would create (made a HeadSeries only once the whole request passed). */
interface PendingSeries extends CheckState {
  readonly key: string;
  readonly labels: Labels;
  created: HeadSeries | undefined;
}

export class HeadSeries implements CheckState {
  readonly chunks: ChunkMeta[] = [];
  chkEpoch = 0;
  chkT = -Infinity;
  chkHi = 0;
  chkLo = 0;
  /** Other encodings of its labels this series was sent under. */
  aliases: string[] | undefined;
  app: XorAppender | undefined;
  appMin = 0;
  cutter: ChunkCutter;
  /** Newest sample (-Infinity: none yet) and its value bits. */
  maxT = -Infinity;
  hi = 0;
  lo = 0;

  constructor(
    readonly ref: number,
    readonly tenant: TenantHead,
    /** canonicalKey(labels): how the series is found. */
    readonly key: string,
    readonly labels: Labels,
    readonly chunkRange: number,
  ) {
    this.cutter = new ChunkCutter(chunkRange);
  }

  append(t: number, hi: number, lo: number): void {
    if (this.cutter.startsChunk(t)) {
      this.closeChunk();
      this.app = new XorAppender(HEAD_CHUNK_OPTIONS);
      this.appMin = t;
    }
    this.app!.appendBits(t, hi, lo);
    this.cutter.appended(t);
    this.maxT = t;
    this.hi = hi;
    this.lo = lo;
  }

  /** Closes the open chunk ahead of its time (a block cut): the next sample starts a new one. */
  closeEarly(): void {
    this.closeChunk();
    this.cutter = new ChunkCutter(this.chunkRange);
  }

  closeChunk(): void {
    if (!this.app) return;
    this.chunks.push(this.#openChunk(this.app));
    this.app = undefined;
  }

  /** Closed chunks plus a snapshot of the open one, overlapping [mint, maxt]. */
  chunksIn(mint: number, maxt: number): ChunkMeta[] {
    const out = this.chunks.filter((c) => c.maxTime >= mint && c.minTime <= maxt);
    if (this.app && this.maxT >= mint && this.appMin <= maxt) out.push(this.#openChunk(this.app));
    return out;
  }

  /** The open chunk as it is now (its bytes copied). */
  #openChunk(app: XorAppender): ChunkMeta {
    return {
      minTime: this.appMin,
      maxTime: this.maxT,
      data: app.bytes(),
      encoding: ENCODING_XOR,
      numSamples: app.numSamples,
      ref: 0,
    };
  }
}

export class TenantHead {
  /** Its series, in the order they came (found by their keys in `keys`). */
  readonly series = new Set<HeadSeries>();
  /** Series by key bytes as sent: their canonical keys, and any other encoding a sender used. */
  readonly keys = new SeriesKeys<HeadSeries>();
  /** Earliest and newest sample held (±Infinity when empty). */
  minTime = Infinity;
  maxTime = -Infinity;
  /** Samples before this were cut into a block already: older appends are out of bounds. */
  minValidTime = -Infinity;
  /** Bumped when a series is added or dropped (readers cache sorted views by it). */
  generation = 0;
  /**
   * Wall-clock ms of the last append that added samples (or of this head's creation, a replay
   * included): a tenant is idle, and its ranges may be cut by the clock, only after a quiet spell.
   */
  lastAppendAt = Date.now();

  constructor(readonly tenant: string) {}
}

export interface AppendResult {
  readonly samples: number;
  /** Samples skipped as exact resends (same timestamp, same value). */
  readonly duplicates: number;
  /** Series this append created, for the log's series records (written before the samples). */
  readonly newSeries: readonly HeadSeries[];
  /** The applied samples as log rows (`LOG_ROW_BYTES` each: ref, t, value bits); empty if none. */
  readonly rows: Uint8Array;
  /** Newest timestamp among them (-Infinity if none). */
  readonly maxT: number;
}

/** A log row: series ref (u32), timestamp (f64), value high and low words (u32), little-endian. */
export const LOG_ROW_BYTES = 20;

export class ReceiveHead {
  readonly tenants = new Map<string, TenantHead>();
  readonly #byRef = new Map<number, HeadSeries>();
  /** Label names and values shared by the series (found by their bytes in a request). */
  readonly #strings = new ByteStrings();
  #nextRef = 1;
  #epoch = 0;
  readonly #opts: HeadOptions;

  constructor(opts: HeadOptions) {
    if (!(opts.blockDuration > 0)) throw new RangeError('head: block duration must be positive');
    this.#opts = opts;
  }

  get blockDuration(): number {
    return this.#opts.blockDuration;
  }

  tenant(name: string): TenantHead {
    let t = this.tenants.get(name);
    if (!t) {
      t = new TenantHead(name);
      this.tenants.set(name, t);
    }
    return t;
  }

  get numSeries(): number {
    return this.#byRef.size;
  }

  /**
   * Checks every sample of the batch, then applies them all; throws BadDataError (400) or
   * LimitExceededError (429) naming the series, with nothing applied. Series already in the
   * head are found by the bytes of their labels; only new ones are decoded and validated.
   */
  append(tenantName: string, batch: WriteBatch): AppendResult {
    const head = this.tenant(tenantName);
    const epoch = ++this.#epoch;
    const minValid = Math.max(head.minValidTime, head.maxTime - this.#opts.blockDuration / 2);
    const targets = new Array<HeadSeries | PendingSeries>(batch.series.length);
    // Key bytes as sent of series found only by their canonical key (a new encoding of one).
    let aliases: Array<string | undefined> | undefined;
    // Series this request creates, by canonical key.
    let fresh: SeriesKeys<PendingSeries> | undefined;
    const name = (i: number): string =>
      labelsToString(labelsOfSeries(batch.body, batch.series[i]!));
    for (let i = 0; i < batch.series.length; i++) {
      const s = batch.series[i]!;
      let target: HeadSeries | PendingSeries | undefined = head.keys.find(batch.body, s);
      // Sent twice in this request (canonical bytes are the key a pending series is kept under).
      target ??= fresh?.find(batch.body, s);
      if (!target) {
        const { labels, canonical } = decodeSeriesLabels(batch.body, s, this.#strings);
        let key: string;
        if (canonical) {
          // Canonical bytes not found are a series the head does not hold.
          key = keyString(batch.body, s);
        } else {
          key = canonicalKey(labels);
          target = head.keys.get(key) ?? fresh?.get(key);
          (aliases ??= new Array<string | undefined>(batch.series.length))[i] = keyString(
            batch.body,
            s,
          );
        }
        if (!target) {
          const pending: PendingSeries = {
            key,
            labels,
            created: undefined,
            chkEpoch: epoch,
            chkT: -Infinity,
            chkHi: 0,
            chkLo: 0,
          };
          (fresh ??= new SeriesKeys()).set(key, pending, canonical ? s.keyHash : undefined);
          target = pending;
        }
      }
      if (target.chkEpoch !== epoch) {
        const hs = target as HeadSeries;
        hs.chkEpoch = epoch;
        hs.chkT = hs.maxT;
        hs.chkHi = hs.hi;
        hs.chkLo = hs.lo;
      }
      targets[i] = target;
      for (let j = s.first; j < s.first + s.count; j++) {
        const t = batch.t[j]!;
        const hi = batch.v[2 * j]!;
        const lo = batch.v[2 * j + 1]!;
        if (t < minValid) {
          throw new BadDataError(
            `out of bounds: sample at ${t} is older than ${minValid} (too old) for series ${name(i)}`,
          );
        }
        if (t < target.chkT) {
          throw new BadDataError(
            `out of order sample: timestamp ${t} is before the newest ${target.chkT} of series ${name(i)}`,
          );
        }
        if (t === target.chkT && (hi !== target.chkHi || lo !== target.chkLo)) {
          throw new BadDataError(
            `duplicate sample for timestamp ${t} with a different value for series ${name(i)}`,
          );
        }
        target.chkT = t;
        target.chkHi = hi;
        target.chkLo = lo;
      }
    }
    const limit = this.#opts.maxSeriesPerTenant ?? 0;
    const adding = fresh?.size ?? 0;
    if (limit > 0 && adding > 0 && head.series.size + adding > limit) {
      throw new LimitExceededError(
        `tenant ${JSON.stringify(tenantName)}: ${head.series.size + adding} series would exceed the limit of ${limit} per receive shard`,
      );
    }
    return this.#apply(head, batch, targets, aliases);
  }

  #apply(
    head: TenantHead,
    batch: WriteBatch,
    targets: ReadonlyArray<HeadSeries | PendingSeries>,
    aliases: ReadonlyArray<string | undefined> | undefined,
  ): AppendResult {
    const rows = new Uint8Array(batch.numSamples * LOG_ROW_BYTES);
    const view = new DataView(rows.buffer);
    let n = 0;
    let duplicates = 0;
    let maxT = -Infinity;
    const created: HeadSeries[] = [];
    for (let i = 0; i < batch.series.length; i++) {
      const s = batch.series[i]!;
      const target = targets[i]!;
      let hs: HeadSeries;
      if (target instanceof HeadSeries) {
        hs = target;
      } else {
        if (!target.created) {
          // Held only now: the strings of a refused request's new series are not kept.
          target.created = this.#create(
            head,
            target.key,
            this.#intern(target.labels),
            this.#nextRef++,
          );
          created.push(target.created);
        }
        hs = target.created;
      }
      const sent = aliases?.[i];
      if (sent !== undefined) {
        if (sent !== hs.key && head.keys.get(sent) === undefined) {
          head.keys.set(sent, hs);
          (hs.aliases ??= []).push(sent);
        }
      }
      for (let j = s.first; j < s.first + s.count; j++) {
        const t = batch.t[j]!;
        if (t <= hs.maxT) {
          duplicates++;
          continue;
        }
        const hi = batch.v[2 * j]!;
        const lo = batch.v[2 * j + 1]!;
        this.#appendTo(head, hs, t, hi, lo);
        const at = n++ * LOG_ROW_BYTES;
        view.setUint32(at, hs.ref, true);
        view.setFloat64(at + 4, t, true);
        view.setUint32(at + 12, hi, true);
        view.setUint32(at + 16, lo, true);
        if (t > maxT) maxT = t;
      }
    }
    if (n > 0) head.lastAppendAt = Date.now();
    return {
      samples: n,
      duplicates,
      newSeries: created,
      rows: rows.subarray(0, n * LOG_ROW_BYTES),
      maxT,
    };
  }

  /** Label strings shared between series (names and common values repeat in every series). */
  #intern(labels: Labels): Labels {
    return labels.map((l) => ({
      name: this.#strings.intern(l.name),
      value: this.#strings.intern(l.value),
    }));
  }

  /** Label strings held for the series (until `forgetStrings`). */
  get heldStrings(): number {
    return this.#strings.size;
  }

  /** Forgets interned strings (after a cut, so dropped series' strings can go). */
  forgetStrings(): void {
    this.#strings.clear();
  }

  #create(head: TenantHead, key: string, labels: Labels, ref: number): HeadSeries {
    const hs = new HeadSeries(ref, head, key, labels, this.#opts.blockDuration);
    head.series.add(hs);
    head.keys.set(key, hs);
    head.generation++;
    this.#byRef.set(ref, hs);
    return hs;
  }

  #appendTo(head: TenantHead, hs: HeadSeries, t: number, hi: number, lo: number): void {
    hs.append(t, hi, lo);
    if (t < head.minTime) head.minTime = t;
    if (t > head.maxTime) head.maxTime = t;
  }

  /** Replay: a series record from the log. */
  restoreSeries(ref: number, tenantName: string, labels: Labels): void {
    const head = this.tenant(tenantName);
    const key = canonicalKey(labels);
    if (head.keys.get(key) === undefined) this.#create(head, key, this.#intern(labels), ref);
    if (ref >= this.#nextRef) this.#nextRef = ref + 1;
  }

  /** Replay: a tenant's cut boundary from the log. */
  restoreMinValidTime(tenantName: string, t: number): void {
    const head = this.tenant(tenantName);
    head.minValidTime = Math.max(head.minValidTime, t);
  }

  /**
   * Replay: log rows. Rows were checked when written; here only what a block already holds (older
   * than the tenant's cut) or what is already in (a row replayed twice) is skipped.
   */
  replayRows(rows: Uint8Array): number {
    const view = new DataView(rows.buffer, rows.byteOffset, rows.byteLength);
    let applied = 0;
    for (let at = 0; at + LOG_ROW_BYTES <= rows.length; at += LOG_ROW_BYTES) {
      const hs = this.#byRef.get(view.getUint32(at, true));
      if (!hs) continue;
      const t = view.getFloat64(at + 4, true);
      if (t < hs.tenant.minValidTime || t <= hs.maxT) continue;
      this.#appendTo(
        hs.tenant,
        hs,
        t,
        view.getUint32(at + 12, true),
        view.getUint32(at + 16, true),
      );
      applied++;
    }
    return applied;
  }

  /** Drops every series left without samples (a replay whose log no longer holds theirs). */
  dropEmptySeries(): void {
    for (const t of this.tenants.values()) {
      for (const hs of [...t.series.values()]) {
        if (hs.chunks.length === 0 && !hs.app) this.dropSeries(hs);
      }
    }
  }

  /** Drops a series that holds no samples any more (after a cut). */
  dropSeries(hs: HeadSeries): void {
    const head = hs.tenant;
    head.series.delete(hs);
    head.keys.delete(hs.key);
    for (const a of hs.aliases ?? []) head.keys.delete(a);
    head.generation++;
    this.#byRef.delete(hs.ref);
  }
}
