/**
 * @module sidecar-agent/cli/bucket-ls — `thanos-edge tools bucket ls --objstore.config-file <file>
 * [-o table|wide|json|ulid] [--exclude-delete]`: one line per block in the bucket, like Thanos
 * `tools bucket ls`. Formats:
 * - `table` (default): ULID, FROM, UNTIL, RANGE, RESOLUTION, LEVEL, SOURCE, LABELS, aligned.
 * - `wide`: Thanos's `-o wide` line (`<ulid> -- <from> - <until> Diff: …, Compaction: …, …`).
 * - `json`: each meta.json, tab-indented, as Thanos's `-o json`.
 * - `ulid`: bare ULIDs (Thanos's default output).
 * Blocks without meta.json (partial uploads) are not listed; they are counted on stderr.
 */
import { MetaFetcher } from '../../core/block/meta-fetcher.ts';
import { errorMessage } from '../../core/errors.ts';
import { compareStrings } from '../../core/labels/labels.ts';
import { serializeMeta, type BlockMeta } from '../../core/tsdb/meta.ts';
import { UsageError } from './command.ts';
import { bucketFromFlags, bucketTool, flagValue } from './bucket-flags.ts';
import { goFormatDuration } from '../../core/gocompat/duration.ts';
import { goQuote } from '../../core/gocompat/quote.ts';
import { goRFC3339 } from '../../core/gocompat/time.ts';
import { tabwrite } from './tsdb-create-blocks-format.ts';

const FLAGS_HELP = `  -o, --output=table             table, wide, json or ulid.
  --exclude-delete               Exclude blocks marked for deletion.
`;

export type LsFormat = 'table' | 'wide' | 'json' | 'ulid';
const FORMATS: readonly LsFormat[] = ['table', 'wide', 'json', 'ulid'];

/** `{a="1", b="2"}`, names sorted, values quoted as Go's strconv.Quote. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const names = Object.keys(labels ?? {}).sort(compareStrings);
  return `{${names.map((n) => `${n}=${goQuote(labels![n]!)}`).join(', ')}}`;
}

export function formatBlocks(metas: readonly BlockMeta[], format: LsFormat): string {
  switch (format) {
    case 'ulid':
      return metas.map((m) => `${m.ulid}\n`).join('');
    case 'json':
      return metas.map((m) => (m.thanos ? serializeMeta(m) : `${serializeMeta(m)}\n`)).join('');
    case 'wide':
      return metas
        .map((m) => {
          const from = Math.floor(m.minTime / 1000);
          const until = Math.floor(m.maxTime / 1000);
          return (
            `${m.ulid} -- ${goRFC3339(m.minTime)} - ${goRFC3339(m.maxTime)} Diff: ${goFormatDuration((until - from) * 1000)}, ` +
            `Compaction: ${m.compaction.level}, Downsample: ${m.thanos?.downsample.resolution ?? 0}, Source: ${m.thanos?.source ?? ''}\n`
          );
        })
        .join('');
    case 'table': {
      const rows: string[][] = [
        ['ULID', 'FROM', 'UNTIL', 'RANGE', 'RESOLUTION', 'LEVEL', 'SOURCE', 'LABELS'],
      ];
      for (const m of metas) {
        rows.push([
          m.ulid,
          goRFC3339(m.minTime),
          goRFC3339(m.maxTime),
          goFormatDuration(m.maxTime - m.minTime),
          goFormatDuration(m.thanos?.downsample.resolution ?? 0),
          String(m.compaction.level),
          m.thanos?.source || '-',
          formatLabels(m.thanos?.labels),
        ]);
      }
      return tabwrite(rows, 0, 2);
    }
  }
}

export const bucketLsCommand = bucketTool({
  name: 'ls',
  summary: 'List all blocks in the bucket.',
  flagsHelp: FLAGS_HELP,
  flags: {
    output: { kind: 'string', short: 'o' },
    'exclude-delete': { kind: 'bool' },
  },
  async run(f) {
    const format = (flagValue(f, 'output', 'table') || 'table') as LsFormat;
    if (!FORMATS.includes(format))
      throw new UsageError(`-o: unknown format ${format} (${FORMATS.join(', ')})`);
    const bucket = await bucketFromFlags(f);
    // Thanos lists blocks marked for deletion unless --exclude-delete (then: all of them, delay 0).
    const fetcher = new MetaFetcher(bucket, {
      deletionMarkDelay: f.bools.has('exclude-delete') ? -1 : Infinity,
    });
    let result;
    try {
      result = await fetcher.sync();
    } catch (err) {
      process.stderr.write(`thanos-edge bucket ls: ${errorMessage(err)}\n`);
      return 1;
    }
    const metas = [...result.metas.values()].sort((a, b) => compareStrings(a.ulid, b.ulid));
    process.stdout.write(formatBlocks(metas, format));
    for (const s of result.skipped)
      if (s.reason !== 'marked-for-deletion') process.stderr.write(`skipped ${s.detail}\n`);
    process.stderr.write(`ls done: ${metas.length} blocks\n`);
    return 0;
  },
});
