import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PrefixedBucket } from '../../core/objstore/prefixed.ts';
import { S3Bucket } from '../../core/objstore/s3.ts';
import { bucketFromConfigFile, bucketFromConfigText, expandEnv } from './from-config.ts';
import { FilesystemBucket } from './filesystem.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('objstore config files', () => {
  it('expands $(VAR) from the environment and fails on unset variables', () => {
    expect(expandEnv('key: $(AK) / $(AK)-$(B_2)', { AK: 'x', B_2: 'y' })).toBe('key: x / x-y');
    expect(() => expandEnv('key: $(NOPE)', {})).toThrow(/NOPE is not set/);
    expect(expandEnv('price: $5 (cheap)', {})).toBe('price: $5 (cheap)');
  });

  it('builds a filesystem bucket, keeping keys under the configured prefix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fromcfg-'));
    dirs.push(dir);
    const file = join(dir, 'objstore.yml');
    await writeFile(
      file,
      `type: FILESYSTEM\nconfig:\n  directory: $(DATA)/bucket\nprefix: tenant/a\n`,
    );
    const b = await bucketFromConfigFile(file, { DATA: dir });
    expect(b).toBeInstanceOf(PrefixedBucket);
    await b.upload('blk/meta.json', new TextEncoder().encode('{}'));
    expect(await readFile(join(dir, 'bucket', 'tenant', 'a', 'blk', 'meta.json'), 'utf8')).toBe(
      '{}',
    );
    const plain = bucketFromConfigText(`type: filesystem\nconfig: {directory: ${dir}}`, {});
    expect(plain).toBeInstanceOf(FilesystemBucket);
  });

  it('takes S3 credentials from AWS_* variables when the file has none, and requires them', () => {
    const yaml = 'type: S3\nconfig: {bucket: b, endpoint: 127.0.0.1:9000, insecure: true}';
    expect(
      bucketFromConfigText(yaml, { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 's' }),
    ).toBeInstanceOf(S3Bucket);
    expect(() => bucketFromConfigText(yaml, {})).toThrow(/no credentials for s3 bucket b/);
  });

  it('names the file when it cannot be read', async () => {
    await expect(bucketFromConfigFile('/nonexistent/objstore.yml', {})).rejects.toThrow(
      /reading \/nonexistent\/objstore.yml/,
    );
  });
});
