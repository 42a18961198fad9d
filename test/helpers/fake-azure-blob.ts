/**
 * @module test/helpers/fake-azure-blob — a FAKE of Azure Blob Storage's REST wire format
 * (path-style, as the Azurite emulator: `/<account>/<container>/<blob>`), in memory, for the
 * AZURE objstore type. No Azure service runs here, so this is the stand-in; it is written from
 * the REST reference, independently of core/objstore/azure*.ts, and it RECOMPUTES every Shared
 * Key signature from the request it received (403 AuthenticationFailed on a mismatch, or a
 * request older than 15 minutes), so a signing bug fails the tests.
 *
 * Operations: Put Blob (BlockBlob), Put Block, Put Block List, Get Blob (x-ms-range / Range),
 * Get Blob Properties, Delete Blob, List Blobs (prefix, delimiter, maxresults, marker).
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAzureBlob {
  /** Service URL to give the client: `http://127.0.0.1:<port>` (path-style). */
  readonly url: string;
  readonly account: string;
  /** Base64 account key. */
  readonly key: string;
  /** Requests answered 403 because their signature did not match. */
  readonly rejected: string[];
  /** Every request: method and path with query. */
  readonly requests: string[];
  stop(): Promise<void>;
}

interface Blob {
  data: Buffer;
  modified: Date;
}

const xmlEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Shared Key string-to-sign, per the REST reference (independent of the client's code). */
function stringToSign(req: IncomingMessage, account: string): string {
  const h = (n: string): string => {
    const v = req.headers[n];
    return Array.isArray(v) ? v.join(',') : (v ?? '');
  };
  const len = h('content-length');
  const lines = [
    req.method ?? '',
    h('content-encoding'),
    h('content-language'),
    len === '0' ? '' : len,
    h('content-md5'),
    h('content-type'),
    h('date'),
    h('if-modified-since'),
    h('if-match'),
    h('if-none-match'),
    h('if-unmodified-since'),
    h('range'),
  ];
  const xms = Object.keys(req.headers)
    .filter((n) => n.startsWith('x-ms-'))
    .sort()
    .map((n) => `${n}:${h(n).trim()}`);
  const u = new URL(req.url ?? '/', 'http://x');
  const names = [...new Set([...u.searchParams.keys()].map((k) => k.toLowerCase()))].sort();
  let resource = `/${account}${u.pathname}`;
  for (const n of names) {
    const values = [...u.searchParams.entries()]
      .filter(([k]) => k.toLowerCase() === n)
      .map(([, v]) => v)
      .sort();
    resource += `\n${n}:${values.join(',')}`;
  }
  return [...lines, ...xms, resource].join('\n');
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/xml', 'x-ms-error-code': code });
  res.end(
    `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`,
  );
}

export async function startFakeAzureBlob(
  account = 'devaccount',
  containers: readonly string[] = ['thanos'],
): Promise<FakeAzureBlob> {
  const key = Buffer.from('fake-azure-key-for-tests-only-32b').toString('base64');
  const store = new Map<string, Map<string, Blob>>(containers.map((c) => [c, new Map()]));
  const uncommitted = new Map<string, Buffer>(); // `<container>/<blob>\0<blockid>` → data
  const rejected: string[] = [];
  const requests: string[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    requests.push(`${req.method} ${req.url}`);
    const auth = String(req.headers.authorization ?? '');
    const expected = createHmac('sha256', Buffer.from(key, 'base64'))
      .update(stringToSign(req, account), 'utf8')
      .digest('base64');
    const date = Date.parse(String(req.headers['x-ms-date'] ?? ''));
    if (
      auth !== `SharedKey ${account}:${expected}` ||
      !(Math.abs(Date.now() - date) < 15 * 60_000)
    ) {
      rejected.push(`${req.method} ${req.url}`);
      return fail(res, 403, 'AuthenticationFailed', 'Server failed to authenticate the request.');
    }
    if (!req.headers['x-ms-version'])
      return fail(res, 400, 'MissingRequiredHeader', 'x-ms-version');
    const u = new URL(req.url ?? '/', 'http://x');
    const parts = u.pathname.split('/').slice(1).map(decodeURIComponent);
    if (parts[0] !== account) return fail(res, 400, 'InvalidUri', 'wrong account');
    const container = store.get(parts[1] ?? '');
    if (!container)
      return fail(res, 404, 'ContainerNotFound', 'The specified container does not exist.');
    const name = parts.slice(2).join('/');
    const q = u.searchParams;

    if (name === '') {
      if (req.method !== 'GET' || q.get('restype') !== 'container' || q.get('comp') !== 'list')
        return fail(res, 400, 'InvalidQueryParameterValue', 'unsupported container operation');
      const prefix = q.get('prefix') ?? '';
      const delim = q.get('delimiter') ?? '';
      const max = Number(q.get('maxresults') ?? 5000);
      const marker = q.get('marker') ?? '';
      const entries: { name: string; dir: boolean }[] = [];
      const seen = new Set<string>();
      for (const n of [...container.keys()].sort()) {
        if (!n.startsWith(prefix)) continue;
        const rest = n.slice(prefix.length);
        const cut = delim ? rest.indexOf(delim) : -1;
        if (cut >= 0) {
          const d = prefix + rest.slice(0, cut + delim.length);
          if (!seen.has(d)) (entries.push({ name: d, dir: true }), seen.add(d));
        } else entries.push({ name: n, dir: false });
      }
      const from = marker ? entries.findIndex((e) => e.name > marker) : 0;
      const page = from < 0 ? [] : entries.slice(from, from + max);
      const next = from >= 0 && from + max < entries.length ? page.at(-1)!.name : '';
      const items = page
        .map((e) =>
          e.dir
            ? `<BlobPrefix><Name>${xmlEscape(e.name)}</Name></BlobPrefix>`
            : `<Blob><Name>${xmlEscape(e.name)}</Name><Properties><Content-Length>${container.get(e.name)!.data.length}</Content-Length></Properties></Blob>`,
        )
        .join('');
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Prefix>${xmlEscape(prefix)}</Prefix><Blobs>${items}</Blobs><NextMarker>${xmlEscape(next)}</NextMarker></EnumerationResults>`,
      );
      return;
    }

    const blob = container.get(name);
    switch (req.method) {
      case 'PUT': {
        if (q.get('comp') === 'block') {
          uncommitted.set(`${parts[1]}/${name}\0${q.get('blockid')}`, body);
          res.writeHead(201).end();
          return;
        }
        if (q.get('comp') === 'blocklist') {
          const ids = [...body.toString().matchAll(/<Latest>([^<]*)<\/Latest>/g)].map((m) => m[1]!);
          const datas: Buffer[] = [];
          for (const id of ids) {
            const d = uncommitted.get(`${parts[1]}/${name}\0${id}`);
            if (!d) return fail(res, 400, 'InvalidBlockList', `block ${id} not found`);
            datas.push(d);
          }
          for (const k of [...uncommitted.keys()])
            if (k.startsWith(`${parts[1]}/${name}\0`)) uncommitted.delete(k);
          container.set(name, { data: Buffer.concat(datas), modified: new Date() });
          res.writeHead(201).end();
          return;
        }
        if (req.headers['x-ms-blob-type'] !== 'BlockBlob')
          return fail(res, 400, 'MissingRequiredHeader', 'x-ms-blob-type');
        container.set(name, { data: body, modified: new Date() });
        res.writeHead(201).end();
        return;
      }
      case 'GET':
      case 'HEAD': {
        if (!blob) {
          if (req.method === 'HEAD')
            return void res.writeHead(404, { 'x-ms-error-code': 'BlobNotFound' }).end();
          return fail(res, 404, 'BlobNotFound', 'The specified blob does not exist.');
        }
        const headers = {
          'last-modified': blob.modified.toUTCString(),
          'x-ms-blob-type': 'BlockBlob',
        };
        const range = String(req.headers['x-ms-range'] ?? req.headers.range ?? '');
        const m = /^bytes=(\d+)-(\d*)$/.exec(range);
        if (req.method === 'GET' && m) {
          const start = Number(m[1]);
          if (start >= blob.data.length)
            return fail(
              res,
              416,
              'InvalidRange',
              'The range specified is invalid for the current size of the resource.',
            );
          const end = Math.min(m[2] ? Number(m[2]) : blob.data.length - 1, blob.data.length - 1);
          res.writeHead(206, {
            ...headers,
            'content-length': end - start + 1,
            'content-range': `bytes ${start}-${end}/${blob.data.length}`,
          });
          res.end(blob.data.subarray(start, end + 1));
          return;
        }
        res.writeHead(200, { ...headers, 'content-length': blob.data.length });
        res.end(req.method === 'HEAD' ? undefined : blob.data);
        return;
      }
      case 'DELETE':
        if (!blob) return fail(res, 404, 'BlobNotFound', 'The specified blob does not exist.');
        container.delete(name);
        res.writeHead(202).end();
        return;
      default:
        return fail(res, 405, 'UnsupportedHttpVerb', String(req.method));
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.destroy(err as Error);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    account,
    key,
    rejected,
    requests,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
