/**
 * @module core/objstore/acceptance — one conformance suite every Bucket implementation must
 * pass (as Thanos's `objtesting.AcceptanceTest`). Call `bucketAcceptance` inside a vitest file;
 * it registers a `describe` block. `makeBucket` runs once; the cases use disjoint key prefixes,
 * so the bucket only needs to be empty at the start.
 */
import { readAllBytes } from '../../core/byte-stream.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../core/errors.ts';
import { getAll, listAll, type Bucket } from '../../core/objstore/bucket.ts';
import { isNotFound } from '../../core/objstore/errors.ts';
import { Random } from './random.ts';

export interface AcceptanceOptions {
  /** Size of the streamed large upload (default 12 MiB: several 5 MiB parts). */
  readonly largeObjectBytes?: number;
  /** Keys created for the pagination cases (default 1,050: more than one 1,000-key page). */
  readonly paginationKeys?: number;
  /**
   * Bugs of a test server (not of our code) that the suite tolerates, each with the reason.
   * Real S3 and R2 have none of these.
   */
  readonly knownDeviations?: {
    /** The server breaks on a Range read of a zero-byte object; that assertion is skipped. */
    readonly rangeOfEmptyObject?: string;
    /** Recursive listings come in the server's own order; compared as sets. */
    readonly recursiveOrder?: string;
    /** A directory holding only sub-directories (no objects directly) is missing from listings. */
    readonly prefixWithoutDirectObjects?: string;
  };
}

const enc = new TextEncoder();

/** Deterministic pseudo-random bytes (test/helpers/random.ts), so a mismatch points at an offset. */
export function patternBytes(n: number, seed = 1): Uint8Array {
  return new Random(seed).bytes(n);
}

/** A stream that hands out `bytes` in uneven chunks, like a socket or a file read would. */
export function chunkedStream(
  bytes: Uint8Array,
  chunk = 777 * 1024 + 13,
): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.byteLength) return controller.close();
      const end = Math.min(bytes.byteLength, at + chunk);
      controller.enqueue(bytes.slice(at, end));
      at = end;
    },
  });
}

