/**
 * @module core/frontend/metrics — what the query frontend counts, under Thanos's query-frontend
 * metric names where it has them.
 */
export class FrontendMetrics {
  /** thanos_frontend_split_queries_total: sub-queries the splitter made. */
  splitQueries = 0;
  /** querier_cache_gets_total / querier_cache_misses_total / querier_cache_added_new_total. */
  cacheGets = 0;
  cacheMisses = 0;
  cacheAdded = 0;
  /** Requests sent on to the querier, retries included, and the retries alone. */
  downstreamRequests = 0;
  retries = 0;
  /** Seconds of query range sent on to the querier (what the cache did not answer). */
  downstreamRangeSeconds = 0;
}
