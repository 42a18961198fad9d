/**
 * @module core/compact/downsample-step — the compactor's downsampling round, as Thanos runs it
 * after compaction: raw blocks spanning 40h get a 5m copy, then (a second pass, so copies made in
 * the first count) 5m blocks spanning 10 days get a 1h copy. A block that cannot be read is
 * logged and left for the next iteration; the others go on.
 */
import { errorMessage } from '../errors.ts';
import type { BlockMeta } from '../tsdb/meta.ts';
import type { DownsampleStep } from './compactor.ts';
import { downsampleBlock } from './downsample/block.ts';
import { planDownsample } from './downsample/plan.ts';

export interface DownsampleStepOptions {
  log?(msg: string): void;
  /** Called with each new block's meta. */
  downsampled?(input: BlockMeta, output: BlockMeta): void;
  readonly signal?: AbortSignal;
}

export function downsampleStep(o: DownsampleStepOptions = {}): DownsampleStep {
  return async ({ bucket, view }) => {
    const metas = [...view.compactable];
    const failed = new Set<string>();
    for (let pass = 0; pass < 2; pass++) {
      const tasks = planDownsample(metas).filter((t) => !failed.has(t.meta.ulid));
      if (tasks.length === 0) return;
      for (const t of tasks) {
        o.signal?.throwIfAborted();
        try {
          const out = await downsampleBlock(bucket, t.meta, t.resolution, {
            ...(o.signal ? { signal: o.signal } : {}),
          });
          if (!out) continue;
          metas.push(out);
          o.log?.(`block ${t.meta.ulid}: downsampled to ${t.resolution / 60_000}m as ${out.ulid}`);
          o.downsampled?.(t.meta, out);
        } catch (err) {
          failed.add(t.meta.ulid);
          o.log?.(`block ${t.meta.ulid}: downsampling failed: ${errorMessage(err)}`);
        }
      }
    }
  };
}
