/**
 * `thanos-edge bucket upload|ls` against a real S3 server (s3rver), with blocks written by the
 * real promtool 2.42. The uploaded blocks are downloaded again and read back with promtool.
 */
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAll, listAll, type Bucket, type UploadBody } from '../../../core/objstore/bucket.ts';
import { S3Bucket } from '../../../core/objstore/s3.ts';
import { parseMeta, serializeMeta, type BlockMeta } from '../../../core/tsdb/meta.ts';
import { FilesystemBucket } from '../../../sidecar-agent/objstore/filesystem.ts';
import { uploadBlock } from '../../../sidecar-agent/objstore/upload-block.ts';
import { resolveBlockDirs, uploadBlocks } from '../../../sidecar-agent/cli/bucket-upload.ts';
import { promtoolCreateBlocks, promtoolDump, run } from '../../helpers/promtool.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

const CLI = join(import.meta.dirname, '../../../sidecar-agent/bin/thanos-edge.mjs');

// Two blocks: promtool cuts blocks at 2h boundaries; the last sample falls into the next one.
const OPENMETRICS = `# HELP http_requests_total Requests.
# TYPE http_requests_total counter
http_requests_total{code="200",path="/"} 1 1700000000
http_requests_total{code="200",path="/"} 5 1700003600
http_requests_total{code="200",path="/"} 9 1700010000
http_requests_total{code="500",path="/"} 2 1700000000
# TYPE temperature gauge
temperature{room="a b"} 21.5 1700000100
# EOF
`;

let s3: S3rverHandle;
let tmp: TmpDir;
let db: string;
let blocks: string[];
let config: string;
let bucket: S3Bucket;

function cli(...args: string[]) {
  return run(process.execPath, [CLI, ...args]);
}

beforeAll(async () => {
  s3 = await startS3rver({ buckets: ['blocks'] });
  tmp = await makeTmpDir('bucket-cli-');
  ({ db, blocks } = await promtoolCreateBlocks(OPENMETRICS, tmp.path));
  config = join(tmp.path, 'objstore.yml');
  await writeFile(config, s3.objstoreYaml('blocks'));
  bucket = new S3Bucket({
    bucket: 'blocks',
    endpoint: s3.endpoint,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
  });
});

afterAll(async () => {
  await s3?.stop();
  await tmp?.remove();
});

describe('thanos-edge bucket upload', () => {
  it('refuses to upload without external labels', async () => {
    const r = await cli('bucket', 'upload', db, '--objstore.config-file', config);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no external labels configured');
    expect(await listAll(bucket, '')).toEqual([]);
  });

  it('uploads every block of a TSDB dir with a Thanos meta.json', async () => {
    expect(blocks.length).toBe(2);
    const r = await cli(
      'bucket',
      'upload',
      db,
      '--objstore.config-file',
      config,
      '--label',
      'cluster=eu1',
      '--label=replica="a"',
    );
    expect(r.stderr).toContain('synced blocks: uploaded 2, skipped 0');
    expect(r.code).toBe(0);
    expect(await listAll(bucket, '')).toEqual(blocks.map((b) => `${b}/`));
    for (const id of blocks) {
      expect(await listAll(bucket, id, { recursive: true })).toEqual([
        `${id}/chunks/000001`,
        `${id}/index`,
        `${id}/meta.json`,
      ]);
      for (const f of ['index', 'chunks/000001']) {
        const local = new Uint8Array(await readFile(join(db, id, f)));
        expect(await getAll(bucket, `${id}/${f}`)).toEqual(local);
      }
      const local = parseMeta(new Uint8Array(await readFile(join(db, id, 'meta.json'))), id);
      const meta = parseMeta(await getAll(bucket, `${id}/meta.json`), id);
      expect({ ...meta, thanos: undefined }).toEqual({ ...local, thanos: undefined });
      expect(meta.thanos).toMatchObject({
        labels: { cluster: 'eu1', replica: 'a' },
        downsample: { resolution: 0 },
        source: 'bucket.upload',
        segment_files: ['000001'],
      });
      expect(meta.thanos!.files).toEqual([
        {
          rel_path: 'chunks/000001',
          size_bytes: (await readFile(join(db, id, 'chunks/000001'))).byteLength,
        },
        { rel_path: 'index', size_bytes: (await readFile(join(db, id, 'index'))).byteLength },
        { rel_path: 'meta.json' },
      ]);
    }
  });

  it('skips blocks already in the bucket', async () => {
    const r = await cli(
      'bucket',
      'upload',
      join(db, blocks[0]!),
      '--objstore.config-file',
      config,
      '--label',
      'cluster=eu1',
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`skipped ${blocks[0]}: already in bucket`);
    // The first upload's labels stay.
    expect(parseMeta(await getAll(bucket, `${blocks[0]}/meta.json`)).thanos!.labels).toEqual({
      cluster: 'eu1',
      replica: 'a',
    });
  });

  it('writes the uploaded blocks so that promtool reads the same samples', async () => {
    const back = join(tmp.path, 'downloaded');
    for (const key of await listAll(bucket, '', { recursive: true })) {
      const path = join(back, ...key.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, await getAll(bucket, key));
    }
    await mkdir(join(back, 'wal'), { recursive: true });
    const want = await promtoolDump(db);
    expect(want.toString()).toContain('{__name__="temperature", room="a b"} 21.5 1700000100000');
    expect((await promtoolDump(back)).toString()).toBe(want.toString());
  });
});

