/**
 * Child process of scale-memory.test.ts: the querier and the bucket store in one Node process
 * over a bucket in s3rver (no block-byte cache, no selection memo), one range query. Prints one
 * JSON line: the peak live V8 heap (sampled after a full GC every few ms) while the query ran,
 * the heap before it, and the result's size.
 */
import { BlockSet } from '../../../core/block/block-set.ts';
import { BucketStore } from '../../../core/block/bucket-store.ts';
import { MetaFetcher } from '../../../core/block/meta-fetcher.ts';
import { S3Bucket } from '../../../core/objstore/s3.ts';
import { tsBatchDecoder } from '../../../core/query/decoder.ts';
import { EndpointSet } from '../../../core/query/endpoint-set.ts';
import { Querier } from '../../../core/query/querier.ts';

const [endpoint, bucketName, region, key, secret, query, start, end, step] = process.argv.slice(2);
const bucket = new S3Bucket({
  endpoint: endpoint!,
  bucket: bucketName!,
  region: region!,
  accessKeyId: key!,
  secretAccessKey: secret!,
});
const store = new BucketStore(new MetaFetcher(bucket), new BlockSet(bucket), {
  chunkBudget: 1024 * 1024,
  selectionMemoBytes: 0,
});
await store.sync();
const querier = new Querier({
  endpoints: new EndpointSet([{ name: 'bucket', store }]),
  decoder: tsBatchDecoder,
  replicaLabels: [],
  partialResponse: false,
  queryTimeout: 600_000,
  maxSamples: 500_000_000,
  maxSeries: 0,
  maxBytes: 0,
  storeResponseTimeout: 0,
  lookbackDelta: 300_000,
});
const gc = (globalThis as { gc?: () => void }).gc!;
gc();
const before = process.memoryUsage().heapUsed;
let peak = before;
// Live heap: each sample follows a full GC, so garbage not yet collected does not count.
const timer = setInterval(() => {
  gc();
  peak = Math.max(peak, process.memoryUsage().heapUsed);
}, 5);
const res = await querier
  .engine({ dedup: false, partialResponse: false, replicaLabels: [], maxSourceResolution: 0 })
  .rangeQuery(query!, Number(start), Number(end), Number(step));
clearInterval(timer);
gc();
peak = Math.max(peak, process.memoryUsage().heapUsed);
const series = res.value.type === 'matrix' ? res.value.series.length : 0;
console.log(JSON.stringify({ before, peak, series, loaded: res.stats.loadedSamples }));
