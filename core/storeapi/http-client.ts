/**
 * @module core/storeapi/http-client — a remote StoreAPI endpoint over HTTP streaming, as a Store.
 * The querier uses it for sidecar agents, other queriers and remote store gateways alike.
 */
import { BadDataError, errorMessage } from '../errors.ts';
import { StoreUnavailableError } from './errors.ts';
import {
  decodeInfo,
  decodeLabelNamesResponse,
  decodeLabelValuesResponse,
  decodeSeriesFrame,
  encodeLabelNamesRequest,
  encodeLabelValuesRequest,
  encodeSeriesRequest,
} from './codec.ts';
import { asBody, readFrames } from './framing.ts';
import type {
  LabelsRequest,
  LabelsResponse,
  SeriesFrame,
  SeriesRequest,
  Store,
  StoreInfo,
} from './store.ts';

import { parseStoreUrl, tokenMayTravel } from './store-url.ts';

export const PROTOBUF_CONTENT_TYPE = 'application/x-protobuf';

export interface HttpStoreOptions {
  /** Bearer token sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** fetch to use (a service binding's fetch in the Worker); default global fetch. */
  readonly fetch?: typeof fetch;
}

export class HttpStore implements Store {
  readonly #base: string;
  readonly #token: string | undefined;
  /** Why a configured token is not sent (plain http to another host), for the error texts. */
  readonly #withheld: string | undefined;
  readonly #fetch: typeof fetch;

  /**
   * `base` is the endpoint root, e.g. `https://10.0.0.1:10902`; routes live under
   * `/api/v1/store/`. Credentials in it are the store's own token (store-url.ts) and take the
   * place of `options.token`; no token is sent over plain http except to a loopback host (or
   * through `options.fetch`, which does not cross a network).
   */
  constructor(base: string, options: HttpStoreOptions = {}) {
    const url = parseStoreUrl(base);
    this.#base = url.base;
    const token = url.token ?? options.token;
    // A given fetch is a binding's (a Durable Object, a service) or in process: no network hop.
    const travels = options.fetch !== undefined || tokenMayTravel(this.#base);
    this.#token = travels ? token : undefined;
    this.#withheld =
      token && !travels
        ? 'token withheld: plain http to a non-loopback host (use https)'
        : undefined;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  get endpoint(): string {
    return this.#base;
  }

  async #call(path: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#token) headers.set('authorization', `Bearer ${this.#token}`);
    let res: Response | undefined;
    // StoreAPI calls are reads, so one retry is safe; it covers a kept-alive connection that the
    // server closed just as the request went out (HTTP clients only retry GETs by themselves).
    for (let attempt = 0; !res; attempt++) {
      try {
        res = await this.#fetch(`${this.#base}${path}`, {
          ...init,
          headers,
          ...(signal ? { signal } : {}),
        });
      } catch (err) {
        if (attempt === 0 && !signal?.aborted) continue;
        throw new StoreUnavailableError(`store ${this.#base}: ${errorMessage(err)}`, {
          cause: err,
        });
      }
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      let detail = text.slice(0, 500);
      try {
        const body = JSON.parse(text) as { error?: string };
        if (body.error) detail = body.error;
      } catch {
        // not JSON: keep the raw text
      }
      const withheld = res.status === 401 && this.#withheld ? ` (${this.#withheld})` : '';
      const msg = `store ${this.#base}: HTTP ${res.status}${detail ? `: ${detail}` : ''}${withheld}`;
      if (res.status === 400) throw new BadDataError(msg);
      throw new StoreUnavailableError(msg);
    }
    return res;
  }

  async #post(path: string, body: Uint8Array, signal?: AbortSignal): Promise<Response> {
    return this.#call(
      path,
      { method: 'POST', body: asBody(body), headers: { 'content-type': PROTOBUF_CONTENT_TYPE } },
      signal,
    );
  }

  /**
   * A read API of the Prometheus behind a sidecar agent (`metadata`, `targets`,
   * `targets/metadata`, `query_exemplars`): its `data`, as Prometheus answered it.
   */
  async prometheusApi(
    api: string,
    params: URLSearchParams,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const res = await this.#call(
      `/api/v1/store/prometheus/${api}?${params}`,
      { method: 'GET', headers: { accept: 'application/json' } },
      signal,
    );
    const body = (await res.json()) as { status?: string; data?: unknown };
    if (body.status !== 'success')
      throw new StoreUnavailableError(`store ${this.#base}: ${api}: not a success answer`);
    return body.data;
  }

  async info(signal?: AbortSignal): Promise<StoreInfo> {
    const res = await this.#call(
      '/api/v1/store/info',
      { method: 'GET', headers: { accept: PROTOBUF_CONTENT_TYPE } },
      signal,
    );
    return decodeInfo(new Uint8Array(await res.arrayBuffer()));
  }

  async *series(request: SeriesRequest, signal?: AbortSignal): AsyncGenerator<SeriesFrame> {
    const res = await this.#post('/api/v1/store/series', encodeSeriesRequest(request), signal);
    if (!res.body) return;
    try {
      for await (const frame of readFrames(res.body, `store ${this.#base}`))
        yield decodeSeriesFrame(frame);
    } catch (err) {
      if (err instanceof StoreUnavailableError) throw err;
      throw new StoreUnavailableError(
        `store ${this.#base}: series stream broken: ${errorMessage(err)}`,
        { cause: err },
      );
    }
  }

  async labelNames(request: LabelsRequest, signal?: AbortSignal): Promise<LabelsResponse> {
    const res = await this.#post(
      '/api/v1/store/label_names',
      encodeLabelNamesRequest(request),
      signal,
    );
    return decodeLabelNamesResponse(new Uint8Array(await res.arrayBuffer()));
  }

  async labelValues(
    name: string,
    request: LabelsRequest,
    signal?: AbortSignal,
  ): Promise<LabelsResponse> {
    const res = await this.#post(
      '/api/v1/store/label_values',
      encodeLabelValuesRequest(name, request),
      signal,
    );
    return decodeLabelValuesResponse(new Uint8Array(await res.arrayBuffer()));
  }
}