async function expectNotFound(p: Promise<unknown>, bucket: Bucket, key: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected NotFoundError for ${key}`).toBeInstanceOf(NotFoundError);
  expect(isNotFound(err)).toBe(true);
  expect((err as Error).message).toContain(key);
  expect((err as Error).message).toContain(bucket.name);
}

async function uploadMany(bucket: Bucket, keys: string[], concurrency = 16): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: concurrency }, async () => {
    while (next < keys.length) {
      const k = keys[next++]!;
      await bucket.upload(k, enc.encode(k));
    }
  });
  await Promise.all(workers);
}

export function bucketAcceptance(
  name: string,
  makeBucket: () => Bucket | Promise<Bucket>,
  options: AcceptanceOptions = {},
): void {
  describe(`bucket acceptance: ${name}`, () => {
    let b: Bucket;
    const ordered = (keys: string[]): string[] =>
      options.knownDeviations?.recursiveOrder ? [...keys].sort() : keys;
    beforeAll(async () => {
      b = await makeBucket();
    });

    it('uploads, reads back, reports attributes and existence', async () => {
      const body = patternBytes(4321, 7);
      await b.upload('basic/obj', body);
      expect(await b.exists('basic/obj')).toBe(true);
      expect(await b.exists('basic/nope')).toBe(false);
      expect(await b.exists('basic')).toBe(false); // a directory is not an object
      expect(await getAll(b, 'basic/obj')).toEqual(body);
      const attrs = await b.attributes('basic/obj');
      expect(attrs.size).toBe(4321);
      expect(attrs.lastModified).toBeInstanceOf(Date);
      expect(Math.abs(attrs.lastModified.getTime() - Date.now())).toBeLessThan(10 * 60_000);
    });

    it('reads exact ranges at the edges of an object', async () => {
      const body = patternBytes(1000, 3);
      await b.upload('range/obj', body);
      expect(await b.getRange('range/obj', 0, 1)).toEqual(body.subarray(0, 1));
      expect(await b.getRange('range/obj', 999, 1)).toEqual(body.subarray(999));
      expect(await b.getRange('range/obj', 100, 250)).toEqual(body.subarray(100, 350));
      expect(await b.getRange('range/obj', 0, 1000)).toEqual(body);
      // Past the end: what exists, like S3.
      expect(await b.getRange('range/obj', 990, 100)).toEqual(body.subarray(990));
      expect((await b.getRange('range/obj', 1000, 10)).byteLength).toBe(0);
      expect((await b.getRange('range/obj', 5000, 10)).byteLength).toBe(0);
      // Zero length and "to the end".
      expect((await b.getRange('range/obj', 10, 0)).byteLength).toBe(0);
      expect(await b.getRange('range/obj', 900, -1)).toEqual(body.subarray(900));
    });

    it('handles a zero-length object', async () => {
      await b.upload('empty/obj', new Uint8Array(0));
      expect(await b.exists('empty/obj')).toBe(true);
      expect((await b.attributes('empty/obj')).size).toBe(0);
      expect((await getAll(b, 'empty/obj')).byteLength).toBe(0);
      if (!options.knownDeviations?.rangeOfEmptyObject) {
        expect((await b.getRange('empty/obj', 0, 10)).byteLength).toBe(0);
      }
      expect((await b.getRange('empty/obj', 0, 0)).byteLength).toBe(0);
    });

    it('throws NotFoundError naming bucket and key for missing objects', async () => {
      const key = 'missing/no-such-object';
      await expectNotFound(b.get(key), b, key);
      await expectNotFound(b.getRange(key, 0, 10), b, key);
      await expectNotFound(b.getRange(key, 0, 0), b, key);
      await expectNotFound(b.attributes(key), b, key);
      expect(await b.exists(key)).toBe(false);
      await b.delete(key); // deleting a missing key is not an error
    });

    it('overwrites an existing object', async () => {
      await b.upload('over/obj', enc.encode('first version, longer'));
      await b.upload('over/obj', enc.encode('second'));
      expect(new TextDecoder().decode(await getAll(b, 'over/obj'))).toBe('second');
      expect((await b.attributes('over/obj')).size).toBe(6);
      expect(await listAll(b, 'over')).toEqual(['over/obj']);
    });

    it('deletes objects', async () => {
      await b.upload('del/a', enc.encode('a'));
      await b.upload('del/sub/b', enc.encode('b'));
      await b.delete('del/a');
      expect(await b.exists('del/a')).toBe(false);
      await expectNotFound(b.get('del/a'), b, 'del/a');
      expect(await listAll(b, 'del')).toEqual(['del/sub/']);
      await b.delete('del/sub/b');
      expect(await listAll(b, 'del', { recursive: true })).toEqual([]);
      expect(await listAll(b, 'del')).toEqual([]);
    });

    it('lists one level with directories, or everything recursively (Thanos Iter)', async () => {
      for (const k of [
        'it/a',
        'it/b/c',
        'it/b/d/e',
        'it/c-x',
        'it/b-a',
        'itx/z',
        'it/deep/only/x',
      ]) {
        await b.upload(k, enc.encode(k));
      }
      const deep = options.knownDeviations?.prefixWithoutDirectObjects ? [] : ['it/deep/'];
      const level = ['it/a', 'it/b-a', 'it/b/', 'it/c-x', ...deep];
      expect(await listAll(b, 'it')).toEqual(level);
      expect(await listAll(b, 'it/')).toEqual(level);
      expect(await listAll(b, 'it', { delimiter: true })).toEqual(level);
      const all = ['it/a', 'it/b-a', 'it/b/c', 'it/b/d/e', 'it/c-x', 'it/deep/only/x'];
      expect(ordered(await listAll(b, 'it', { recursive: true }))).toEqual(all);
      expect(ordered(await listAll(b, 'it', { delimiter: 'recursive' }))).toEqual(all);
      expect(ordered(await listAll(b, 'it', { delimiter: false }))).toEqual(all);
      expect(await listAll(b, 'it/b')).toEqual(['it/b/c', 'it/b/d/']);
      expect(await listAll(b, 'it/nothing')).toEqual([]);
      const root = await listAll(b, '');
      expect(root).toContain('it/');
      expect(root).toContain('itx/');
      expect(root.every((k) => k.endsWith('/'))).toBe(true);
      expect([...root].sort()).toEqual(root);
    });

    it('round-trips keys with characters that need URL encoding', async () => {
      const key = 'enc/sp ace+plus=eq&amp%25;q?h#é.txt';
      await b.upload(key, enc.encode('x'));
      expect(await listAll(b, 'enc')).toEqual([key]);
      expect(new TextDecoder().decode(await b.getRange(key, 0, 1))).toBe('x');
      await b.delete(key);
      expect(await b.exists(key)).toBe(false);
    });

    it('lists more than one page of keys, with and without delimiter', async () => {
      const n = options.paginationKeys ?? 1050;
      const keys = Array.from({ length: n }, (_, i) => `page/k${String(i).padStart(5, '0')}`);
      const nested = ['page/d1/x', 'page/d2/y', 'page/d2/y2/z', 'page/zz/w'];
      await uploadMany(b, [...keys, ...nested]);
      const flat = await listAll(b, 'page');
      expect(flat.length).toBe(n + 3);
      expect(flat).toEqual([...keys, 'page/d1/', 'page/d2/', 'page/zz/'].sort());
      const deep = ordered(await listAll(b, 'page', { recursive: true }));
      expect(deep.length).toBe(n + 4);
      expect(deep).toEqual([...keys, ...nested].sort());
    });

    it('streams a large upload and reads it back exactly', async () => {
      const size = options.largeObjectBytes ?? 12 * 1024 * 1024 + 12345;
      const body = patternBytes(size, 11);
      await b.upload('large/obj', chunkedStream(body), size);
      expect((await b.attributes('large/obj')).size).toBe(size);
      const mib = 1024 * 1024;
      for (const at of [0, 5 * mib - 3, 8 * mib - 1, 10 * mib + 7, size - 100]) {
        expect(await b.getRange('large/obj', at, 100)).toEqual(body.subarray(at, at + 100));
      }
      const whole = await readAllBytes(await b.get('large/obj'));
      expect(whole.byteLength).toBe(size);
      expect(bytesEqual(whole, body)).toBe(true);
    });

    it('uploads a Blob larger than a part, and a small one, and reads them back exactly', async () => {
      const size = options.largeObjectBytes ?? 12 * 1024 * 1024 + 12345;
      const body = patternBytes(size, 17);
      await b.upload('blob/large', new Blob([body as Uint8Array<ArrayBuffer>]), size);
      expect((await b.attributes('blob/large')).size).toBe(size);
      const whole = await readAllBytes(await b.get('blob/large'));
      expect(bytesEqual(whole, body)).toBe(true);
      const small = patternBytes(3000, 19);
      await b.upload('blob/small', new Blob([small as Uint8Array<ArrayBuffer>]));
      expect(await getAll(b, 'blob/small')).toEqual(small);
      await b.upload('blob/empty', new Blob([]));
      expect((await b.attributes('blob/empty')).size).toBe(0);
    });

    it('streams a small upload (single request path)', async () => {
      const body = patternBytes(3000, 5);
      await b.upload('small-stream/obj', chunkedStream(body, 1000));
      expect(await getAll(b, 'small-stream/obj')).toEqual(body);
      await b.upload('small-stream/empty', chunkedStream(new Uint8Array(0)));
      expect((await b.attributes('small-stream/empty')).size).toBe(0);
    });
  });
}

/** Byte equality without vitest's slow deep diff on 12 MiB arrays. */
function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
