/**
 * @module worker/receive-shard — a receive shard (Thanos's ingester) as a Durable Object: a head
 * for the series the ring sends it, a write-ahead log in its SQLite storage (written before the
 * acknowledgement), the StoreAPI over its recent data, and an alarm that cuts completed block
 * ranges into the bucket and truncates head and log. A new isolate (restart, eviction) replays the
 * log before it serves anything.
 */
import { DurableObject } from 'cloudflare:workers';
import { Hono } from 'hono';
import { apiErrorResponse } from '../core/api/error-response.ts';
import { BadDataError, errorMessage, LimitExceededError } from '../core/errors.ts';
import { bucketSinkFactory } from '../core/block/bucket-sink.ts';
import type { Labels } from '../core/labels/labels.ts';
import { cutBlock, cuttableRange, truncateHead } from '../core/receive/cut.ts';
import { ReceiveHead } from '../core/receive/head.ts';
import { HeadStore } from '../core/receive/head-store.ts';
import { decodeWriteRequest } from '../core/receive/write-request.ts';
import { ScratchBytes } from '../core/scratch-bytes.ts';
import { SnappyError, snappyDecode } from '../core/tsdb/wal/snappy.ts';
import { storeApiRoutes } from '../core/storeapi/http-server.ts';
import type { Env } from './env.ts';
import { family, sample, type Family } from './metrics.ts';
import { bucketFromEnv } from './objstore.ts';
import { receiveSettings, tenantExternalLabels, type ReceiveSettings } from './receive-settings.ts';
import { ReceiveLog } from './receive-log.ts';
import { hasBucket } from './store-gateway.ts';

/** Request header naming the shard (`i/n`) a StoreAPI or control request is for. */
export const RECEIVE_SHARD_HEADER = 'x-thanos-edge-receive-shard';
/** How a write's body comes: `snappy` (the sender's request as it came) or `raw` (a decoded part). */
export type WriteBodyEncoding = 'snappy' | 'raw';

/** A shard's answer to a write: 200, or 400 / 429 with the message the sender gets. */
export interface ShardWriteAnswer {
  readonly status: 200 | 400 | 429;
  readonly samples: number;
  readonly duplicates: number;
  readonly message: string;
}

/**
 * One reused buffer per isolate for decoded requests up to 8 MiB, shared by the router (which
 * splits the decoded body into copies) and the shards (which append it): each uses it only
 * within a synchronous step.
 */
const decodeScratch = new ScratchBytes(8 * 1024 * 1024);
const decodeScratchTake = (n: number): Uint8Array => decodeScratch.take(n);

interface Counters {
  samples: number;
  duplicates: number;
  rejected: number;
  requests: number;
  blocks: number;
  cutFailures: number;
  replayedSamples: number;
  lastCutError: string;
}

/**
 * A sender's snappy body decoded into the isolate's reused buffer (valid until the caller next
 * awaits); bad snappy is the sender's bad data (400).
 */
