/**
 * @module sidecar-agent/cli/compact — `thanos-edge compact`: Thanos's compactor over a bucket
 * (flags named as `thanos compact`'s). Runs one iteration and exits, or with `--wait` keeps
 * iterating every `--wait-interval`; serves `/metrics`, `/-/healthy` and `/-/ready` meanwhile.
 * A halt (overlapping blocks) ends a one-shot run with exit code 1; with `--wait` it sets
 * `thanos_compact_halted` and stops compacting, still serving, as Thanos does.
 */
import { downsampleStep } from '../../core/compact/downsample-step.ts';
import { Hono } from 'hono';
import { Compactor, type DownsampleStep } from '../../core/compact/compactor.ts';
import { errorMessage } from '../../core/errors.ts';
import { DurationError, parsePromDuration } from '../../core/gocompat/duration.ts';
import { newCompactMetrics } from '../compact/metrics.ts';
import { localInput } from '../compact/local-input.ts';
import { localOutput } from '../compact/local-output.ts';
import { listen } from '../sidecar/server.ts';
import { UsageError, type Command } from './command.ts';
import {
  OBJSTORE_FLAGS,
  bucketFromFlags,
  loggerFromFlags,
  flagValue,
  parseDurationFlag,
  parseFlags,
  type FlagSpec,
} from './bucket-flags.ts';
import { parseAddress } from './sidecar.ts';

const USAGE = `usage: thanos-edge compact [<flags>]

Continuously compacts blocks in an object store bucket (Thanos's compactor).

Flags:
  --objstore.config-file=<file>         Objstore YAML.
  --objstore.config=<yaml>              Objstore YAML content instead of a file.
  --data-dir="./data"                   Where blocks are written before upload.
  --http-address="0.0.0.0:10902"        Listen address for /metrics, /-/healthy, /-/ready.
  --wait                                Do not exit after all compactions; keep iterating.
  --wait-interval=5m                    Wait between iterations (with --wait).
  --consistency-delay=30m               Minimum age of fresh (non-compactor) blocks before they are processed.
  --retention.resolution-raw=0d         How long to keep raw samples (0d = forever).
  --retention.resolution-5m=0d          How long to keep 5m-downsampled samples.
  --retention.resolution-1h=0d          How long to keep 1h-downsampled samples.
  --downsampling.disable                Disable downsampling.
  --delete-delay=48h                    Time before a block marked for deletion is deleted.
  --compact.concurrency=1               Groups compacted in parallel.
  --compact.enable-vertical-compaction  Merge overlapping blocks instead of halting.
  --deduplication.replica-label=<name>  Replica label (repeatable); replicas are merged with the
                                        penalty algorithm during vertical compaction.
  --deduplication.func=""               Accepted; replicas are always deduplicated with "penalty".

Thanos flags without an effect here are accepted and logged as ignored.
`;

/** Thanos `compact` flags that are accepted and ignored (logged once). */
const IGNORED: Record<string, FlagSpec> = {
  'tracing.config-file': { kind: 'string' },
  'tracing.config': { kind: 'string' },
  'http-grace-period': { kind: 'string' },
  'http.config': { kind: 'string' },
  'block-meta-fetch-concurrency': { kind: 'string' },
  'block-files-concurrency': { kind: 'string' },
  'block-viewer.global.sync-block-interval': { kind: 'string' },
  'block-viewer.global.sync-block-timeout': { kind: 'string' },
  'bucket-web-label': { kind: 'string' },
  'compact.blocks-fetch-concurrency': { kind: 'string' },
  'compact.cleanup-interval': { kind: 'string' },
  'compact.progress-interval': { kind: 'string' },
  'compact.skip-block-with-out-of-order-chunks': { kind: 'bool' },
  'compact.enable-vertical-compaction-penalty': { kind: 'bool' },
  'disable-admin-operations': { kind: 'bool' },
  'downsample.concurrency': { kind: 'string' },
  'hash-func': { kind: 'string' },
  'max-time': { kind: 'string' },
  'min-time': { kind: 'string' },
  'selector.relabel-config-file': { kind: 'string' },
  'selector.relabel-config': { kind: 'string' },
  'web.disable-cors': { kind: 'bool' },
  'web.external-prefix': { kind: 'string' },
  'web.prefix-header': { kind: 'string' },
  'web.route-prefix': { kind: 'string' },
  'enable-auto-gomemlimit': { kind: 'bool' },
  'auto-gomemlimit.ratio': { kind: 'string' },
  'debug.max-compaction-level': { kind: 'string' },
  'deduplication.func': { kind: 'string' },
};

const SPEC: Record<string, FlagSpec> = {
  ...OBJSTORE_FLAGS,
  ...IGNORED,
  'log.level': { kind: 'string' },
  'log.format': { kind: 'string' },
  'data-dir': { kind: 'string' },
  'http-address': { kind: 'string' },
  wait: { kind: 'bool', short: 'w' },
  'wait-interval': { kind: 'string' },
  'consistency-delay': { kind: 'string' },
  'retention.resolution-raw': { kind: 'string' },
  'retention.resolution-5m': { kind: 'string' },
  'retention.resolution-1h': { kind: 'string' },
  'downsampling.disable': { kind: 'bool' },
  'delete-delay': { kind: 'string' },
  'compact.concurrency': { kind: 'string' },
  'compact.enable-vertical-compaction': { kind: 'bool' },
  'deduplication.replica-label': { kind: 'strings' },
};

