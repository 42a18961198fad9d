/**
 * The StoreAPI acceptance suite (test/helpers/store-acceptance.ts) over the in-process stores:
 * the memory store, the proxy over two stores whose data overlap in time, the HTTP client against
 * storeApiRoutes served on a loopback port, and the bucket store over blocks written by
 * core/tsdb/writer into a filesystem bucket (two blocks overlapping in time). Faults are real: a
 * store on a port nobody listens on, a block whose index is garbage.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { getRequestListener } from '@hono/node-server';
import { BlockSet } from '../../../core/block/block-set.ts';
import { BucketStore } from '../../../core/block/bucket-store.ts';
import { MetaFetcher } from '../../../core/block/meta-fetcher.ts';
import { HttpStore } from '../../../core/storeapi/http-client.ts';
import { storeApiRoutes } from '../../../core/storeapi/http-server.ts';
import { MemoryStore } from '../../../core/storeapi/memory-store.ts';
import { ProxyStore, type StoreEndpoint } from '../../../core/storeapi/proxy.ts';
import type { Store } from '../../../core/storeapi/store.ts';
import { bucketSinkFactory } from '../../../core/block/bucket-sink.ts';
import { FilesystemBucket } from '../../../sidecar-agent/objstore/filesystem.ts';
import { freePort } from '../../helpers/ports.ts';
import { Random } from '../../helpers/random.ts';
import { storeApiAcceptance, type StoreFixture } from '../../helpers/store-acceptance.ts';
import {
  DATA_START,
  memorySeries,
  overlappingHalves,
  sliceData,
  writeDataBlock,
  type DataSeries,
  type StoreDataSet,
} from '../../helpers/store-acceptance-data.ts';
import { makeTmpDir } from '../../helpers/tmp.ts';

const TOKEN = 'acceptance-token';
const noTeardown = async (): Promise<void> => undefined;

/** A MemoryStore over the series, handed over in a shuffled order (the store must sort them). */
function memoryStore(data: StoreDataSet, series: readonly DataSeries[], seed: number): MemoryStore {
  const shuffled = new Random(seed).shuffle(memorySeries(series));
  return new MemoryStore(shuffled, { externalLabels: data.externalLabels, storeType: 'receive' });
}

/** An HttpStore pointed at a loopback port nobody listens on: every call fails to connect. */
async function deadStore(): Promise<HttpStore> {
  return new HttpStore(`http://127.0.0.1:${await freePort()}`, { token: TOKEN });
}

async function endpoints(stores: [string, Store][]): Promise<StoreEndpoint[]> {
  return Promise.all(
    stores.map(async ([name, store]) => ({
      name,
      store,
      info: await store.info().catch(() => undefined),
    })),
  );
}

async function proxyOverHalves(data: StoreDataSet, withDead: boolean): Promise<ProxyStore> {
  const [early, late] = overlappingHalves(data);
  const list: [string, Store][] = [
    ['early', memoryStore(data, early, 1)],
    ['late', memoryStore(data, late, 2)],
  ];
  if (withDead) list.push(['dead', await deadStore()]);
  const eps = await endpoints(list);
  return new ProxyStore(() => eps);
}

/** Serves `store` with storeApiRoutes on a free loopback port; the fixture is an HttpStore to it. */
async function served(store: Store): Promise<StoreFixture> {
  const app = storeApiRoutes<object>({ store: () => store, token: () => TOKEN });
  const server: Server = createServer(getRequestListener(app.fetch));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    store: new HttpStore(`http://127.0.0.1:${port}`, { token: TOKEN }),
    async teardown() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A filesystem bucket with the data set as two blocks overlapping in time, and its BucketStore. */
async function bucketStore(data: StoreDataSet, withCorrupt: boolean): Promise<StoreFixture> {
  const tmp = await makeTmpDir('store-acceptance-');
  const bucket = new FilesystemBucket(join(tmp.path, 'bucket'));
  const [early, late] = overlappingHalves(data);
  await writeDataBlock(bucketSinkFactory(bucket), data, early, { thanos: true });
  await writeDataBlock(bucketSinkFactory(bucket), data, late, { thanos: true });
  if (withCorrupt) {
    // A third block over the first hour whose index is garbage: it cannot be opened.
    const firstHour = sliceData(data, data.minTime, DATA_START + 60 * 60_000);
    const meta = await writeDataBlock(bucketSinkFactory(bucket), data, firstHour, { thanos: true });
    await writeFile(join(tmp.path, 'bucket', meta.ulid, 'index'), new Random(9).bytes(4096));
  }
  const store = new BucketStore(new MetaFetcher(bucket), new BlockSet(bucket));
  return { store, teardown: () => tmp.remove() };
}

storeApiAcceptance('memory store', async (data) => ({
  store: memoryStore(data, data.series, 3),
  teardown: noTeardown,
}));

storeApiAcceptance(
  'proxy over two stores overlapping in time',
  async (data) => ({ store: await proxyOverHalves(data, false), teardown: noTeardown }),
  {
    makeFaulty: async (data) => ({
      store: await proxyOverHalves(data, true),
      teardown: noTeardown,
    }),
  },
);

storeApiAcceptance(
  'HTTP client and server (storeApiRoutes on a loopback port)',
  async (data) => served(memoryStore(data, data.series, 4)),
  { makeFaulty: async (data) => served(await proxyOverHalves(data, true)) },
);

storeApiAcceptance(
  'bucket store (filesystem bucket, two overlapping blocks)',
  (data) => bucketStore(data, false),
  { makeFaulty: (data) => bucketStore(data, true) },
);