export function decodeSenderBody(compressed: Uint8Array, maxDecoded: number): Uint8Array {
  try {
    return snappyDecode(compressed, maxDecoded, decodeScratchTake);
  } catch (err) {
    if (err instanceof SnappyError) {
      throw new BadDataError(`snappy decode error: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

export class ReceiveShard extends DurableObject<Env> {
  readonly #settings: ReceiveSettings;
  readonly #head: ReceiveHead;
  readonly #log: ReceiveLog;
  readonly #app: Hono<{ Bindings: Env }>;
  readonly #counters: Counters = {
    samples: 0,
    duplicates: 0,
    rejected: 0,
    requests: 0,
    blocks: 0,
    cutFailures: 0,
    replayedSamples: 0,
    lastCutError: '',
  };
  /** One store over the head: its metric-name index is rebuilt only when series come or go. */
  readonly #store: HeadStore;
  #shard: string | undefined;
  #cutting: Promise<void> | undefined;
  /** Whether a cut alarm is pending (undefined: not yet read from storage by this instance). */
  #alarmSet: boolean | undefined;
  /** Cut ranges still in the head for readers, truncated once `until` has passed. */
  #kept: Array<{ tenant: string; before: number; until: number }> = [];

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#settings = receiveSettings(env);
    this.#head = new ReceiveHead({
      blockDuration: this.#settings.blockDuration,
      maxSeriesPerTenant: this.#settings.maxSeriesPerTenant,
    });
    this.#log = new ReceiveLog(ctx.storage.sql);
    this.#store = new HeadStore(this.#head, { externalLabels: (t) => this.#externalLabels(t) });
    this.#shard = this.#log.setting('shard');
    // Nothing is served before the head holds everything the log acknowledged.
    void ctx.blockConcurrencyWhile(async () => {
      this.#counters.replayedSamples = this.#log.replay(this.#head).samples;
    });
    this.#app = this.#routes();
  }

  override fetch(request: Request): Response | Promise<Response> {
    return this.#app.fetch(request, this.env);
  }

  override async alarm(): Promise<void> {
    try {
      await this.#cut();
    } finally {
      // The running alarm still shows in getAlarm() and is cleared when this returns.
      await this.#scheduleCut(true);
    }
  }

  #externalLabels(tenant: string): Labels {
    return tenantExternalLabels(this.#settings, this.#shard ?? '0', tenant);
  }

  /**
   * A write from the Worker's router, by Durable Object RPC (no HTTP request and response per
   * shard and write): `shard` is this object's `i/n`, `body` a sender's snappy body or a decoded part.
   * Answers 200 with what was appended, or 400 / 429 with the message the sender gets.
   */
  async write(
    tenant: string,
    shard: string,
    body: Uint8Array,
    encoding: WriteBodyEncoding,
  ): Promise<ShardWriteAnswer> {
    this.#noteShard(shard);
    return this.#append(tenant, body, encoding);
  }

  #noteShard(header: string): void {
    const shard = header.split('/')[0];
    if (shard !== undefined && shard !== this.#shard) {
      this.#shard = shard;
      this.#log.setSetting('shard', shard);
    }
  }

  async #append(
    tenant: string,
    sent: Uint8Array,
    encoding: WriteBodyEncoding,
  ): Promise<ShardWriteAnswer> {
    this.#counters.requests++;
    try {
      // From here to the answer nothing awaits: the scratch buffer the body is decoded into is
      // not reused before the head and the log are done with it (neither keeps a reference).
      const body =
        encoding === 'snappy' ? decodeSenderBody(sent, this.#settings.maxDecodedBytes) : sent;
      const batch = decodeWriteRequest(body);
      const r = this.#head.append(tenant, batch);
      if (r.samples > 0) {
        this.ctx.storage.transactionSync(() =>
          this.#log.append(tenant, r.newSeries, r.rows, r.maxT),
        );
      }
      this.#counters.samples += r.samples;
      this.#counters.duplicates += r.duplicates;
      await this.#scheduleCut();
      return { status: 200, samples: r.samples, duplicates: r.duplicates, message: '' };
    } catch (err) {
      this.#counters.rejected++;
      if (err instanceof BadDataError)
        return { status: 400, samples: 0, duplicates: 0, message: err.message };
      if (err instanceof LimitExceededError)
        return { status: 429, samples: 0, duplicates: 0, message: err.message };
      throw err;
    }
  }

  #routes(): Hono<{ Bindings: Env }> {
    const app = new Hono<{ Bindings: Env }>();
    app.use('*', async (c, next) => {
      const shard = c.req.header(RECEIVE_SHARD_HEADER);
      if (shard !== undefined) this.#noteShard(shard);
      await next();
    });
    app.route(
      '/',
      storeApiRoutes<Env>({
        store: () => this.#store,
        token: () => undefined,
        requireToken: false,
      }),
    );
    app.post('/shard/cut', async (c) => {
      await this.#cut();
      return c.json({ blocks: this.#counters.blocks, error: this.#counters.lastCutError });
    });
    app.get('/shard/metrics', (c) => c.json(this.#families()));
    // FAULT INJECTION for tests: resets the object as the platform does when it evicts or
    // restarts it (memory gone, storage kept). Only this Worker can reach a Durable Object.
    app.post('/shard/abort', (c) => {
      this.ctx.abort('reset by /shard/abort');
      return c.text('reset\n');
    });
    app.onError((err) => apiErrorResponse(err));
    return app;
  }

  async #scheduleCut(fromAlarm = false): Promise<void> {
    if (this.#head.numSeries === 0) {
      if (fromAlarm) this.#alarmSet = false;
      return;
    }
    if (!fromAlarm) {
      // Asked of storage once per instance, then known: not a storage call per write.
      this.#alarmSet ??= (await this.ctx.storage.getAlarm()) !== null;
      if (this.#alarmSet) return;
    }
    await this.ctx.storage.setAlarm(Date.now() + this.#settings.cutCheckInterval);
    this.#alarmSet = true;
  }

  /** Cuts every tenant's ready ranges, one cut at a time per object. */
  async #cut(): Promise<void> {
    while (this.#cutting) await this.#cutting;
    this.#cutting = this.#cutReady().finally(() => (this.#cutting = undefined));
    await this.#cutting;
  }

  async #cutReady(): Promise<void> {
    if (!hasBucket(this.env)) return;
    this.#truncateKept(Date.now());
    const bucket = bucketFromEnv(this.env);
    for (const tenant of this.#head.tenants.values()) {
      for (;;) {
        const range = cuttableRange(tenant, this.#settings.blockDuration, Date.now());
        if (!range) break;
        try {
          const { meta } = await cutBlock(this.#head, tenant, range, {
            externalLabels: this.#externalLabels(tenant.tenant),
            openSink: bucketSinkFactory(bucket),
            keepInHead: true,
          });
          this.#kept.push({
            tenant: tenant.tenant,
            before: range.maxTime,
            until: Date.now() + this.#settings.keepCutFor,
          });
          this.ctx.storage.transactionSync(() =>
            this.#log.cut(tenant.tenant, range.maxTime, this.#head),
          );
          if (meta) this.#counters.blocks++;
          this.#counters.lastCutError = '';
        } catch (err) {
          this.#counters.cutFailures++;
          this.#counters.lastCutError = `tenant ${tenant.tenant} block [${range.minTime}, ${range.maxTime}): ${errorMessage(err)}`;
          console.error(`receive shard ${this.#shard}: cut failed: ${this.#counters.lastCutError}`);
          break;
        }
      }
    }
  }

  /** Truncates the ranges whose blocks every store gateway lists by now. */
  #truncateKept(now: number): void {
    const due = this.#kept.filter((k) => k.until <= now);
    if (due.length === 0) return;
    this.#kept = this.#kept.filter((k) => k.until > now);
    for (const k of due) {
      const tenant = this.#head.tenants.get(k.tenant);
      if (!tenant) continue;
      truncateHead(this.#head, tenant, k.before);
      this.ctx.storage.transactionSync(() => this.#log.rewriteSeries(k.tenant, this.#head));
    }
    this.#head.forgetStrings();
  }

  #families(): Family[] {
    const base = { shard: this.#shard ?? '0' };
    const samples = family(
      'thanos_receive_samples_total',
      'counter',
      'Samples appended to the head.',
    );
    sample(samples, base, this.#counters.samples);
    const dups = family(
      'thanos_receive_duplicate_samples_total',
      'counter',
      'Resent samples skipped (same timestamp and value).',
    );
    sample(dups, base, this.#counters.duplicates);
    const rejected = family(
      'thanos_receive_rejected_requests_total',
      'counter',
      'Write requests rejected with 400 or 429.',
    );
    sample(rejected, base, this.#counters.rejected);
    const series = family('prometheus_tsdb_head_series', 'gauge', 'Series in the head.');
    sample(series, base, this.#head.numSeries);
    const blocks = family(
      'thanos_receive_blocks_cut_total',
      'counter',
      'Blocks cut from the head and uploaded.',
    );
    sample(blocks, base, this.#counters.blocks);
    const failures = family(
      'thanos_receive_block_cut_failures_total',
      'counter',
      'Block cuts that failed (retried at the next alarm).',
    );
    sample(failures, base, this.#counters.cutFailures);
    const log = family(
      'thanos_receive_log_bytes',
      'gauge',
      'Bytes of the write-ahead log in storage.',
    );
    sample(log, base, this.#log.size);
    const replayed = family(
      'thanos_receive_replayed_samples',
      'gauge',
      'Samples replayed from the log when this isolate started.',
    );
    sample(replayed, base, this.#counters.replayedSamples);
    return [samples, dups, rejected, series, blocks, failures, log, replayed];
  }
}
