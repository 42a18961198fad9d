/**
 * @module test/integration/security/fuzz-http — the fuzz run's HTTP client and health prober.
 * Requests go over node:http on a connection of their own: a server that answers before reading
 * a body (an oversized form, a route that takes none) may close the connection, which must not
 * fail the next request that a pooled client would have put on it. The prober runs in a worker
 * thread, so the time it measures is the Worker's, not this process's generating requests.
 */
import { request } from 'node:http';
import { Worker } from 'node:worker_threads';

export type Sent =
  | { readonly status: number; readonly body: string; readonly ms: number }
  | { readonly error: string; readonly ms: number };

export interface SendOptions {
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: Uint8Array | string;
  /** Give up (and report an error) after this long. */
  readonly timeoutMs: number;
}

export function send(url: URL, o: SendOptions): Promise<Sent> {
  const began = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (s: Sent): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(s);
    };
    const req = request(url, { method: o.method, headers: o.headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () =>
        finish({
          status: res.statusCode ?? 0,
          body: Buffer.concat(parts).toString('utf8'),
          ms: performance.now() - began,
        }),
      );
      res.on('error', (err) => finish({ error: String(err), ms: performance.now() - began }));
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer in ${o.timeoutMs} ms`)),
      o.timeoutMs,
    );
    // A write cut by an early answer is not an error: the answer still arrives.
    req.on('error', (err) =>
      setTimeout(() => finish({ error: String(err), ms: performance.now() - began }), 50),
    );
    req.end(o.body === undefined ? undefined : Buffer.from(o.body));
  });
}

export interface Probe {
  readonly status: number;
  readonly ms: number;
  /** When the answer came (Date.now()). */
  readonly at: number;
  readonly error?: string;
}

const PROBER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
let running = true;
const probes = [];
parentPort.on('message', () => { running = false; });
const probe = () => new Promise((resolve) => {
  const t = performance.now();
  const req = http.get(workerData.url, { agent: false }, (res) => {
    res.resume();
    res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - t, at: Date.now() }));
  });
  req.setTimeout(10000, () => req.destroy(new Error('no answer in 10 s')));
  req.on('error', (e) => resolve({ status: 0, ms: performance.now() - t, at: Date.now(), error: String(e) }));
});
(async () => {
  while (running) {
    const t = performance.now();
    probes.push(await probe());
    const wait = workerData.every - (performance.now() - t);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  parentPort.postMessage(probes);
})();
`;

/** Asks `url` every `every` ms from a worker thread until `stop()`, which returns every probe. */
export function startProber(url: URL, every: number): { stop(): Promise<Probe[]> } {
  const w = new Worker(PROBER, { eval: true, workerData: { url: url.toString(), every } });
  const result = new Promise<Probe[]>((resolve, reject) => {
    w.once('message', (m: Probe[]) => resolve(m));
    w.once('error', reject);
  });
  return {
    async stop() {
      w.postMessage('stop');
      const probes = await result;
      await w.terminate();
      return probes;
    },
  };
}
