/**
 * @module core/block/block-listing — one recursive listing of a bucket, grouped by block: each
 * block directory's ULID with the names of the files under it. The store gateway's meta fetcher
 * and the compactor's syncer both start from it (meta.json present or not, marks present or not).
 */
import type { Bucket } from '../objstore/bucket.ts';
import { isUlid } from '../tsdb/meta.ts';

/** Block ULID → file names inside the block directory (`meta.json`, `chunks/000001`, …). */
export async function listBlockFiles(
  bucket: Bucket,
  keep: (id: string) => boolean = () => true,
): Promise<Map<string, Set<string>>> {
  const listed = new Map<string, Set<string>>();
  for await (const key of bucket.iter('', { recursive: true })) {
    const slash = key.indexOf('/');
    if (slash < 0) continue;
    const id = key.slice(0, slash);
    if (!isUlid(id) || !keep(id)) continue;
    let files = listed.get(id);
    if (!files) listed.set(id, (files = new Set()));
    files.add(key.slice(slash + 1));
  }
  return listed;
}
