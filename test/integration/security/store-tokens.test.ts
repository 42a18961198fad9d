/**
 * Issue #18 finding 7 (audit gap C): the token that opens this Worker's own StoreAPI (STORE_TOKEN)
 * is never sent to another store, which could replay it here. Remote stores get STORES_TOKEN, or
 * the token in their own URL. The remote store is a FAKE that only records what it is sent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';

const OWN = 'own-storeapi-token-0123456789';
const OUTGOING = 'outgoing-stores-token-0123456789';
const PER_STORE = 'per-store-token-0123456789';

describe('tokens sent to remote stores', () => {
  let server: Server;
  let base = '';
  const seen: { path: string; authorization: string | undefined }[] = [];
  const workers: WorkerHandle[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('fake store: unavailable');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const w of workers) await w.stop();
    await new Promise((r) => server.close(r));
  });

  /** What the fake store was sent while the Worker answered a labels request. */
  const sentBy = async (vars: Record<string, string>): Promise<(string | undefined)[]> => {
    const w = await startWorker({ r2: false, vars: { S3_ENDPOINT: '', S3_BUCKET: '', ...vars } });
    workers.push(w);
    seen.length = 0;
    const res = await w.fetch('/api/v1/labels');
    await res.text();
    expect(seen.length, 'the Worker asked the store').toBeGreaterThan(0);
    return seen.map((s) => s.authorization);
  };

  it('never sends its own StoreAPI token to another store', async () => {
    const sent = await sentBy({ STORE_TOKEN: OWN, STORES: `http://${base}` });
    expect(sent.every((a) => a === undefined)).toBe(true);
  });

  it('sends STORES_TOKEN, and a store URL’s own token in its place', async () => {
    const shared = await sentBy({
      STORE_TOKEN: OWN,
      STORES_TOKEN: OUTGOING,
      STORES: `http://${base}`,
    });
    expect(new Set(shared)).toEqual(new Set([`Bearer ${OUTGOING}`]));
    const own = await sentBy({
      STORE_TOKEN: OWN,
      STORES_TOKEN: OUTGOING,
      STORES: `http://:${PER_STORE}@${base}`,
    });
    expect(new Set(own)).toEqual(new Set([`Bearer ${PER_STORE}`]));
  });
});
