/**
 * @module sidecar-agent/cli/bucket-inspect — `thanos-edge tools bucket inspect` (alias `bucket
 * inspect`): every block of the bucket as a row of Thanos's inspect table (ULID, FROM, UNTIL,
 * RANGE, UNTIL-DOWN, #SERIES, #SAMPLES, #CHUNKS, COMP-LEVEL, COMP-FAILED, LABELS, RESOLUTION,
 * SOURCE), from meta.json alone; `--selector` keeps blocks whose external labels match,
 * `--sort-by` orders by columns (FROM by default), `--output table|tsv|csv`.
 */
import { MetaFetcher } from '../../core/block/meta-fetcher.ts';
import {
  RES_LEVEL1_DOWNSAMPLE_RANGE,
  RES_LEVEL2_DOWNSAMPLE_RANGE,
} from '../../core/compact/downsample/plan.ts';
import { compareStrings } from '../../core/labels/labels.ts';
import { goFormatDuration } from '../../core/gocompat/duration.ts';
import { goRFC3339 } from '../../core/gocompat/time.ts';
import { RES_LEVEL0, RES_LEVEL1, type BlockMeta } from '../../core/tsdb/meta.ts';
import { UsageError } from './command.ts';
import { bucketFromFlags, bucketTool, flagValue, parseLabelFlags } from './bucket-flags.ts';
import { modelDuration } from './compact.ts';

export const INSPECT_COLUMNS = [
  'ULID',
  'FROM',
  'UNTIL',
  'RANGE',
  'UNTIL-DOWN',
  '#SERIES',
  '#SAMPLES',
  '#CHUNKS',
  'COMP-LEVEL',
  'COMP-FAILED',
  'LABELS',
  'RESOLUTION',
  'SOURCE',
] as const;
export type InspectColumn = (typeof INSPECT_COLUMNS)[number];

export type InspectFormat = 'table' | 'tsv' | 'csv';

/** Time left until the compactor downsamples the block (negative: due), or undefined for 1h. */
export function untilNextDownsampling(m: BlockMeta): number | undefined {
  const range = m.maxTime - m.minTime;
  const res = m.thanos?.downsample.resolution ?? RES_LEVEL0;
  if (res === RES_LEVEL0) return RES_LEVEL1_DOWNSAMPLE_RANGE - range;
  if (res === RES_LEVEL1) return RES_LEVEL2_DOWNSAMPLE_RANGE - range;
  return undefined;
}

/** 1234567 → `1,234,567`, as Go's message printer for English. */
export function groupThousands(n: number): string {
  const s = String(Math.abs(Math.trunc(n)));
  const out = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${out}` : out;
}

/** What a column sorts by: times and durations as numbers, counts as numbers, the rest as text. */
function sortKey(m: BlockMeta, col: InspectColumn): number | string {
  switch (col) {
    case 'ULID':
      return m.ulid;
    case 'FROM':
      return m.minTime;
    case 'UNTIL':
      return m.maxTime;
    case 'RANGE':
      return m.maxTime - m.minTime;
    case 'UNTIL-DOWN':
      return untilNextDownsampling(m) ?? Number.MAX_SAFE_INTEGER;
    case '#SERIES':
      return m.stats.numSeries ?? 0;
    case '#SAMPLES':
      return m.stats.numSamples ?? 0;
    case '#CHUNKS':
      return m.stats.numChunks ?? 0;
    case 'COMP-LEVEL':
      return m.compaction.level;
    case 'COMP-FAILED':
      return m.compaction.failed ? 1 : 0;
    case 'LABELS':
      return labelsCell(m);
    case 'RESOLUTION':
      return m.thanos?.downsample.resolution ?? 0;
    case 'SOURCE':
      return m.thanos?.source ?? '';
  }
}

function labelsCell(m: BlockMeta): string {
  const labels = m.thanos?.labels ?? {};
  return Object.keys(labels)
    .sort(compareStrings)
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

/** The row of one block, cell by cell in INSPECT_COLUMNS order. */
export function inspectRow(m: BlockMeta): string[] {
  const until = untilNextDownsampling(m);
  return [
    m.ulid,
    goRFC3339(Math.floor(m.minTime / 1000) * 1000),
    goRFC3339(Math.floor(m.maxTime / 1000) * 1000),
    goFormatDuration(m.maxTime - m.minTime),
    until === undefined ? '-' : goFormatDuration(until),
    groupThousands(m.stats.numSeries ?? 0),
    groupThousands(m.stats.numSamples ?? 0),
    groupThousands(m.stats.numChunks ?? 0),
    groupThousands(m.compaction.level),
    String(m.compaction.failed === true),
    labelsCell(m),
    goFormatDuration(m.thanos?.downsample.resolution ?? 0),
    m.thanos?.source ?? '',
  ];
}

/** Blocks whose external labels include every selector pair, sorted by the columns given. */
export function selectAndSort(
  metas: readonly BlockMeta[],
  selector: Record<string, string>,
  sortBy: readonly InspectColumn[],
): BlockMeta[] {
  const picked = metas.filter((m) =>
    Object.entries(selector).every(([k, v]) => m.thanos?.labels[k] === v),
  );
  return picked.sort((a, b) => {
    for (const col of sortBy) {
      const x = sortKey(a, col);
      const y = sortKey(b, col);
      if (x === y) continue;
      return typeof x === 'number' && typeof y === 'number'
        ? x - y
        : compareStrings(String(x), String(y));
    }
    return 0;
  });
}

/** A field as Go's encoding/csv writes it: quoted when it holds the separator, a quote or a newline. */
function csvField(s: string, sep: string): string {
  const quote =
    s.includes(sep) || s.includes('"') || s.includes('\n') || s.includes('\r') || /^[ \t]/.test(s);
  return quote ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Rows with borders between columns, as Thanos's table (tablewriter, markdown-like borders). */
function asciiTable(rows: readonly string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: readonly string[]): string =>
    `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |\n`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n`;
  return line(rows[0]!) + rule + rows.slice(1).map(line).join('');
}