/** A Prometheus model.Duration flag (`30m`, `48h`, `90d`, `0d`) in ms. */
export function modelDuration(name: string, value: string): number {
  try {
    return parsePromDuration(value);
  } catch (err) {
    if (err instanceof DurationError) {
      // kingpin's time.Duration flags also take `1m30s`.
      try {
        return parseDurationFlag(value);
      } catch {
        throw new UsageError(`--${name}: ${err.message}`);
      }
    }
    throw err;
  }
}

export const compactCommand: Command = {
  path: ['compact'],
  summary: 'compact, apply retention to and clean up blocks in a bucket',
  async run(args) {
    const f = parseFlags(args, SPEC);
    if (f.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (f.positional.length > 0) throw new UsageError(`unexpected argument ${f.positional[0]}`);
    // --log.level / --log.format: the agent's leveled logger (sidecar-agent/log.ts).
    const logger = loggerFromFlags(f);
    const log = (msg: string): void => logger.info(msg);
    const dur = (name: string, def: string): number =>
      modelDuration(name, flagValue(f, name, def)!);
    const dedupFunc = flagValue(f, 'deduplication.func', '')!;
    if (dedupFunc !== '' && dedupFunc !== 'penalty')
      throw new UsageError(`--deduplication.func: unknown function ${JSON.stringify(dedupFunc)}`);
    const ignored = Object.keys(IGNORED).filter(
      (n) => n !== 'deduplication.func' && (f.values.has(n) || f.bools.has(n)),
    );
    for (const n of ignored)
      log(`flag --${n} is accepted for compatibility with Thanos and ignored`);
    const concurrency = Number(flagValue(f, 'compact.concurrency', '1'));
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new UsageError('--compact.concurrency must be a positive integer');
    const { host, port } = parseAddress(flagValue(f, 'http-address', '0.0.0.0:10902')!);
    const wait = f.bools.has('wait');
    const waitInterval = dur('wait-interval', '5m');
    const opts = {
      consistencyDelay: dur('consistency-delay', '30m'),
      deleteDelay: dur('delete-delay', '48h'),
      retention: {
        raw: dur('retention.resolution-raw', '0d'),
        res5m: dur('retention.resolution-5m', '0d'),
        res1h: dur('retention.resolution-1h', '0d'),
      },
      replicaLabels: f.values.get('deduplication.replica-label') ?? [],
      verticalCompaction: f.bools.has('compact.enable-vertical-compaction'),
      concurrency,
      downsamplingDisabled: f.bools.has('downsampling.disable'),
    };
    if (opts.replicaLabels.length > 0 && !opts.verticalCompaction)
      log(
        '--deduplication.replica-label has no effect without --compact.enable-vertical-compaction',
      );
    const bucket = await bucketFromFlags(f);
    const dataDir = flagValue(f, 'data-dir', './data')!;

    const metrics = newCompactMetrics();
    const tty = process.stderr.isTTY;
    let ready = false;
    const app = new Hono();
    app.get('/-/healthy', (c) => c.text('thanos-edge compact is healthy.\n'));
    app.get('/-/ready', (c) =>
      ready ? c.text('thanos-edge compact is ready.\n') : c.text('not ready\n', 503),
    );
    app.get('/metrics', async (c) =>
      c.body(await metrics.registry.metrics(), 200, {
        'content-type': metrics.registry.contentType,
      }),
    );
    const server = await listen(app, host, port);
    log(`listening on ${server.url}`);

    const output = await localOutput(bucket, dataDir, {
      ...(tty
        ? {
            onObject: (key: string, bytes: number) =>
              void process.stderr.write(`\r\x1b[Kupload ${key} ${bytes} bytes`),
          }
        : {}),
      log,
    });
    const compactor = new Compactor(bucket, {
      ...opts,
      output,
      input: localInput(bucket, dataDir),
      downsample: downsampleStep({ log }),
      events: {
        ...metrics.events,
        log: (msg) => {
          if (tty) process.stderr.write('\r\x1b[K');
          log(msg);
        },
        ...(tty
          ? {
              progress: (g, p) =>
                void process.stderr.write(
                  `\r\x1b[Kgroup ${g.key}: ${p.blocks} blocks, ${p.series} series, ${p.samples} samples`,
                ),
            }
          : {}),
      },
    });
    ready = true;

    let stop: ((signal: string) => void) | undefined;
    const stopped = new Promise<string>((resolve) => (stop = resolve));
    const onSignal = (s: NodeJS.Signals): void => stop?.(s);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    let code = 0;
    let halted = false;
    try {
      for (;;) {
        try {
          const r = await Promise.race([compactor.iterate(), stopped.then(() => undefined)]);
          if (r === undefined) break;
          if (r.halted.length > 0) {
            halted = true;
            metrics.halted.set(1);
            for (const h of r.halted) log(`critical error detected; halting: ${h.message}`);
            code = 1;
          } else if (r.failures.length > 0) {
            metrics.retries.inc();
            code = 1;
          } else {
            metrics.iterations.inc();
            code = 0;
          }
          log(
            `iteration done: ${r.compactions} compactions, ${r.deleted} blocks deleted` +
              `${r.failures.length > 0 ? `, ${r.failures.length} groups failed (retried next iteration)` : ''}`,
          );
        } catch (err) {
          metrics.retries.inc();
          log(`iteration failed: ${errorMessage(err)}`);
          code = 1;
        }
        if (!wait) break;
        if (halted) {
          log('compactor halted; serving metrics until terminated');
          log(`${await stopped}: shutting down`);
          code = 0;
          break;
        }
        const s = await Promise.race([
          stopped,
          new Promise<undefined>((r) => setTimeout(() => r(undefined), waitInterval).unref()),
        ]);
        if (s !== undefined) {
          log(`${s}: shutting down`);
          code = 0;
          break;
        }
      }
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      await server.close(1000);
    }
    return code;
  },
};
