/**
 * @module sidecar-agent/cli/bucket-upload — `thanos-edge tools bucket upload <block-dir|tsdb-dir>...
 * --objstore.config-file <file> --label k=v...`: pushes finished blocks to object storage as
 * Thanos's `tools bucket upload-blocks` does (shipper semantics, source `bucket.upload`):
 * chunks and index first, meta.json with the `thanos` section last; blocks already in the
 * bucket, empty blocks, and (unless --shipper.upload-compacted) compacted blocks are skipped.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { errorMessage } from '../../core/errors.ts';
import type { Bucket } from '../../core/objstore/bucket.ts';
import { META_FILENAME, isUlid } from '../../core/tsdb/meta.ts';
import { readLocalMeta, uploadBlock } from '../objstore/upload-block.ts';
import { UsageError } from './command.ts';
import { bucketFromFlags, bucketTool, parseLabelFlags } from './bucket-flags.ts';

const TOMBSTONES_FILENAME = 'tombstones';
/** A tombstones file with no entries: magic (4) + version (1) + CRC32 (4). */
const EMPTY_TOMBSTONES_SIZE = 9;

/** Thanos `metadata.BucketUploadSource`. */
export const BUCKET_UPLOAD_SOURCE = 'bucket.upload';

const FLAGS_HELP = `  --label=<name>=<value> ...     External labels identifying the source (required, repeatable).
  --shipper.upload-compacted     Also upload blocks with compaction level > 1.
`;

/** Block directories named by the arguments: a ULID dir itself, or the ULID dirs inside a TSDB dir. */
export async function resolveBlockDirs(args: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const a of args) {
    const st = await stat(a).catch(() => undefined);
    if (!st?.isDirectory()) throw new UsageError(`unable to access path '${a}'`);
    if (isUlid(basename(a))) {
      out.push(a);
      continue;
    }
    for (const name of (await readdir(a)).filter(isUlid).sort()) {
      // A block still being written by Prometheus has no meta.json yet.
      if (await stat(join(a, name, META_FILENAME)).catch(() => undefined)) out.push(join(a, name));
    }
  }
  return out;
}

export interface UploadSummary {
  uploaded: string[];
  skipped: { ulid: string; reason: string }[];
}

export async function uploadBlocks(
  bucket: Bucket,
  dirs: readonly string[],
  labels: Record<string, string>,
  opts: { uploadCompacted: boolean; log: (line: string) => void },
): Promise<UploadSummary> {
  const summary: UploadSummary = { uploaded: [], skipped: [] };
  for (const dir of dirs) {
    const meta = await readLocalMeta(dir);
    const skip = (reason: string): void => {
      summary.skipped.push({ ulid: meta.ulid, reason });
      opts.log(`skipped ${meta.ulid}: ${reason}`);
    };
    if ((meta.stats.numSamples ?? 0) === 0) {
      skip('empty block');
      continue;
    }
    if (meta.compaction.level > 1 && !opts.uploadCompacted) {
      skip(`compaction level ${meta.compaction.level} > 1 (use --shipper.upload-compacted)`);
      continue;
    }
    if (await bucket.exists(`${meta.ulid}/${META_FILENAME}`)) {
      skip('already in bucket');
      continue;
    }
    // Thanos ships blocks without their tombstones; deleted series would come back.
    const tomb = await stat(join(dir, TOMBSTONES_FILENAME)).catch(() => undefined);
    if (tomb && tomb.size > EMPTY_TOMBSTONES_SIZE) {
      opts.log(
        `warning: ${meta.ulid} has tombstones; they are not uploaded (as in Thanos), deleted series stay in the bucket`,
      );
    }
    const up = await uploadBlock(bucket, dir, { labels, source: BUCKET_UPLOAD_SOURCE });
    summary.uploaded.push(up.ulid);
    opts.log(`uploaded ${up.ulid} (${up.bytes} bytes)`);
  }
  return summary;
}

export const bucketUploadCommand = bucketTool({
  name: 'upload',
  aliasNames: ['upload-blocks'],
  summary: 'Upload finished TSDB blocks to object storage (Thanos shipper semantics).',
  description: `Upload finished TSDB blocks to object storage (Thanos shipper semantics: chunks and index
first, meta.json with the thanos section last). A directory named by a ULID is one block;
any other directory is searched for block subdirectories.`,
  args: '[<flags>] <block-dir|tsdb-dir>...',
  flagsHelp: FLAGS_HELP,
  flags: {
    label: { kind: 'strings' },
    'shipper.upload-compacted': { kind: 'bool' },
  },
  positional: true,
  async run(f, log) {
    if (f.positional.length === 0)
      throw new UsageError('at least one block or TSDB directory is required');
    const labels = parseLabelFlags(f.values.get('label') ?? []);
    if (Object.keys(labels).length === 0) {
      throw new UsageError(
        'no external labels configured, uniquely identifying external labels must be configured (--label name=value)',
      );
    }
    const bucket = await bucketFromFlags(f);
    const dirs = await resolveBlockDirs(f.positional);
    if (dirs.length === 0) throw new UsageError(`no blocks found in ${f.positional.join(', ')}`);
    try {
      const s = await uploadBlocks(bucket, dirs, labels, {
        uploadCompacted: f.bools.has('shipper.upload-compacted'),
        log,
      });
      log(`synced blocks: uploaded ${s.uploaded.length}, skipped ${s.skipped.length}`);
      return 0;
    } catch (err) {
      log(`thanos-edge tools bucket upload: ${errorMessage(err)}`);
      return 1;
    }
  },
});
