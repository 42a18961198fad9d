/**
 * @module sidecar-agent/sidecar/shipper-state — `thanos.shipper.json` in the TSDB directory, the
 * shipper's memory of uploaded blocks (Thanos pkg/shipper MetaFilename, `{"version":1,"uploaded":[…]}`);
 * `--shipper.meta-file-name` names another file there.
 * Written to a temporary file, fsynced and renamed, so a crash leaves the old or the new file,
 * never half of one. A missing or unreadable file means "nothing recorded": blocks are then
 * checked against the bucket (meta.json present = uploaded), so nothing is shipped twice.
 */
import { open, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isUlid } from '../../core/tsdb/meta.ts';

export const SHIPPER_META_FILENAME = 'thanos.shipper.json';
export const SHIPPER_META_VERSION = 1;

export interface ShipperState {
  readonly version: number;
  readonly uploaded: readonly string[];
}

export async function readShipperState(
  tsdbDir: string,
  fileName = SHIPPER_META_FILENAME,
): Promise<ShipperState> {
  let text: string;
  try {
    text = await readFile(join(tsdbDir, fileName), 'utf8');
  } catch {
    return { version: SHIPPER_META_VERSION, uploaded: [] };
  }
  try {
    const raw = JSON.parse(text) as { version?: unknown; uploaded?: unknown };
    if (raw.version !== SHIPPER_META_VERSION || !Array.isArray(raw.uploaded))
      throw new Error('bad shape');
    return {
      version: SHIPPER_META_VERSION,
      uploaded: raw.uploaded.filter((u): u is string => isUlid(u)),
    };
  } catch {
    // Corrupt: Thanos starts over too; the bucket check keeps it from re-uploading.
    return { version: SHIPPER_META_VERSION, uploaded: [] };
  }
}

export async function writeShipperState(
  tsdbDir: string,
  uploaded: readonly string[],
  fileName = SHIPPER_META_FILENAME,
): Promise<void> {
  const path = join(tsdbDir, fileName);
  const tmp = `${path}.tmp`;
  const body = `${JSON.stringify({ version: SHIPPER_META_VERSION, uploaded: [...uploaded].sort() }, null, '\t')}\n`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(body);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  // The rename itself must survive a power loss: sync the directory entry.
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  } finally {
    await dir.close();
  }
}
