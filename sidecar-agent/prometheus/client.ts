/**
 * @module sidecar-agent/prometheus/client — the parts of Prometheus's HTTP API the sidecar agent
 * uses: config (external labels), flags, readiness, lowest timestamp, label names and values, and
 * remote read. Unreachable or failing → StoreUnavailableError; Prometheus's 400 → BadDataError.
 */
import { parse as parseYaml } from 'yaml';
import { BadDataError, errorMessage } from '../../core/errors.ts';
import { labelsFrom, type Labels } from '../../core/labels/labels.ts';
import type { Matcher } from '../../core/labels/matcher.ts';
import { StoreUnavailableError } from '../../core/storeapi/errors.ts';
import { createNodeFetch, nodeFetch } from '../node-fetch.ts';
import type { PrometheusHttpClient } from './http-client-config.ts';
import {
  remoteReadInto,
  type MessageSink,
  type RemoteReadQuery,
  type RemoteReadTransport,
} from './remote-read.ts';

/** Times beyond this (ms) are sent as "no bound": Prometheus clamps open ranges itself. */
const OPEN_BOUND_MS = 1e15;

export interface PrometheusClientOptions {
  /** Per-call timeout for small API calls, ms (default 10s); remote read streams are not limited. */
  readonly timeoutMs?: number;
  /** `--prometheus.http-client(-file)`: auth headers and TLS for every request. */
  readonly httpClient?: PrometheusHttpClient;
}

export class PrometheusClient {
  readonly url: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #readTransport: RemoteReadTransport;

  constructor(url: string, options: PrometheusClientOptions = {}) {
    this.url = url.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    const hc = options.httpClient;
    this.#fetch = hc ? createNodeFetch({ agents: hc.transport, headers: hc.headers }) : nodeFetch;
    this.#readTransport = hc ? { headers: hc.headers, httpsAgent: hc.transport.https } : {};
  }

  async #get(path: string, signal?: AbortSignal): Promise<Response> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const s = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await this.#fetch(`${this.url}${path}`, { signal: s });
    } catch (err) {
      throw new StoreUnavailableError(`prometheus ${this.url}: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    if (!res.ok) {
      const text = (await res.text().catch(() => '')).trim().slice(0, 500);
      let detail = text;
      try {
        detail = (JSON.parse(text) as { error?: string }).error ?? text;
      } catch {
        // plain text
      }
      const msg = `prometheus ${path.split('?')[0]}: HTTP ${res.status}: ${detail}`;
      throw res.status === 400 ? new BadDataError(msg) : new StoreUnavailableError(msg);
    }
    return res;
  }

  async #api<T>(path: string, signal?: AbortSignal): Promise<T> {
    const res = await this.#get(path, signal);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success')
      throw new StoreUnavailableError(`prometheus ${path}: ${body.error ?? 'error'}`);
    return body.data;
  }

  /**
   * One of Prometheus's read APIs as it answers it (`data`), e.g. `metadata?metric=up`: what the
   * agent passes on for the querier's metadata, targets and exemplars routes.
   */
  async apiData(pathAndQuery: string, signal?: AbortSignal): Promise<unknown> {
    return this.#api<unknown>(`/api/v1/${pathAndQuery}`, signal);
  }

  /** `/-/ready` answers 200: the TSDB is open and queries work. */
  async ready(signal?: AbortSignal): Promise<boolean> {
    try {
      await this.#get('/-/ready', signal);
      return true;
    } catch {
      return false;
    }
  }

  /** POST `/-/reload` (needs Prometheus's --web.enable-lifecycle): config and rules re-read. */
  async reload(signal?: AbortSignal): Promise<void> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    let res: Response;
    try {
      res = await this.#fetch(`${this.url}/-/reload`, {
        method: 'POST',
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      throw new StoreUnavailableError(`prometheus ${this.url}/-/reload: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    const text = (await res.text().catch(() => '')).trim().slice(0, 500);
    if (!res.ok)
      throw new StoreUnavailableError(`prometheus /-/reload: HTTP ${res.status}: ${text}`);
  }

  /** `global.external_labels` of the loaded configuration, sorted. */
  async externalLabels(signal?: AbortSignal): Promise<Labels> {
    const data = await this.#api<{ yaml: string }>('/api/v1/status/config', signal);
    const cfg = parseYaml(data.yaml) as {
      global?: { external_labels?: Record<string, string> };
    } | null;
    return labelsFrom(cfg?.global?.external_labels ?? {});
  }

  /** Command-line flags, names without dashes. */
  async flags(signal?: AbortSignal): Promise<Record<string, string>> {
    return this.#api<Record<string, string>>('/api/v1/status/flags', signal);
  }

  /**
   * Oldest sample time Prometheus still holds, ms: its own `prometheus_tsdb_lowest_timestamp`
   * gauge (head and blocks). Undefined when the TSDB is empty (the gauge is then MaxInt64).
   */
  async lowestTimestamp(signal?: AbortSignal): Promise<number | undefined> {
    const text = await (await this.#get('/metrics', signal)).text();
    const m = /^prometheus_tsdb_lowest_timestamp ([^\s]+)$/m.exec(text);
    if (!m) return undefined;
    const v = Number(m[1]);
    return Number.isFinite(v) && v < 9e15 ? v : undefined;
  }

  async labelNames(
    matchers: readonly Matcher[],
    start: number,
    end: number,
    signal?: AbortSignal,
  ): Promise<string[]> {
    return (
      (await this.#api<string[] | null>(
        `/api/v1/labels?${rangeQuery(matchers, start, end)}`,
        signal,
      )) ?? []
    );
  }

  async labelValues(
    name: string,
    matchers: readonly Matcher[],
    start: number,
    end: number,
    signal?: AbortSignal,
  ): Promise<string[]> {
    const path = `/api/v1/label/${encodeURIComponent(name)}/values?${rangeQuery(matchers, start, end)}`;
    return (await this.#api<string[] | null>(path, signal)) ?? [];
  }

  /** Remote read into `sink`, message by message; yields after each network read (see remoteReadInto). */
  remoteReadInto(
    q: RemoteReadQuery,
    sink: MessageSink,
    signal?: AbortSignal,
  ): AsyncGenerator<void> {
    return remoteReadInto(this.url, q, sink, signal, this.#readTransport);
  }
}

/** `match[]`, `start`, `end` parameters; open bounds left out. */
function rangeQuery(matchers: readonly Matcher[], start: number, end: number): string {
  const p = new URLSearchParams();
  if (matchers.length > 0) p.append('match[]', `{${matchers.map((m) => m.toString()).join(',')}}`);
  if (start > -OPEN_BOUND_MS) p.append('start', (start / 1000).toFixed(3));
  if (end < OPEN_BOUND_MS) p.append('end', (end / 1000).toFixed(3));
  return p.toString();
}

export function assertUrl(url: string): void {
  try {
    new URL(url);
  } catch {
    throw new BadDataError(`invalid --prometheus.url ${JSON.stringify(url)}`);
  }
}
