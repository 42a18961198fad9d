import { describe, expect, it } from 'vitest';
import { XorAppender } from '../chunkenc/xor.ts';
import { labelsFrom, type Labels } from '../labels/labels.ts';
import { newMatcher } from '../labels/matcher.ts';
import { tsBatchDecoder } from '../query/decoder.ts';
import { readSeries } from '../query/series-reader.ts';
import { allSeries } from '../promql/storage/queryable.ts';
import { HttpStore } from './http-client.ts';
import { storeApiRoutes } from './http-server.ts';
import { MemoryStore, type MemorySeries } from './memory-store.ts';
import { ProxyStore, type StoreEndpoint } from './proxy.ts';
import type { AggrChunk, SeriesFrame, SeriesRequest, Store } from './store.ts';
import { freePort } from '../../test/helpers/ports.ts';

function chunk(samples: Array<[number, number]>): AggrChunk {
  const app = new XorAppender();
  for (const [t, v] of samples) app.append(t, v);
  return {
    minTime: samples[0]![0],
    maxTime: samples.at(-1)![0],
    raw: { encoding: 'XOR', data: app.bytes() },
  };
}

function series(labels: Record<string, string>, samples: Array<[number, number]>): MemorySeries {
  return { labels: labelsFrom(labels), chunks: [chunk(samples)] };
}

const request = (over: Partial<SeriesRequest> = {}): SeriesRequest => ({
  minTime: 0,
  maxTime: 1_000_000,
  matchers: [newMatcher('=~', '__name__', '.+')],
  maxResolutionWindow: 0,
  aggregates: ['raw'],
  partialResponseStrategy: 'warn',
  skipChunks: false,
  ...over,
});

async function collect(it: AsyncIterable<SeriesFrame>): Promise<SeriesFrame[]> {
  const out: SeriesFrame[] = [];
  for await (const f of it) out.push(f);
  return out;
}

/** An HttpStore whose fetch calls the Hono app in-process (the same code path as over a socket). */
function served(store: Store, token = 'secret', clientToken = token): HttpStore {
  const app = storeApiRoutes<object>({ store: () => store, token: () => token });
  return new HttpStore('http://store.test', {
    token: clientToken,
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) =>
      app.fetch(new Request(input, init))) as typeof fetch,
  });
}

const names = (fs: SeriesFrame[]): string[] =>
  fs
    .filter((f) => f.type === 'series')
    .map((f) => (f.type === 'series' ? f.labels.map((l) => `${l.name}=${l.value}`).join(',') : ''));

describe('StoreAPI over HTTP', () => {
  const mem = new MemoryStore(
    [
      series({ __name__: 'up', job: 'b' }, [
        [1000, 1],
        [2000, 1],
      ]),
      series({ __name__: 'up', job: 'a' }, [
        [1000, 0],
        [2000, 1],
      ]),
      series({ __name__: 'http_requests_total', job: 'a' }, [
        [1000, 5],
        [16000, 9],
      ]),
    ],
    { storeType: 'sidecar', externalLabels: labelsFrom({ cluster: 'eu' }) },
  );

  it('streams series sorted by labels, with external labels and chunks intact', async () => {
    const frames = await collect(
      served(mem).series(request({ matchers: [newMatcher('=', '__name__', 'up')] })),
    );
    expect(names(frames)).toEqual(['__name__=up,cluster=eu,job=a', '__name__=up,cluster=eu,job=b']);
    const series = await allSeries(
      readSeries(served(mem).series(request()), {
        mint: 0,
        maxt: 1e6,
        decoder: tsBatchDecoder,
      }),
    );
    const req = series.find((s) => s.labels.some((l) => l.value === 'http_requests_total'))!;
    expect(Array.from(req.t)).toEqual([1000, 16000]);
    expect(Array.from(req.v)).toEqual([5, 9]);
  });

  it('answers info, label names and label values', async () => {
    const client = served(mem);
    const info = await client.info();
    expect(info.storeType).toBe('sidecar');
    expect(info.labelSets).toEqual([labelsFrom({ cluster: 'eu' })]);
    expect([info.minTime, info.maxTime]).toEqual([1000, 16000]);
    const lr = { start: 0, end: 1e6, matchers: [], partialResponseStrategy: 'warn' as const };
    expect((await client.labelNames(lr)).values).toEqual(['__name__', 'cluster', 'job']);
    expect(
      (await client.labelValues('job', { ...lr, matchers: [newMatcher('=', '__name__', 'up')] }))
        .values,
    ).toEqual(['a', 'b']);
  });

  it('rejects a missing or wrong token with 401 and nothing else', async () => {
    await expect(served(mem, 'secret', 'wrong').info()).rejects.toThrow(/HTTP 401/);
    await expect(served(mem, 'secret', '').info()).rejects.toThrow(/HTTP 401/);
    const app = storeApiRoutes<object>({ store: () => mem, token: () => 'secret' });
    const res = await app.fetch(
      new Request('http://x/api/v1/store/series', { method: 'POST', body: 'x' }),
    );
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('up');
  });

  it('refuses a series request body over 4 MiB without reading it all', async () => {
    const app = storeApiRoutes<object>({ store: () => mem, token: () => 'secret' });
    let pulled = 0;
    // 64 MB in 64 KiB chunks, no declared length.
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (pulled++ === 1000) return c.close();
        c.enqueue(new Uint8Array(64 << 10));
      },
    });
    const res = await app.fetch(
      new Request('http://x/api/v1/store/series', {
        method: 'POST',
        headers: { authorization: 'Bearer secret' },
        body,
        duplex: 'half',
      } as RequestInit),
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(
      /StoreAPI request body of \d+ bytes exceeds the limit of 4194304/,
    );
    expect(pulled).toBeLessThan(80);
  });

  it('answers a malformed request with 400 bad_data', async () => {
    const app = storeApiRoutes<object>({ store: () => mem, token: () => 't' });
    const res = await app.fetch(
      new Request('http://x/api/v1/store/series', {
        method: 'POST',
        body: Uint8Array.of(0xff, 0xff, 0xff),
        headers: { authorization: 'Bearer t' },
      }),
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errorType: string }).errorType).toBe('bad_data');
  });
});

