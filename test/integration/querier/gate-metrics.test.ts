/**
 * The query slots as Thanos's querier gate metrics in workerd (#17): /metrics has
 * `thanos_query_concurrent_gate_{queries_in_flight,queries_max,queries_queued,duration_seconds}`
 * in valid text format (promtool), the limit is QUERY_MAX_CONCURRENCY, in-flight follows the
 * queries that hold a slot (per tenant) and returns to 0, every query that took a slot is
 * observed in the wait histogram, one that waited behind a full gate above 0.01 s, and
 * ThanosQueryOverload's expression fires on scrapes of a full gate and not on an idle one.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFrom } from '../../../core/labels/labels.ts';
import { MemoryStorage } from '../../../core/promql/storage/memory.ts';
import { encodeInfo } from '../../../core/storeapi/codec.ts';
import { PROTOBUF_CONTENT_TYPE } from '../../../core/storeapi/http-client.ts';
import { newTestEngine } from '../../conformance/runner.ts';
import { PROMTOOL } from '../../helpers/promtool.ts';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';

const MAX = 3;
const GATE = 'thanos_query_concurrent_gate';
const IN_FLIGHT = `${GATE}_queries_in_flight`;
const QUEUED = `${GATE}_queries_queued`;
const LIMIT = `${GATE}_queries_max`;
const WAIT = `${GATE}_duration_seconds`;
const FAMILIES = { [IN_FLIGHT]: 'gauge', [LIMIT]: 'gauge', [QUEUED]: 'gauge', [WAIT]: 'histogram' };
/** Thanos's gate buckets, then +Inf. */
const LE = '0.01 0.1 0.3 0.6 1 3 6 9 20 30 60 90 120 240 360 720 +Inf'.split(' ');
/** Thanos's mixin alert, as written there. */
const OVERLOAD =
  'max_over_time(thanos_query_concurrent_gate_queries_max[5m]) - avg_over_time(thanos_query_concurrent_gate_queries_in_flight[5m]) < 1';

interface Line {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** The sample lines of a text exposition. */
function parse(text: string): Line[] {
  const out: Line[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g))
      labels[k!] = v!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of `name` with exactly `labels`, or undefined. */
function valueOf(lines: Line[], name: string, labels: Record<string, string> = {}) {
  const want = JSON.stringify(Object.entries(labels).sort());
  return lines.find(
    (l) => l.name === name && JSON.stringify(Object.entries(l.labels).sort()) === want,
  )?.value;
}

/** `promtool check metrics` of `text`: its exit code and what it said. */
function promtoolCheck(text: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(PROMTOOL, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => (out += b.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, out }));
    p.stdin.end(text);
  });
}

/**
 * A store whose series answers wait until the test lets them go: a query holds its slot exactly
 * as long as the test wants (an empty answer, then).
 */
class HeldStore {
  readonly #server = createServer((req, res) => this.#answer(req, res));
  readonly #held: Array<() => void> = [];
  #open = false;

  async start(): Promise<string> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Series requests waiting now. */
  get held(): number {
    return this.#held.length;
  }

