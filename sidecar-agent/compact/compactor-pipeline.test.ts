/**
 * The compactor's pipeline: a compaction's upload runs while the next one of its group downloads
 * and merges, its inputs are marked only once it is visible, and a failed upload fails the group
 * without marking anything or leaving a local copy. The bucket and both halves of the pipeline
 * are the real ones (a filesystem bucket, `localInput`, `localOutput`); the output's publish is
 * wrapped in a fake delay, an object store's upload latency, which a local disk cannot produce.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Compactor } from '../../core/compact/compactor.ts';
import type { CompactionOutput } from '../../core/compact/output.ts';
import { DELETION_MARK_FILENAME } from '../../core/block/markers.ts';
import type { BlockMeta } from '../../core/tsdb/meta.ts';
import { liveMetas, uploadDirBlocks, writeRawBlocks } from '../../test/helpers/compact-data.ts';
import { makeTmpDir, type TmpDir } from '../../test/helpers/tmp.ts';
import { FilesystemBucket } from '../objstore/filesystem.ts';
import { localInput } from './local-input.ts';
import { COMPACT_DIRNAME, localOutput } from './local-output.ts';

const UPLOAD_LATENCY_MS = 400;

let tmp: TmpDir;
let bucket: FilesystemBucket;
let inputs: BlockMeta[];

beforeEach(async () => {
  tmp = await makeTmpDir('compact-pipeline-');
  bucket = new FilesystemBucket(join(tmp.path, 'bucket'));
  // 12 two-hour blocks: two complete 8h ranges to compact (the newest range is left alone).
  inputs = await writeRawBlocks(join(tmp.path, 'src'), { blocks: 12, series: 40 });
  await uploadDirBlocks(
    bucket,
    join(tmp.path, 'src'),
    inputs.map((m) => m.ulid),
    { cluster: 'a' },
  );
});
afterEach(() => tmp.remove());

interface Timeline {
  readonly events: { what: string; at: number; ulid?: string }[];
}

/** `localOutput` whose publish first waits `latency` ms (fake object-store latency), or fails. */
async function slowOutput(
  dataDir: string,
  timeline: Timeline,
  opts: { latency: number; fail?: boolean },
): Promise<CompactionOutput> {
  const real = await localOutput(bucket, dataDir);
  return {
    sink: real.sink,
    discard: real.discard,
    async publish(meta) {
      timeline.events.push({ what: 'publish-start', at: performance.now(), ulid: meta.ulid });
      await new Promise((r) => setTimeout(r, opts.latency));
      if (opts.fail) throw new Error('fake upload failure');
      const out = await real.publish(meta);
      timeline.events.push({ what: 'publish-end', at: performance.now(), ulid: meta.ulid });
      return out;
    },
  };
}

function compactor(dataDir: string, output: CompactionOutput, timeline: Timeline): Compactor {
  const input = localInput(bucket, dataDir);
  return new Compactor(bucket, {
    output,
    input: {
      async open(group, metas) {
        timeline.events.push({ what: 'open', at: performance.now() });
        return input.open(group, metas);
      },
    },
    consistencyDelay: 0,
    events: {
      marked: (marker, _reason, id) => {
        if (marker === DELETION_MARK_FILENAME)
          timeline.events.push({ what: 'marked', at: performance.now(), ulid: id });
      },
    },
  });
}

describe('compactor pipeline', () => {
  it('uploads a compaction while the next one merges, and marks inputs only once it is visible', async () => {
    const dataDir = join(tmp.path, 'data');
    const timeline: Timeline = { events: [] };
    const output = await slowOutput(dataDir, timeline, { latency: UPLOAD_LATENCY_MS });
    const res = await compactor(dataDir, output, timeline).iterate();
    expect(res.compactions).toBe(2);
    expect(res.failures).toEqual([]);

    const ev = timeline.events;
    const opens = ev.filter((e) => e.what === 'open');
    const starts = ev.filter((e) => e.what === 'publish-start');
    const ends = ev.filter((e) => e.what === 'publish-end');
    expect(opens).toHaveLength(2);
    expect(ends).toHaveLength(2);
    // The second compaction's inputs were opened while the first upload was still under way.
    expect(opens[1]!.at).toBeGreaterThan(starts[0]!.at);
    expect(opens[1]!.at).toBeLessThan(ends[0]!.at);
    // One upload at a time, in order.
    expect(starts[1]!.at).toBeGreaterThanOrEqual(ends[0]!.at);

    // Every input is marked, each after the upload of the block that replaced it.
    const made = (await liveMetas(bucket)).filter((m) => m.compaction.level === 2);
    expect(made).toHaveLength(2);
    const marks = ev.filter((e) => e.what === 'marked');
    expect(marks).toHaveLength(8);
    for (const m of marks) {
      const parent = made.find((b) => b.compaction.sources!.includes(m.ulid!))!;
      const end = ends.find((e) => e.ulid === parent.ulid)!;
      expect(m.at).toBeGreaterThanOrEqual(end.at);
    }
    // The merged blocks hold every sample of the inputs they replaced.
    for (const b of made) {
      const sources = inputs.filter((m) => b.compaction.sources!.includes(m.ulid));
      expect(b.stats.numSamples).toBe(sources.reduce((a, m) => a + m.stats.numSamples!, 0));
    }
    // Nothing is left in the data dir.
    expect(await readdir(join(dataDir, COMPACT_DIRNAME))).toEqual([]);
  });

  it('a failed upload fails the group: nothing marked, no block visible, no local copy left', async () => {
    const dataDir = join(tmp.path, 'data');
    const timeline: Timeline = { events: [] };
    const output = await slowOutput(dataDir, timeline, { latency: 50, fail: true });
    const res = await compactor(dataDir, output, timeline).iterate();
    expect(res.compactions).toBe(0);
    expect(res.failures).toHaveLength(1);
    expect(res.failures[0]!.message).toContain('fake upload failure');
    expect(timeline.events.filter((e) => e.what === 'marked')).toEqual([]);
    const live = await liveMetas(bucket);
    expect(live.map((m) => m.ulid).sort()).toEqual(inputs.map((m) => m.ulid).sort());
    expect(await readdir(join(dataDir, COMPACT_DIRNAME))).toEqual([]);
  });
});