describe('ProxyStore', () => {
  const recent = new MemoryStore(
    [
      series({ __name__: 'up', job: 'a' }, [
        [5000, 1],
        [6000, 1],
      ]),
    ],
    { externalLabels: labelsFrom({ replica: '0' }) },
  );
  const old = new MemoryStore(
    [
      series({ __name__: 'up', job: 'a' }, [
        [1000, 1],
        [5000, 1],
      ]),
      series({ __name__: 'up', job: 'z' }, [[1000, 3]]),
    ],
    { externalLabels: labelsFrom({ replica: '0' }) },
  );
  const endpoint = async (name: string, store: Store): Promise<StoreEndpoint> => ({
    name,
    store,
    info: await store.info(),
  });

  it('merges identical series from two stores into one without duplicate samples', async () => {
    const eps = [await endpoint('recent', served(recent)), await endpoint('old', served(old))];
    const proxy = new ProxyStore(() => eps);
    const frames = await collect(proxy.series(request()));
    expect(names(frames)).toEqual(['__name__=up,job=a,replica=0', '__name__=up,job=z,replica=0']);
    const got = await allSeries(
      readSeries(proxy.series(request()), {
        mint: 0,
        maxt: 1e6,
        decoder: tsBatchDecoder,
      }),
    );
    expect(Array.from(got[0]!.t)).toEqual([1000, 5000, 6000]);
  });

  it('turns a dead store into a warning, or an error with the abort strategy', async () => {
    const dead = new HttpStore(`http://127.0.0.1:${await freePort()}`, { token: 't' });
    const eps: StoreEndpoint[] = [
      await endpoint('old', served(old)),
      { name: 'dead-store', store: dead, info: undefined },
    ];
    const proxy = new ProxyStore(() => eps);
    const frames = await collect(proxy.series(request()));
    expect(names(frames)).toHaveLength(2);
    const warnings = frames.filter((f) => f.type === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.type === 'warning' && warnings[0]!.warning).toMatch(
      /dead-store|127\.0\.0\.1/,
    );
    await expect(
      collect(proxy.series(request({ partialResponseStrategy: 'abort' }))),
    ).rejects.toThrow(/127\.0\.0\.1/);
  });

  it('times out a slow store as a warning', async () => {
    const slow: Store = {
      // A fake: a store that never answers, which no real store here can be made to do on demand.
      info: async () => ({ storeType: 'store', labelSets: [], minTime: 0, maxTime: 1e6 }),
      series: async function* (_r, signal) {
        await new Promise((resolve) => signal?.addEventListener('abort', resolve));
      },
      labelNames: async () => new Promise(() => undefined),
      labelValues: async () => new Promise(() => undefined),
    };
    const eps = [await endpoint('old', old), await endpoint('slow', slow)];
    const proxy = new ProxyStore(() => eps, { responseTimeout: 200 });
    const frames = await collect(proxy.series(request()));
    expect(names(frames)).toHaveLength(2);
    expect(frames.some((f) => f.type === 'warning' && /slow/.test(f.warning))).toBe(true);
    const lv = await proxy.labelValues('job', {
      start: 0,
      end: 1e6,
      matchers: [],
      partialResponseStrategy: 'warn',
    });
    expect(lv.values).toEqual(['a', 'z']);
    expect(lv.warnings.join()).toMatch(/slow/);
  });

  it('prunes stores by external labels and time range', async () => {
    const eu = new MemoryStore([series({ __name__: 'up' }, [[1000, 1]])], {
      externalLabels: labelsFrom({ cluster: 'eu' }),
    });
    const us = new MemoryStore([series({ __name__: 'up' }, [[1000, 1]])], {
      externalLabels: labelsFrom({ cluster: 'us' }),
    });
    let usCalls = 0;
    const countingUs: Store = {
      info: () => us.info(),
      series: (r, s) => {
        usCalls++;
        return us.series(r);
      },
      labelNames: (r) => us.labelNames(r),
      labelValues: (n, r) => us.labelValues(n, r),
    };
    const eps = [await endpoint('eu', eu), await endpoint('us', countingUs)];
    const proxy = new ProxyStore(() => eps);
    const frames = await collect(
      proxy.series(request({ matchers: [newMatcher('=', 'cluster', 'eu')] })),
    );
    expect(names(frames)).toEqual(['__name__=up,cluster=eu']);
    expect(usCalls).toBe(0);
    await collect(proxy.series(request({ minTime: 50_000, maxTime: 60_000 })));
    expect(usCalls).toBe(0);
    const labels: Labels[] = (await proxy.info()).labelSets as Labels[];
    expect(labels).toHaveLength(2);
  });
});
