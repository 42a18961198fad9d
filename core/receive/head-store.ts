/**
 * @module core/receive/head-store — the StoreAPI over a receive head: recent data of every tenant
 * this shard holds, each tenant's series carrying its external labels (`tenant_id`, the shard's
 * `receive` label), chunks as they are in the head (the open one as a snapshot). Series are found
 * through a per-tenant metric-name index, rebuilt only when series came or went.
 */
import {
  compareLabelsIgnoring,
  compareStrings,
  METRIC_NAME,
  withExternal,
  type Labels,
} from '../labels/labels.ts';
import type { Matcher } from '../labels/matcher.ts';
import type {
  AggrChunk,
  LabelsRequest,
  LabelsResponse,
  SeriesFrame,
  SeriesRequest,
  Store,
  StoreInfo,
} from '../storeapi/store.ts';
import type { HeadSeries, ReceiveHead, TenantHead } from './head.ts';

export interface HeadStoreOptions {
  /** External labels of a tenant's data (the tenant label included). */
  readonly externalLabels: (tenant: string) => Labels;
}

interface TenantIndex {
  readonly generation: number;
  readonly byName: Map<string, HeadSeries[]>;
  readonly all: HeadSeries[];
}

export class HeadStore implements Store {
  readonly #head: ReceiveHead;
  readonly #opts: HeadStoreOptions;
  readonly #index = new WeakMap<TenantHead, TenantIndex>();

  constructor(head: ReceiveHead, opts: HeadStoreOptions) {
    this.#head = head;
    this.#opts = opts;
  }

  async info(): Promise<StoreInfo> {
    const labelSets: Labels[] = [];
    let minTime = Infinity;
    let maxTime = -Infinity;
    for (const t of this.#head.tenants.values()) {
      if (t.series.size === 0) continue;
      labelSets.push(this.#opts.externalLabels(t.tenant));
      minTime = Math.min(minTime, t.minTime);
      maxTime = Math.max(maxTime, t.maxTime);
    }
    return {
      storeType: 'receive',
      labelSets,
      // An empty head still advertises "now and later" so new data is never pruned away.
      minTime: Number.isFinite(minTime) ? minTime : Date.now(),
      maxTime: Number.isFinite(maxTime) ? maxTime : Number.MAX_SAFE_INTEGER,
    };
  }

  #tenantIndex(t: TenantHead): TenantIndex {
    const cached = this.#index.get(t);
    if (cached?.generation === t.generation) return cached;
    const byName = new Map<string, HeadSeries[]>();
    const all: HeadSeries[] = [];
    for (const s of t.series.values()) {
      all.push(s);
      const name = s.labels.find((l) => l.name === METRIC_NAME)?.value ?? '';
      let list = byName.get(name);
      if (!list) byName.set(name, (list = []));
      list.push(s);
    }
    const index = { generation: t.generation, byName, all };
    this.#index.set(t, index);
    return index;
  }

  /** Matching series of every tenant, with their labels as served. */
  #select(
    matchers: readonly Matcher[],
    mint: number,
    maxt: number,
  ): Array<{ labels: Labels; series: HeadSeries }> {
    const out: Array<{ labels: Labels; series: HeadSeries }> = [];
    const nameEq = matchers.find((m) => m.name === METRIC_NAME && m.type === '=');
    for (const t of this.#head.tenants.values()) {
      const ext = this.#opts.externalLabels(t.tenant);
      // A matcher on an external label decides for the whole tenant.
      const extMatchers = matchers.filter((m) => ext.some((e) => e.name === m.name));
      if (!extMatchers.every((m) => m.matches(ext.find((e) => e.name === m.name)!.value))) continue;
      const rest = matchers.filter((m) => !extMatchers.includes(m));
      const index = this.#tenantIndex(t);
      const candidates = nameEq ? (index.byName.get(nameEq.value) ?? []) : index.all;
      for (const s of candidates) {
        if (s.maxT < mint || !overlaps(s, mint, maxt)) continue;
        if (!rest.every((m) => m.matches(s.labels.find((l) => l.name === m.name)?.value ?? ''))) {
          continue;
        }
        out.push({ labels: withExternal(s.labels, ext), series: s });
      }
    }
    return out;
  }

  async *series(request: SeriesRequest, signal?: AbortSignal): AsyncGenerator<SeriesFrame> {
    const picked = this.#select(request.matchers, request.minTime, request.maxTime);
    const ignored = new Set(request.withoutReplicaLabels ?? []);
    picked.sort((a, b) => compareLabelsIgnoring(a.labels, b.labels, ignored));
    let n = 0;
    for (const { labels, series } of picked) {
      signal?.throwIfAborted();
      if (request.limit && ++n > request.limit) return;
      const chunks: AggrChunk[] = request.skipChunks
        ? []
        : series.chunksIn(request.minTime, request.maxTime).map((c) => ({
            minTime: c.minTime,
            maxTime: c.maxTime,
            raw: { encoding: 'XOR', data: c.data },
          }));
      yield { type: 'series', labels, chunks };
    }
  }

  async labelNames(request: LabelsRequest): Promise<LabelsResponse> {
    const names = new Set<string>();
    for (const s of this.#select(request.matchers, request.start, request.end)) {
      for (const l of s.labels) names.add(l.name);
    }
    return { values: [...names].sort(compareStrings), warnings: [] };
  }

  async labelValues(name: string, request: LabelsRequest): Promise<LabelsResponse> {
    const values = new Set<string>();
    for (const s of this.#select(request.matchers, request.start, request.end)) {
      const v = s.labels.find((l) => l.name === name)?.value;
      if (v) values.add(v);
    }
    return { values: [...values].sort(compareStrings), warnings: [] };
  }
}

function overlaps(s: HeadSeries, mint: number, maxt: number): boolean {
  const first = s.chunks[0]?.minTime ?? s.appMin;
  return first <= maxt && s.maxT >= mint;
}
