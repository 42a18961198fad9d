/**
 * @module test/helpers/bucket-answer — what a querier over a bucket answers: a fresh bucket store
 * (so it sees the bucket as it is now) behind the querier, an instant query, the result as one
 * line per series (`labels t=v …`), NaN and stale markers included, for exact comparison; and
 * the querier itself over any store.
 */
import { BlockSet } from '../../core/block/block-set.ts';
import { BucketStore } from '../../core/block/bucket-store.ts';
import { MetaFetcher } from '../../core/block/meta-fetcher.ts';
import type { Bucket } from '../../core/objstore/bucket.ts';
import { tsBatchDecoder, type BatchDecoder } from '../../core/query/decoder.ts';
import type { Store } from '../../core/storeapi/store.ts';
import { EndpointSet } from '../../core/query/endpoint-set.ts';
import { Querier } from '../../core/query/querier.ts';

/** A querier over one store with the limits a test wants out of its way (60s, 50M samples). */
export function storeQuerier(
  store: Store,
  o: { decoder?: BatchDecoder; replicaLabels?: readonly string[] } = {},
): Querier {
  return new Querier({
    endpoints: new EndpointSet([{ name: 'bucket', store }]),
    decoder: o.decoder ?? tsBatchDecoder,
    replicaLabels: [...(o.replicaLabels ?? [])],
    partialResponse: false,
    queryTimeout: 60_000,
    maxSamples: 50_000_000,
    maxSeries: 0,
    maxBytes: 0,
    storeResponseTimeout: 0,
    lookbackDelta: 300_000,
  });
}

export async function bucketAnswer(
  bucket: Bucket,
  query: string,
  time: number,
  replicaLabels: readonly string[] = [],
): Promise<string[]> {
  const store = new BucketStore(new MetaFetcher(bucket), new BlockSet(bucket));
  await store.sync();
  const querier = storeQuerier(store, { replicaLabels });
  const dedup = replicaLabels.length > 0;
  const res = await querier
    .engine({
      dedup,
      partialResponse: false,
      replicaLabels: [...replicaLabels],
      maxSourceResolution: 0,
    })
    .instantQuery(query, time);
  if (res.value.type !== 'matrix') throw new Error(`expected a matrix, got ${res.value.type}`);
  return res.value.series.map((s) => {
    const pts: string[] = [];
    for (let i = 0; i < s.t.length; i++) pts.push(`${s.t[i]}=${s.v[i]}`);
    return `${s.metric.map((l) => `${l.name}=${l.value}`).join(',')} ${pts.join(' ')}`;
  });
}
