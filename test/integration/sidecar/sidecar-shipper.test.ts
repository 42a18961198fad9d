/**
 * The sidecar agent's shipper, run as the real CLI (`thanos-edge sidecar`) beside a real
 * Prometheus 2.42 cutting 10s blocks, shipping to s3rver through a fault-injecting fake S3 proxy
 * (named a fake: it only forwards, throttles, fails or drops requests; s3rver stores).
 *
 * Shows: blocks in the bucket with a correct meta.json and bytes identical to the local files;
 * nothing uploaded twice across restarts; SIGKILL mid-upload then restart → the block complete,
 * its meta.json written exactly once; SIGTERM mid-upload finishes that upload, then exits 0; 5xx, dropped connections and connection refused retried
 * with nothing lost; SIGTERM exits 0.
 */
import { readFile, writeFile } from 'node:fs/promises';
import {
  createServer,
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bucket } from '../../../core/objstore/bucket.ts';
import { getAll } from '../../../core/objstore/bucket.ts';
import { parseMeta } from '../../../core/tsdb/meta.ts';
import { bucketFromConfigText } from '../../../sidecar-agent/objstore/from-config.ts';
import { startLivePrometheus, type LivePrometheus } from '../../helpers/prometheus-live.ts';
import { startAgentProcess, type AgentProcess } from '../../helpers/agent-process.ts';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

const EXT = { cluster: 'ship', replica: 'r0' };

type Fault = 'pass' | 503 | 'drop';

/** Fake S3 in front of s3rver: forwards requests (Host header kept, so SigV4 still verifies). */
class FaultProxy {
  readonly server: Server;
  port = 0;
  /** Decides per request; default pass. */
  plan: (method: string, key: string) => Fault = () => 'pass';
  /** Bytes per second for request bodies; 0 = unthrottled. */
  throttle = 0;
  /** Successful (2xx from s3rver) PUTs per key. */
  readonly okPuts = new Map<string, number>();
  readonly injected = { 503: 0, drop: 0 };
  onPutStart: ((key: string) => void) | undefined;
  readonly #sockets = new Set<Socket>();