  /** Answers every request held, and from now on each at once (or holds again: `open=false`). */
  release(open = true): void {
    this.#open = open;
    for (const go of this.#held.splice(0)) go();
  }

  stop(): Promise<void> {
    this.release();
    this.#server.closeAllConnections();
    return new Promise((r) => this.#server.close(() => r()));
  }

  #answer(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const send = (body: Uint8Array) => {
      res.writeHead(200, { 'content-type': PROTOBUF_CONTENT_TYPE });
      res.end(body);
    };
    if (req.url === '/api/v1/store/info') {
      return send(encodeInfo({ storeType: 'store', labelSets: [], minTime: 0, maxTime: 1e13 }));
    }
    if (req.url !== '/api/v1/store/series') {
      res.writeHead(404);
      return void res.end();
    }
    if (this.#open) return send(new Uint8Array());
    this.#held.push(() => send(new Uint8Array()));
  }
}

/** Waits until `cond` holds (checked every 20 ms), failing after 20 s. */
async function until(what: string, cond: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('query gate metrics', () => {
  const store = new HeldStore();
  let w: WorkerHandle;

  beforeAll(async () => {
    const url = await store.start();
    w = await startWorker({
      r2: false,
      vars: { STORES: url, QUERY_MAX_CONCURRENCY: String(MAX), QUERY_MAX_QUEUED: '100' },
    });
  }, 120_000);

  afterAll(async () => {
    await w?.stop();
    await store.stop();
  });

  const scrape = async (): Promise<string> => {
    const r = await w.fetch('/metrics');
    expect(r.status).toBe(200);
    return r.text();
  };
  /** A query that reads the store: it holds its slot while the store holds its answer. */
  const query = async (tenant?: string): Promise<number> => {
    const r = await w.fetch(
      '/api/v1/query?query=up&time=1000',
      tenant ? { headers: { 'THANOS-TENANT': tenant } } : {},
    );
    await r.text();
    return r.status;
  };

  it('exports the gate families in text format, with the configured limit', async () => {
    const text = await scrape();
    for (const [name, type] of Object.entries(FAMILIES)) {
      expect(text).toMatch(new RegExp(`^# HELP ${name} \\S.*per isolate`, 'm'));
      expect(text).toContain(`\n# TYPE ${name} ${type}\n`);
    }
    const lines = parse(text);
    expect(valueOf(lines, LIMIT)).toBe(MAX);
    expect(valueOf(lines, IN_FLIGHT)).toBe(0);
    expect(valueOf(lines, QUEUED)).toBe(0);
    const le = lines.filter((l) => l.name === `${WAIT}_bucket`).map((l) => l.labels.le);
    expect(le).toEqual(LE);
    expect(valueOf(lines, `${WAIT}_count`)).toBe(0);
    // The gate's families alone: promtool parses them and finds nothing to lint.
    const gate = text
      .split('\n')
      .filter((l) => l.includes(GATE))
      .join('\n');
    const check = await promtoolCheck(`${gate}\n`);
    expect(check, check.out).toEqual({ code: 0, out: '' });
  });

  it('counts the queries holding a slot, per tenant, and 0 once they end', async () => {
    store.release(false);
    const before = parse(await scrape());
    const answers = Promise.all([query(), query(), query('team-a')]);
    await until('the store holds 3 series requests', () => store.held === 3);
    const during = parse(await scrape());
    expect(valueOf(during, IN_FLIGHT)).toBe(2);
    expect(valueOf(during, IN_FLIGHT, { tenant: 'team-a' })).toBe(1);
    expect(valueOf(during, LIMIT, { tenant: 'team-a' })).toBe(MAX);
    expect(valueOf(during, QUEUED)).toBe(0);
    store.release();
    expect(await answers).toEqual([200, 200, 200]);
    const after = parse(await scrape());
    expect(valueOf(after, IN_FLIGHT)).toBe(0);
    expect(valueOf(after, IN_FLIGHT, { tenant: 'team-a' })).toBe(0);
    const count = (l: Line[]) => valueOf(l, `${WAIT}_count`)!;
    expect(count(after) - count(before)).toBe(3);
  });

  it('holds in-flight at the limit with the rest queued; a queued query waited above 0.01 s', async () => {
    store.release(false);
    const before = parse(await scrape());
    const answers = Promise.all(Array.from({ length: MAX + 2 }, () => query()));
    let full = '';
    await until('two queries wait for a slot', async () => {
      full = await scrape();
      return valueOf(parse(full), QUEUED) === 2;
    });
    expect(valueOf(parse(full), IN_FLIGHT)).toBe(MAX);
    expect(store.held).toBe(MAX);
    // The two in line wait at least this long for a running query to end.
    await new Promise((r) => setTimeout(r, 50));
    store.release();
    expect(await answers).toEqual(Array(MAX + 2).fill(200));
    const after = parse(await scrape());
    expect(valueOf(after, IN_FLIGHT)).toBe(0);
    expect(valueOf(after, QUEUED)).toBe(0);
    const grown = (name: string, labels: Record<string, string> = {}) =>
      valueOf(after, name, labels)! - valueOf(before, name, labels)!;
    expect(grown(`${WAIT}_count`)).toBe(MAX + 2);
    expect(grown(`${WAIT}_bucket`, { le: '+Inf' })).toBe(MAX + 2);
    // Exactly the two that waited in line are counted above the first bucket.
    expect(grown(`${WAIT}_bucket`, { le: '+Inf' }) - grown(`${WAIT}_bucket`, { le: '0.01' })).toBe(
      2,
    );
    expect(grown(`${WAIT}_sum`)).toBeGreaterThanOrEqual(0.1);

    // ThanosQueryOverload over five minutes of scrapes (every 15 s) of a full gate, then of an
    // idle one: it fires for the full gate only.
    expect(await overload(full)).toEqual([{ labels: {}, value: 0 }]);
    expect(await overload(await scrape())).toEqual([]);
  });
});

/** ThanosQueryOverload's expression at 5m over `text` scraped every 15 s from 0 to 5m. */
async function overload(
  text: string,
): Promise<Array<{ labels: Record<string, string>; value: number }>> {
  const storage = new MemoryStorage();
  const times = Array.from({ length: 21 }, (_, i) => i * 15_000);
  for (const l of parse(text)) {
    if (!l.name.startsWith(GATE)) continue;
    storage.append(
      labelsFrom({ __name__: l.name, job: 'thanos-edge', ...l.labels }),
      times,
      times.map(() => l.value),
    );
  }
  const res = (await newTestEngine(storage).instantQuery(OVERLOAD, 300_000)).value;
  if (res.type !== 'vector') throw new Error(`got ${res.type}`);
  return res.samples.map((s) => ({
    labels: Object.fromEntries(
      [...s.metric].map((l) => [l.name, l.value]).filter(([n]) => n !== 'job'),
    ),
    value: s.v,
  }));
}
