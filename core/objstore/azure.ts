/**
 * @module core/objstore/azure — Bucket over Azure Blob Storage's REST API, signed with Shared
 * Key (azure-shared-key.ts), plain `fetch` (Thanos objstore `type: AZURE`).
 *
 * Requests: Get Blob (x-ms-range), Get Blob Properties, List Blobs (prefix, `/` delimiter,
 * markers), Put Blob (block blob), Put Block + Put Block List for objects larger than one part,
 * Delete Blob. 5xx, 429 and network errors are retried with exponential backoff and jitter;
 * other failures become a `BucketError` naming the operation, container, blob and Azure's code.
 * Spec: https://learn.microsoft.com/rest/api/storageservices/blob-service-rest-api
 */
import { compareStrings } from '../labels/labels.ts';
import {
  dirPrefix,
  isRecursive,
  DIR_DELIM,
  type Bucket,
  type IterOptions,
  type ObjectAttributes,
  type UploadBody,
} from './bucket.ts';
import { AzureSharedKeySigner } from './azure-shared-key.ts';
import { BucketError, ObjectNotFoundError } from './errors.ts';
import {
  DEFAULT_PART_SIZE,
  DEFAULT_UPLOAD_CONCURRENCY,
  uploadBlob,
  uploadStream,
  type MultipartTarget,
} from './parts.ts';
import { encodeKey } from './s3.ts';
import { childText, childrenNamed, parseXml, type XmlElement } from './xml.ts';

export interface AzureBucketOptions {
  readonly account: string;
  /** Base64 account key. */
  readonly accountKey: string;
  readonly container: string;
  /**
   * Blob service base URL. Default `https://<account>.blob.core.windows.net`. A URL whose host
   * does not start with the account (an emulator such as Azurite) is used path-style:
   * `<url>/<account>/<container>/<blob>`.
   */
  readonly serviceUrl?: string;
  /** Block size for uploads larger than one part (default 16 MiB). */
  readonly partSize?: number;
  readonly uploadConcurrency?: number;
  /** Retries after the first attempt for 5xx/429/network errors (default 4). */
  readonly retries?: number;
  /** First backoff delay in ms, doubled per retry, with full jitter (default 100). */
  readonly retryBaseMs?: number;
  /** `maxresults` per List Blobs page (default 5000, Azure's maximum). */
  readonly listPageSize?: number;
  readonly fetch?: typeof fetch;
}

type Op = 'get' | 'get_range' | 'exists' | 'attributes' | 'iter' | 'upload' | 'delete';

export class AzureBucket implements Bucket {
  readonly name: string;
  readonly #signer: AzureSharedKeySigner;
  /** `…/<container>`, no trailing slash. */
  readonly #base: string;
  readonly #partSize: number;
  readonly #uploadConcurrency: number;
  readonly #retries: number;
  readonly #retryBaseMs: number;
  readonly #pageSize: number;
  readonly #fetch: typeof fetch;

  constructor(o: AzureBucketOptions) {
    this.name = o.container;
    this.#signer = new AzureSharedKeySigner(o.account, o.accountKey);
    const svc = new URL(o.serviceUrl ?? `https://${o.account}.blob.core.windows.net`);
    const root = svc.origin + svc.pathname.replace(/\/+$/, '');
    const pathStyle = !svc.hostname.startsWith(`${o.account}.`);
    this.#base = `${root}${pathStyle ? `/${encodeKey(o.account)}` : ''}/${encodeKey(o.container)}`;
    this.#partSize = o.partSize ?? DEFAULT_PART_SIZE;
    this.#uploadConcurrency = o.uploadConcurrency ?? DEFAULT_UPLOAD_CONCURRENCY;
    this.#retries = o.retries ?? 4;
    this.#retryBaseMs = o.retryBaseMs ?? 100;
    this.#pageSize = o.listPageSize ?? 5000;
    this.#fetch = o.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  #url(key: string, query?: Record<string, string>): URL {
    const url = new URL(key === '' ? this.#base : `${this.#base}/${encodeKey(key)}`);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    return url;
  }

  #backoff(attempt: number): Promise<void> {
    const delay = Math.random() * this.#retryBaseMs * 2 ** (attempt - 1);
    return new Promise((r) => setTimeout(r, delay));
  }