  constructor(readonly upstreamPort: number) {
    // A client killed mid-body makes the request stream fail: drop the forwarded request too.
    this.server = createServer(
      (req, res) => void this.#handle(req, res).catch(() => res.destroy()),
    );
    this.server.on('connection', (s) => {
      this.#sockets.add(s);
      s.once('close', () => this.#sockets.delete(s));
    });
  }

  async listen(port = 0): Promise<void> {
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Closes the listener and every connection: the port now refuses connections. */
  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const key = decodeURIComponent((req.url ?? '').split('?')[0]!.replace(/^\/thanos\/?/, ''));
    const fault = this.plan(req.method ?? '', key);
    if (fault === 'drop') {
      this.injected.drop++;
      req.socket.destroy();
      return;
    }
    if (fault === 503) {
      this.injected[503]++;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end('<Error><Code>SlowDown</Code><Message>injected</Message></Error>');
      return;
    }
    if (req.method === 'PUT') this.onPutStart?.(key);
    const up = httpRequest(
      {
        host: '127.0.0.1',
        port: this.upstreamPort,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (ures) => {
        if (req.method === 'PUT' && ures.statusCode! < 300)
          this.okPuts.set(key, (this.okPuts.get(key) ?? 0) + 1);
        res.writeHead(ures.statusCode!, ures.headers);
        ures.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.on('close', () => {
      if (!req.complete) up.destroy();
    });
    try {
      await this.#pipeBody(req, up);
    } catch (err) {
      up.destroy();
      throw err;
    }
    up.end();
  }

  async #pipeBody(req: IncomingMessage, up: ClientRequest): Promise<void> {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      if (this.throttle > 0) {
        for (let at = 0; at < chunk.length; at += 4096) {
          if (!up.write(chunk.subarray(at, at + 4096)))
            await new Promise((r) => up.once('drain', r));
          await new Promise((r) => setTimeout(r, (4096 / this.throttle) * 1000));
        }
      } else if (!up.write(chunk)) await new Promise((r) => up.once('drain', r));
    }
  }
}

type Agent = AgentProcess;

let tmp: TmpDir;
let s3: S3rverHandle;
let proxy: FaultProxy;
let prom: LivePrometheus;
let bucket: Bucket;
let configPath: string;
const agents: Agent[] = [];

async function startAgent(): Promise<Agent> {
  const a = await startAgentProcess({
    prometheusUrl: prom.url,
    tsdbPath: prom.tsdbPath,
    objstoreConfigPath: configPath,
    token: 'tok',
  });
  agents.push(a);
  return a;
}

async function metric(a: Agent, name: string): Promise<number> {
  const text = await (await fetch(`${a.url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

async function inBucket(id: string): Promise<boolean> {
  return bucket.exists(`${id}/meta.json`);
}

async function waitUploaded(ids: readonly string[], timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing: string[] = [];
    for (const id of ids) if (!(await inBucket(id))) missing.push(id);
    if (missing.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`not uploaded after ${timeoutMs}ms: ${missing.join(', ')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** meta.json in the bucket is right and every file is byte-identical to the local one. */
async function checkBlock(id: string): Promise<void> {
  const meta = parseMeta(await getAll(bucket, `${id}/meta.json`), id);
  const local = parseMeta(new Uint8Array(await readFile(join(prom.tsdbPath, id, 'meta.json'))), id);
  expect(meta.minTime).toBe(local.minTime);
  expect(meta.maxTime).toBe(local.maxTime);
  expect(meta.compaction.level).toBe(1);
  expect(meta.thanos?.labels).toEqual(EXT);
  expect(meta.thanos?.source).toBe('sidecar');
  expect(meta.thanos?.downsample.resolution).toBe(0);
  const files = meta.thanos?.files ?? [];
  expect(files.map((f) => f.rel_path)).toEqual(['chunks/000001', 'index', 'meta.json']);
  for (const f of files) {
    if (f.rel_path === 'meta.json') continue;
    const want = new Uint8Array(await readFile(join(prom.tsdbPath, id, ...f.rel_path.split('/'))));
    expect(f.size_bytes).toBe(want.length);
    const got = await getAll(bucket, `${id}/${f.rel_path}`);
    expect(Buffer.compare(Buffer.from(got), Buffer.from(want))).toBe(0);
  }
}

async function stateFile(): Promise<string[]> {
  const raw = JSON.parse(await readFile(join(prom.tsdbPath, 'thanos.shipper.json'), 'utf8')) as {
    version: number;
    uploaded: string[];
  };
  expect(raw.version).toBe(1);
  return raw.uploaded;
}

function expectMetaPutOnce(ids: readonly string[]): void {
  for (const id of ids) expect(proxy.okPuts.get(`${id}/meta.json`), id).toBe(1);
}

beforeAll(async () => {
  tmp = await makeTmpDir('sidecar-ship-');
  s3 = await startS3rver();
  proxy = new FaultProxy(s3.port);
  await proxy.listen();
  bucket = bucketFromConfigText(s3.objstoreYaml());
  configPath = join(tmp.path, 'objstore.yml');
  await writeFile(
    configPath,
    s3.objstoreYaml().replace(`127.0.0.1:${s3.port}`, `127.0.0.1:${proxy.port}`),
  );
  prom = await startLivePrometheus({ dir: tmp.path, externalLabels: EXT, blockDuration: '10s' });
}, 120_000);

afterAll(async () => {
  for (const a of agents)
    if (a.proc.exitCode === null && a.proc.signalCode === null) a.proc.kill('SIGKILL');
  await prom?.stop();
  await proxy?.close().catch(() => undefined);
  await s3?.stop();
  await tmp?.remove();
});

describe('sidecar shipper (real Prometheus, s3rver behind a fault proxy)', () => {
  let firstRun: string[] = [];

  it('uploads finished blocks: meta.json with the thanos section, bytes identical; SIGTERM exits 0', async () => {
    const local = await prom.waitForBlocks(2);
    const a = await startAgent();
    await waitUploaded(local);
    for (const id of local) await checkBlock(id);
    expect(await stateFile()).toEqual(expect.arrayContaining(local));
    expect(await metric(a, 'thanos_shipper_uploads_total')).toBeGreaterThanOrEqual(local.length);
    expect(await metric(a, 'thanos_shipper_upload_bytes_total')).toBeGreaterThan(0);
    expect(await metric(a, 'thanos_shipper_last_successful_upload_time')).toBeGreaterThan(
      Date.now() / 1000 - 120,
    );
    a.proc.kill('SIGTERM');
    expect(await a.exit).toEqual({ code: 0, signal: null });
    firstRun = await stateFile();
    expectMetaPutOnce(firstRun);
  }, 180_000);

  it('after a restart nothing is uploaded twice; new blocks are', async () => {
    const before = (await prom.blocks()).length;
    await prom.waitForBlocks(before + 1); // one appears while the agent is down
    const local = await prom.blocks();
    const a = await startAgent();
    await waitUploaded(local);
    const fresh = local.filter((id) => !firstRun.includes(id));
    expect(fresh.length).toBeGreaterThan(0);
    for (const id of fresh) await checkBlock(id);
    // Only the new ones were sent (the agent may have caught one more block meanwhile).
    const uploads = await metric(a, 'thanos_shipper_uploads_total');
    expect(uploads).toBeGreaterThanOrEqual(fresh.length);
    expect(uploads).toBeLessThanOrEqual(fresh.length + 1);
    expectMetaPutOnce(await stateFile());
    a.proc.kill('SIGTERM');
    expect((await a.exit).code).toBe(0);
  }, 180_000);

  it('SIGKILL mid-upload, restart → the block is complete, its meta.json written exactly once', async () => {
    const done = new Set(await stateFile());
    proxy.throttle = 8 * 1024; // bytes/s: a block takes seconds
    let victim: string | undefined;
    const started = new Promise<string>((resolve) => {
      proxy.onPutStart = (key) => {
        if (key.endsWith('/index') || key.includes('/chunks/')) resolve(key.split('/')[0]!);
      };
    });
    await prom.waitForBlocks((await prom.blocks()).length + 1);
    const a = await startAgent();
    victim = await started;
    await new Promise((r) => setTimeout(r, 300));
    a.proc.kill('SIGKILL');
    expect((await a.exit).signal).toBe('SIGKILL');
    proxy.onPutStart = undefined;
    expect(done.has(victim)).toBe(false);
    // Killed before meta.json: the block is invisible to readers.
    expect(await inBucket(victim)).toBe(false);
    expect(await stateFile()).not.toContain(victim);

    proxy.throttle = 0;
    const b = await startAgent();
    await waitUploaded([victim]);
    await checkBlock(victim);
    expect(proxy.okPuts.get(`${victim}/meta.json`)).toBe(1);
    expect((await stateFile()).filter((id) => id === victim)).toEqual([victim]);
    b.proc.kill('SIGTERM');
    expect((await b.exit).code).toBe(0);
  }, 180_000);

  it('SIGTERM mid-upload: the upload in flight finishes, then the agent exits 0', async () => {
    const done = new Set(await stateFile());
    proxy.throttle = 16 * 1024;
    const started = new Promise<string>((resolve) => {
      proxy.onPutStart = (key) => {
        const id = key.split('/')[0]!;
        if (!done.has(id) && (key.endsWith('/index') || key.includes('/chunks/'))) resolve(id);
      };
    });
    await prom.waitForBlocks((await prom.blocks()).length + 1);
    const a = await startAgent();
    const victim = await started;
    a.proc.kill('SIGTERM');
    expect(await a.exit).toEqual({ code: 0, signal: null });
    proxy.onPutStart = undefined;
    proxy.throttle = 0;
    // Finished, not abandoned: complete in the bucket and recorded.
    expect(await inBucket(victim)).toBe(true);
    await checkBlock(victim);
    expect(await stateFile()).toContain(victim);
    expect(proxy.okPuts.get(`${victim}/meta.json`)).toBe(1);
  }, 180_000);

  it('5xx, dropped connections and connection refused are retried; nothing is lost', async () => {
    let puts = 0;
    proxy.plan = (method) => {
      if (method !== 'PUT') return 'pass';
      puts++;
      if (puts <= 6) return 503;
      if (puts <= 9) return 'drop';
      return 'pass';
    };
    await prom.waitForBlocks((await prom.blocks()).length + 2);
    // Connection refused first: the fake S3 is down when the agent starts.
    const port = proxy.port;
    await proxy.close();
    const a = await startAgent();
    await new Promise((r) => setTimeout(r, 3000));
    expect(await metric(a, 'thanos_shipper_upload_failures_total')).toBeGreaterThan(0);
    const fresh = proxy;
    const revived = new FaultProxy(s3.port);
    revived.plan = fresh.plan;
    await revived.listen(port);
    proxy = revived;
    const local = await prom.blocks();
    await waitUploaded(local, 120_000);
    expect(revived.injected[503]).toBe(6);
    expect(revived.injected.drop).toBe(3);
    for (const id of local.filter((x) => !fresh.okPuts.has(`${x}/meta.json`))) {
      await checkBlock(id);
      expect(revived.okPuts.get(`${id}/meta.json`), id).toBe(1);
    }
    for (const id of local) expect(await inBucket(id)).toBe(true);
    a.proc.kill('SIGTERM');
    expect((await a.exit).code).toBe(0);
  }, 240_000);
});