describe('thanos-edge bucket ls', () => {
  it('prints a table row per block with time range, resolution, level, source and labels', async () => {
    await bucket.upload('01HZZZZZZZZZZZZZZZZZZZZZZZ/index', new Uint8Array([1])); // partial: no meta.json
    const r = await cli('bucket', 'ls', '--objstore.config-file', config);
    expect(r.code).toBe(0);
    const lines = r.stdout.toString().trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^ULID\s+FROM\s+UNTIL\s+RANGE\s+RESOLUTION\s+LEVEL\s+SOURCE\s+LABELS$/,
    );
    expect(lines.length).toBe(3);
    const first = parseMeta(await getAll(bucket, `${blocks[0]}/meta.json`));
    const cols = lines[1]!.split(/\s{2,}/);
    expect(cols).toEqual([
      blocks[0],
      new Date(first.minTime).toISOString().replace('.000Z', 'Z'),
      new Date(Math.floor(first.maxTime / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
      '1h0m0.001s',
      '0s',
      '1',
      'bucket.upload',
      '{cluster="eu1", replica="a"}',
    ]);
    expect(lines[2]!.startsWith(blocks[1]!)).toBe(true);
    expect(r.stderr).toContain('01HZZZZZZZZZZZZZZZZZZZZZZZ');
    expect(r.stderr).toContain('ls done: 2 blocks');
  });

  it('prints ULIDs, Thanos wide lines and JSON metas', async () => {
    const ulids = await cli('bucket', 'ls', '--objstore.config-file', config, '-o', 'ulid');
    expect(ulids.stdout.toString()).toBe(blocks.map((b) => `${b}\n`).join(''));

    const wide = await cli('bucket', 'ls', '--objstore.config-file', config, '--output=wide');
    expect(wide.stdout.toString().split('\n')[0]).toBe(
      `${blocks[0]} -- 2023-11-14T22:13:20Z - 2023-11-14T23:13:20Z Diff: 1h0m0s, Compaction: 1, Downsample: 0, Source: bucket.upload`,
    );

    const json = await cli('bucket', 'ls', '--objstore.config-file', config, '-o', 'json');
    const docs = json.stdout
      .toString()
      .split(/(?<=^\})\n/m)
      .filter((s) => s.trim());
    const metas: BlockMeta[] = docs.map((d) => parseMeta(d));
    expect(metas.map((m) => m.ulid)).toEqual(blocks);
    expect(metas[1]!.thanos!.source).toBe('bucket.upload');
  });

  it('rejects an unknown output format and a missing objstore config', async () => {
    const bad = await cli('bucket', 'ls', '--objstore.config-file', config, '-o', 'yaml');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown format yaml');
    const none = await cli('bucket', 'ls');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--objstore.config-file');
  });
});

describe('uploadBlock ordering', () => {
  it('writes chunks and index before meta.json', async () => {
    const dir = await makeTmpDir('upload-order-');
    try {
      const order: string[] = [];
      const fs = new FilesystemBucket(dir.path);
      // Records the order of uploads to a real filesystem bucket.
      const recording: Bucket = Object.assign(Object.create(fs) as Bucket, {
        name: fs.name,
        upload: async (key: string, body: UploadBody, size?: number) => {
          order.push(key);
          await fs.upload(key, body, size);
        },
        exists: (k: string) => fs.exists(k),
        iter: (d: string, o?: object) => fs.iter(d, o),
        delete: (k: string) => fs.delete(k),
      });
      const up = await uploadBlock(recording, join(db, blocks[0]!), {
        labels: { a: 'b' },
        source: 'sidecar',
      });
      expect(order).toEqual([
        `${blocks[0]}/chunks/000001`,
        `${blocks[0]}/index`,
        `${blocks[0]}/meta.json`,
      ]);
      expect(up.meta.thanos!.source).toBe('sidecar');
      expect(parseMeta(await getAll(fs, `${blocks[0]}/meta.json`)).thanos!.labels).toEqual({
        a: 'b',
      });
    } finally {
      await dir.remove();
    }
  });
});

describe('uploadBlocks', () => {
  it('warns about tombstones, skips empty and compacted blocks unless asked', async () => {
    const dir = await makeTmpDir('upload-skip-');
    try {
      const src = join(dir.path, 'src');
      await cp(db, src, { recursive: true });
      const [a, b2] = blocks as [string, string];
      // A tombstones file longer than the 9-byte empty one (content irrelevant: it is not uploaded).
      await writeFile(join(src, a, 'tombstones'), new Uint8Array(20));
      const metaB = parseMeta(new Uint8Array(await readFile(join(src, b2, 'meta.json'))));
      await writeFile(
        join(src, b2, 'meta.json'),
        serializeMeta({ ...metaB, compaction: { ...metaB.compaction, level: 2 } }),
      );
      const fs = new FilesystemBucket(join(dir.path, 'bucket'));
      const log: string[] = [];
      const dirs = await resolveBlockDirs([src]);
      const s1 = await uploadBlocks(
        fs,
        dirs,
        { c: '1' },
        { uploadCompacted: false, log: (l) => log.push(l) },
      );
      expect(s1.uploaded).toEqual([a]);
      expect(s1.skipped).toEqual([
        { ulid: b2, reason: 'compaction level 2 > 1 (use --shipper.upload-compacted)' },
      ]);
      expect(log.some((l) => l.startsWith(`warning: ${a} has tombstones`))).toBe(true);
      expect(await fs.exists(`${a}/tombstones`)).toBe(false);
      const s2 = await uploadBlocks(fs, dirs, { c: '1' }, { uploadCompacted: true, log: () => {} });
      expect(s2.uploaded).toEqual([b2]);
      expect(s2.skipped).toEqual([{ ulid: a, reason: 'already in bucket' }]);
    } finally {
      await dir.remove();
    }
  });
});