  /** Signs and sends one request (signed again per attempt: x-ms-date), retrying transient failures. */
  async #send(
    op: Op,
    key: string,
    url: URL,
    method: string,
    headers: Record<string, string> = {},
    body?: Uint8Array | Blob,
  ): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) await this.#backoff(attempt);
      const h = new Headers(headers);
      if (body !== undefined)
        h.set('content-length', String(body instanceof Blob ? body.size : body.byteLength));
      let res: Response;
      try {
        await this.#signer.sign(method, url, h);
        res = await this.#fetch(url, {
          method,
          headers: h,
          ...(body !== undefined ? { body: body as BodyInit } : {}),
        });
      } catch (err) {
        if (attempt < this.#retries) continue;
        throw new BucketError(
          op,
          this.name,
          key,
          `network error after ${attempt + 1} attempts: ${String(err)}`,
          { cause: err },
        );
      }
      if ((res.status >= 500 || res.status === 429) && attempt < this.#retries) {
        await res.body?.cancel();
        continue;
      }
      return res;
    }
  }

  async #fail(op: Op, key: string, res: Response): Promise<never> {
    const body = await res.text().catch(() => '');
    // Azure names the error in a header (HEAD answers have no body) and in the XML body.
    let code = res.headers.get('x-ms-error-code') ?? '';
    let message = '';
    if (body.includes('<Error')) {
      try {
        const el = parseXml(body);
        code ||= childText(el, 'Code') ?? '';
        message = (childText(el, 'Message') ?? '').split('\n')[0]!;
      } catch {
        // status alone
      }
    }
    if (res.status === 404 && (code === '' || code === 'BlobNotFound'))
      throw new ObjectNotFoundError(this.name, key);
    const detail = [code, message].filter(Boolean).join(': ') || res.statusText;
    throw new BucketError(op, this.name, key, detail, { status: res.status });
  }

  async get(key: string): Promise<ReadableStream<Uint8Array>> {
    const res = await this.#send('get', key, this.#url(key), 'GET');
    if (res.status !== 200) return this.#fail('get', key, res);
    return res.body ?? new Response(new Uint8Array(0)).body!;
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0) throw new RangeError(`getRange ${key}: negative offset ${offset}`);
    if (length === 0) {
      await this.attributes(key);
      return new Uint8Array(0);
    }
    const range = length < 0 ? `bytes=${offset}-` : `bytes=${offset}-${offset + length - 1}`;
    const res = await this.#send('get_range', key, this.#url(key), 'GET', { 'x-ms-range': range });
    if (res.status === 416) {
      await res.body?.cancel();
      return new Uint8Array(0);
    }
    if (res.status !== 200 && res.status !== 206) return this.#fail('get_range', key, res);
    let bytes = new Uint8Array(await res.arrayBuffer());
    if (res.status === 200) bytes = bytes.subarray(Math.min(offset, bytes.byteLength));
    if (length >= 0 && bytes.byteLength > length) bytes = bytes.subarray(0, length);
    return bytes;
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.attributes(key);
      return true;
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return false;
      throw err;
    }
  }

  async attributes(key: string): Promise<ObjectAttributes> {
    const res = await this.#send('attributes', key, this.#url(key), 'HEAD');
    if (res.status !== 200) return this.#fail('attributes', key, res);
    const size = Number(res.headers.get('content-length') ?? NaN);
    if (!Number.isFinite(size))
      throw new BucketError('attributes', this.name, key, 'Get Blob Properties: no Content-Length');
    return { size, lastModified: new Date(res.headers.get('last-modified') ?? NaN) };
  }

  async *iter(dir: string, options?: IterOptions): AsyncIterable<string> {
    const prefix = dirPrefix(dir);
    let marker = '';
    do {
      const q: Record<string, string> = {
        restype: 'container',
        comp: 'list',
        maxresults: String(this.#pageSize),
      };
      if (prefix) q.prefix = prefix;
      if (!isRecursive(options)) q.delimiter = DIR_DELIM;
      if (marker) q.marker = marker;
      const res = await this.#send('iter', prefix, this.#url('', q), 'GET');
      if (res.status !== 200) await this.#fail('iter', prefix, res);
      const page = parseXml(await res.text());
      const blobs: XmlElement | undefined = childrenNamed(page, 'Blobs')[0];
      const names = (tag: string): string[] =>
        blobs ? childrenNamed(blobs, tag).map((b) => childText(b, 'Name') ?? '') : [];
      const keys = names('Blob').filter((k) => k !== '' && k !== prefix);
      const dirs = names('BlobPrefix').filter((d) => d !== '');
      // Each list is sorted; merged so the whole listing is.
      let i = 0;
      let j = 0;
      while (i < keys.length || j < dirs.length) {
        if (j >= dirs.length || (i < keys.length && compareStrings(keys[i]!, dirs[j]!) < 0))
          yield keys[i++]!;
        else yield dirs[j++]!;
      }
      marker = childText(page, 'NextMarker') ?? '';
    } while (marker);
  }

  async upload(key: string, body: UploadBody, _size?: number): Promise<void> {
    if (body instanceof Uint8Array) return this.#putBlob(key, body);
    if (body instanceof Blob) {
      await uploadBlob(body, this.#partSize, this.#blocks<Blob>(key), this.#uploadConcurrency);
      return;
    }
    await uploadStream(
      body,
      this.#partSize,
      this.#blocks<Uint8Array>(key),
      this.#uploadConcurrency,
    );
  }

  /** Put Block / Put Block List: block ids of equal length (base64 of a zero-padded number). */
  #blocks<B extends Uint8Array | Blob>(key: string): MultipartTarget<null, string, B> {
    return {
      single: (bytes) => this.#putBlob(key, bytes),
      create: () => Promise.resolve(null),
      part: async (_id, n, bytes) => {
        const blockId = btoa(`block-${String(n).padStart(6, '0')}`);
        const res = await this.#send(
          'upload',
          key,
          this.#url(key, { comp: 'block', blockid: blockId }),
          'PUT',
          {},
          bytes,
        );
        if (res.status !== 201) return this.#fail('upload', key, res);
        await res.body?.cancel();
        return blockId;
      },
      complete: async (_id, ids) => {
        const xml =
          '<?xml version="1.0" encoding="utf-8"?><BlockList>' +
          ids.map((id) => `<Latest>${id}</Latest>`).join('') +
          '</BlockList>';
        const res = await this.#send(
          'upload',
          key,
          this.#url(key, { comp: 'blocklist' }),
          'PUT',
          { 'content-type': 'application/xml' },
          new TextEncoder().encode(xml),
        );
        if (res.status !== 201) return this.#fail('upload', key, res);
        await res.body?.cancel();
      },
      // Uncommitted blocks are discarded by the service after a week; nothing to abort.
      abort: () => Promise.resolve(),
    };
  }

  async #putBlob(key: string, bytes: Uint8Array | Blob): Promise<void> {
    const res = await this.#send(
      'upload',
      key,
      this.#url(key),
      'PUT',
      { 'x-ms-blob-type': 'BlockBlob' },
      bytes,
    );
    if (res.status !== 201) return this.#fail('upload', key, res);
    await res.body?.cancel();
  }

  async delete(key: string): Promise<void> {
    const res = await this.#send('delete', key, this.#url(key), 'DELETE');
    if (res.status === 202 || res.status === 200) return void (await res.body?.cancel());
    if (res.status === 404) {
      try {
        await this.#fail('delete', key, res);
      } catch (err) {
        if (err instanceof ObjectNotFoundError) return;
        throw err;
      }
    }
    return this.#fail('delete', key, res);
  }
}
