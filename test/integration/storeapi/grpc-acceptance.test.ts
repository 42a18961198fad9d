/**
 * The StoreAPI acceptance suite through gRPC: stores served by our thanos.Store server
 * (sidecar-agent/grpc on node:http2) and read with an independent client (@grpc/grpc-js with the
 * test's own copy of Thanos's storepb): the memory store, the bucket store over two overlapping
 * blocks (and a corrupt third one for the partial-response cases), plain and gzip-compressed.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlockSet } from '../../../core/block/block-set.ts';
import { bucketSinkFactory } from '../../../core/block/bucket-sink.ts';
import { BucketStore } from '../../../core/block/bucket-store.ts';
import { MetaFetcher } from '../../../core/block/meta-fetcher.ts';
import { MemoryStore } from '../../../core/storeapi/memory-store.ts';
import type { Store } from '../../../core/storeapi/store.ts';
import { GrpcServer } from '../../../sidecar-agent/grpc/server.ts';
import { storeMethods } from '../../../sidecar-agent/grpc/store-service.ts';
import { FilesystemBucket } from '../../../sidecar-agent/objstore/filesystem.ts';
import { GrpcStore } from '../../helpers/grpc-store-client.ts';
import { Random } from '../../helpers/random.ts';
import { storeApiAcceptance, type StoreFixture } from '../../helpers/store-acceptance.ts';
import {
  DATA_START,
  memorySeries,
  overlappingHalves,
  sliceData,
  writeDataBlock,
  type StoreDataSet,
} from '../../helpers/store-acceptance-data.ts';
import { makeTmpDir } from '../../helpers/tmp.ts';

/** Serves `store` over gRPC on a free loopback port; the fixture's store is a grpc-js client. */
async function servedOverGrpc(
  store: Store,
  compression?: 'gzip',
  cleanup?: () => Promise<void>,
): Promise<StoreFixture> {
  const server = await GrpcServer.listen({
    host: '127.0.0.1',
    port: 0,
    methods: storeMethods(store, { componentType: 'store' }),
    name: 'acceptance store',
  });
  const client = new GrpcStore(server.address, compression ? { compression } : {});
  return {
    store: client,
    async teardown() {
      client.close();
      await server.stop(0);
      await cleanup?.();
    },
  };
}

async function bucketStore(
  data: StoreDataSet,
  withCorrupt: boolean,
): Promise<{ store: Store; remove: () => Promise<void> }> {
  const tmp = await makeTmpDir('grpc-acceptance-');
  const bucket = new FilesystemBucket(join(tmp.path, 'bucket'));
  const [early, late] = overlappingHalves(data);
  await writeDataBlock(bucketSinkFactory(bucket), data, early, { thanos: true });
  await writeDataBlock(bucketSinkFactory(bucket), data, late, { thanos: true });
  if (withCorrupt) {
    const firstHour = sliceData(data, data.minTime, DATA_START + 60 * 60_000);
    const meta = await writeDataBlock(bucketSinkFactory(bucket), data, firstHour, { thanos: true });
    await writeFile(join(tmp.path, 'bucket', meta.ulid, 'index'), new Random(9).bytes(4096));
  }
  return {
    store: new BucketStore(new MetaFetcher(bucket), new BlockSet(bucket)),
    remove: () => tmp.remove(),
  };
}

storeApiAcceptance('gRPC: memory store', (data) =>
  servedOverGrpc(
    new MemoryStore(new Random(5).shuffle(memorySeries(data.series)), {
      externalLabels: data.externalLabels,
    }),
  ),
);

storeApiAcceptance(
  'gRPC: bucket store (two overlapping blocks)',
  async (data) => {
    const b = await bucketStore(data, false);
    return servedOverGrpc(b.store, undefined, b.remove);
  },
  {
    makeFaulty: async (data) => {
      const b = await bucketStore(data, true);
      return servedOverGrpc(b.store, undefined, b.remove);
    },
  },
);

storeApiAcceptance('gRPC with gzip: bucket store', async (data) => {
  const b = await bucketStore(data, false);
  return servedOverGrpc(b.store, 'gzip', b.remove);
});
