/**
 * @module sidecar-agent/cli/tsdb-create-blocks-format — promtool's block table (printBlocks):
 * Go's text/tabwriter with minwidth 13, padding 2, the last column left unaligned, and Go's
 * formats for durations (`time.Duration.String`, core/gocompat/duration), times and base-2 sizes
 * (alecthomas/units).
 */
import { goFormatDuration } from '../../core/gocompat/duration.ts';
import { goDiv } from '../../core/gocompat/math.ts';
import { goTimeString } from '../../core/gocompat/time.ts';
import type { BlockMeta } from '../../core/tsdb/meta.ts';

export interface BlockRow {
  meta: BlockMeta;
  /** Block size in bytes: chunks + index + tombstones + meta.json (Block.Size). */
  size: number;
}

const HEADER = [
  'BLOCK ULID',
  'MIN TIME',
  'MAX TIME',
  'DURATION',
  'NUM SAMPLES',
  'NUM CHUNKS',
  'NUM SERIES',
  'SIZE',
];

/** The lines one printBlocks call prints (one tabwriter flush: columns align within the call). */
export function formatBlockTable(
  rows: readonly BlockRow[],
  writeHeader: boolean,
  humanReadable: boolean,
): string {
  const lines: string[][] = [];
  if (writeHeader) lines.push(HEADER);
  for (const { meta, size } of rows) {
    lines.push([
      meta.ulid,
      formatTime(meta.minTime, humanReadable),
      formatTime(meta.maxTime, humanReadable),
      goFormatDuration(meta.maxTime - meta.minTime),
      String(meta.stats.numSamples ?? 0),
      String(meta.stats.numChunks ?? 0),
      String(meta.stats.numSeries ?? 0),
      humanReadable ? formatBase2Bytes(size) : String(size),
    ]);
  }
  return tabwrite(lines, 13, 2);
}

/** text/tabwriter for tab-terminated cells: every cell but a line's last is padded to its column. */
export function tabwrite(
  lines: readonly (readonly string[])[],
  minWidth: number,
  padding: number,
): string {
  const widths: number[] = [];
  for (const l of lines) {
    for (let i = 0; i < l.length - 1; i++)
      widths[i] = Math.max(widths[i] ?? minWidth, l[i]!.length + padding);
  }
  return lines
    .map((l) => l.map((c, i) => (i < l.length - 1 ? c.padEnd(widths[i]!) : c)).join('') + '\n')
    .join('');
}

function formatTime(ms: number, human: boolean): string {
  // time.Unix(ms/1000, 0).UTC().String(), e.g. "2020-09-13 12:26:40 +0000 UTC".
  return human ? goTimeString(goDiv(ms, 1000)) : String(ms);
}

/** alecthomas/units Base2Bytes.String: every non-zero 1024-power part, largest first (`1KiB512B`). */
export function formatBase2Bytes(n: number): string {
  const units = ['', 'K', 'M', 'G', 'T', 'P', 'E'];
  const parts: string[] = [];
  for (let i = 0; i < units.length; i++) {
    const r = n % 1024;
    if (r !== 0 || (i === 0 && n === 0)) parts.unshift(`${r}${units[i]}${i === 0 ? 'B' : 'iB'}`);
    n = (n - r) / 1024;
    if (n === 0) break;
  }
  return parts.join('');
}
