/**
 * @module core/storeapi/tenant-store — one tenant's view of a store (Thanos's
 * `--query.enforce-tenancy`, prom-label-proxy): the tenant's matcher is added to every series and
 * label request, so another tenant's series are never read, not read and then hidden. A series
 * without the tenant label belongs to no tenant and is invisible too (`{tenant_id="a"}` does not
 * match the empty value).
 */
import type { Labels } from '../labels/labels.ts';
import { Matcher } from '../labels/matcher.ts';
import type {
  LabelsRequest,
  LabelsResponse,
  SeriesFrame,
  SeriesRequest,
  Store,
  StoreInfo,
} from './store.ts';

export interface Tenancy {
  /** The label that names a series' tenant (Thanos's --query.tenant-label-name, `tenant_id`). */
  readonly label: string;
  readonly tenant: string;
}

/** Whether a store's external labels may hold a tenant's series (no tenant label: maybe). */
export function labelSetVisible(labelSet: Labels, label: string, tenant: string): boolean {
  const own = labelSet.find((l) => l.name === label);
  return own === undefined || own.value === tenant;
}

export class TenantStore implements Store {
  readonly #inner: Store;
  readonly #matcher: Matcher;

  constructor(inner: Store, tenancy: Tenancy) {
    this.#inner = inner;
    this.#matcher = new Matcher('=', tenancy.label, tenancy.tenant);
  }

  /** Label sets of other tenants are left out: a tenant does not learn who else is stored. */
  async info(signal?: AbortSignal): Promise<StoreInfo> {
    const info = await this.#inner.info(signal);
    return {
      ...info,
      labelSets: info.labelSets.filter((ls) =>
        labelSetVisible(ls, this.#matcher.name, this.#matcher.value),
      ),
    };
  }

  series(request: SeriesRequest, signal?: AbortSignal): AsyncIterable<SeriesFrame> {
    return this.#inner.series({ ...request, matchers: this.#scoped(request.matchers) }, signal);
  }

  labelNames(request: LabelsRequest, signal?: AbortSignal): Promise<LabelsResponse> {
    return this.#inner.labelNames(this.#scopedLabels(request), signal);
  }

  labelValues(name: string, request: LabelsRequest, signal?: AbortSignal): Promise<LabelsResponse> {
    return this.#inner.labelValues(name, this.#scopedLabels(request), signal);
  }

  #scoped(matchers: readonly Matcher[]): Matcher[] {
    return [...matchers, this.#matcher];
  }

  #scopedLabels(request: LabelsRequest): LabelsRequest {
    return { ...request, matchers: this.#scoped(request.matchers) };
  }
}
