/**
 * A test Worker that exposes Bucket operations over HTTP, so the acceptance suite can drive
 * core/objstore's R2 and S3 buckets *running inside workerd* (Miniflare) from Node.
 * `?backend=r2` uses the R2 binding BLOCKS; `?backend=s3` an S3Bucket against the S3 vars.
 * `GET /which` reports what worker/objstore.ts's `bucketFromEnv` picks.
 */
import { NotFoundError } from '../../../core/errors.ts';
import type { Bucket } from '../../../core/objstore/bucket.ts';
import { BucketError } from '../../../core/objstore/errors.ts';
import { R2Bucket, type R2BucketLike } from '../../../core/objstore/r2.ts';
import { S3Bucket } from '../../../core/objstore/s3.ts';
import { bucketFromEnv, type ObjstoreEnv } from '../../../worker/objstore.ts';

interface Env extends ObjstoreEnv {
  BLOCKS: R2BucketLike;
}

const MiB = 1024 * 1024;

function pick(env: Env, backend: string | null): Bucket {
  if (backend === 'r2') return new R2Bucket(env.BLOCKS, { name: 'BLOCKS', partSize: 5 * MiB });
  return new S3Bucket({
    endpoint: env.S3_ENDPOINT!,
    bucket: env.S3_BUCKET!,
    region: env.S3_REGION!,
    accessKeyId: env.S3_ACCESS_KEY_ID!,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY!,
    partSize: 5 * MiB,
  });
}

function json(v: unknown, status = 200): Response {
  return new Response(JSON.stringify(v), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    const url = new URL(req.url);
    const q = url.searchParams;
    if (url.pathname === '/which') {
      const withoutS3: ObjstoreEnv = { BLOCKS: env.BLOCKS };
      return json({
        configured: bucketFromEnv(env).constructor.name,
        bindingOnly: bucketFromEnv(withoutS3).constructor.name,
      });
    }
    const b = pick(env, q.get('backend'));
    const key = q.get('key') ?? '';
    try {
      switch (url.pathname) {
        case '/name':
          return json(b.name);
        case '/get':
          return new Response(await b.get(key));
        case '/range':
          return new Response(
            (await b.getRange(
              key,
              Number(q.get('offset')),
              Number(q.get('length')),
            )) as Uint8Array<ArrayBuffer>,
          );
        case '/exists':
          return json(await b.exists(key));
        case '/attributes': {
          const a = await b.attributes(key);
          return json({ size: a.size, lastModified: a.lastModified.toISOString() });
        }
        case '/iter': {
          const out: string[] = [];
          for await (const k of b.iter(q.get('dir') ?? '', {
            recursive: q.get('recursive') === '1',
          }))
            out.push(k);
          return json(out);
        }
        case '/upload': {
          // Streamed bodies go through as streams: this is the Worker's streaming upload path.
          const size = q.get('size');
          if (q.get('stream') === '1')
            await b.upload(key, req.body!, size ? Number(size) : undefined);
          else await b.upload(key, new Uint8Array(await req.arrayBuffer()));
          return json(true);
        }
        case '/delete':
          await b.delete(key);
          return json(true);
      }
      return json({ name: 'BadRequest', message: `unknown op ${url.pathname}` }, 400);
    } catch (err) {
      const e = err as Error;
      const status = err instanceof NotFoundError ? 404 : 500;
      return json(
        {
          name: e.name,
          message: e.message,
          bucket: b.name,
          status: err instanceof BucketError ? err.status : undefined,
        },
        status,
      );
    }
  },
};
