/** @module ui/api — calls to the querier's Prometheus HTTP API, with warnings and errors kept apart. */

export interface ApiResponse<T> {
  readonly data?: T;
  readonly warnings: string[];
  readonly error?: string;
  readonly errorType?: string;
}

export type Metric = Record<string, string>;
export type SamplePair = [number, string];
export type QueryData =
  | { resultType: 'vector'; result: Array<{ metric: Metric; value: SamplePair }> }
  | { resultType: 'matrix'; result: Array<{ metric: Metric; values: SamplePair[] }> }
  | { resultType: 'scalar' | 'string'; result: SamplePair };

export async function apiGet<T>(
  path: string,
  params: URLSearchParams = new URLSearchParams(),
  signal?: AbortSignal,
): Promise<ApiResponse<T>> {
  let res: Response;
  try {
    res = await fetch(`${path}?${params}`, { signal, headers: { accept: 'application/json' } });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    return { warnings: [], error: `request failed: ${(err as Error).message}` };
  }
  let body: { status?: string; data?: T; warnings?: string[]; error?: string; errorType?: string };
  try {
    body = await res.json();
  } catch {
    return { warnings: [], error: `HTTP ${res.status}: the response is not JSON` };
  }
  const warnings = body.warnings ?? [];
  if (body.status !== 'success')
    return {
      warnings,
      error: body.error ?? `HTTP ${res.status}`,
      errorType: body.errorType ?? 'unknown',
    };
  return { data: body.data as T, warnings };
}

/** The 1-based line and column PromQL parse errors carry ("1:5: parse error: …"). */
export function errorPosition(message: string): { line: number; column: number } | null {
  const m = /(?:^|[\s:"])(\d+):(\d+): parse error/.exec(message);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : null;
}