export function formatInspect(metas: readonly BlockMeta[], format: InspectFormat): string {
  const rows = [[...INSPECT_COLUMNS], ...metas.map(inspectRow)];
  if (format === 'table') return asciiTable(rows);
  const sep = format === 'csv' ? ',' : '\t';
  return rows.map((r) => `${r.map((c) => csvField(c, sep)).join(sep)}\n`).join('');
}

const FLAGS_HELP = `  --output=table                 table, tsv or csv.
  -l, --selector=<name>="<value>" ...
                                 Only blocks with this external label (repeatable; all must match).
  --sort-by=FROM ...             Sort by columns (repeatable): ${INSPECT_COLUMNS.join(', ')}.
  --timeout=5m                   Timeout to read the blocks' metadata.
`;

export const bucketInspectCommand = bucketTool({
  name: 'inspect',
  summary: 'Inspect all blocks in the bucket in detailed, table-like way.',
  flagsHelp: FLAGS_HELP,
  flags: {
    output: { kind: 'string', short: 'o' },
    selector: { kind: 'strings', short: 'l' },
    'sort-by': { kind: 'strings' },
    timeout: { kind: 'string' },
  },
  async run(f, log) {
    const out = flagValue(f, 'output', 'table')!;
    // Thanos's help spells csv "cvs"; both are taken.
    const format = (out === 'cvs' ? 'csv' : out) as InspectFormat;
    if (!['table', 'tsv', 'csv'].includes(format))
      throw new UsageError(`--output: unknown format ${out} (table, tsv, csv)`);
    const sortBy = (f.values.get('sort-by') ?? ['FROM']).map((c) => {
      if (!(INSPECT_COLUMNS as readonly string[]).includes(c))
        throw new UsageError(`--sort-by: column ${c} not found (${INSPECT_COLUMNS.join(', ')})`);
      return c as InspectColumn;
    });
    const selector = parseLabelFlags(f.values.get('selector') ?? []);
    const timeout = modelDuration('timeout', flagValue(f, 'timeout', '5m')!);
    const bucket = await bucketFromFlags(f);
    const tty = Boolean(process.stderr.isTTY);
    if (tty) process.stderr.write('\r\x1b[Kreading meta.json of every block…');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`reading block metadata: timeout after ${goFormatDuration(timeout)}`)),
        timeout,
      );
    });
    let synced;
    try {
      // Thanos lists blocks marked for deletion too.
      synced = await Promise.race([
        new MetaFetcher(bucket, { deletionMarkDelay: Infinity }).sync(),
        expired,
      ]);
    } finally {
      clearTimeout(timer);
      if (tty) process.stderr.write('\r\x1b[K');
    }
    for (const s of synced.skipped) log(`skipped ${s.detail}`);
    const metas = selectAndSort([...synced.metas.values()], selector, sortBy);
    process.stdout.write(formatInspect(metas, format));
    log(`inspect done: ${metas.length} of ${synced.metas.size} blocks`);
    return 0;
  },
});
