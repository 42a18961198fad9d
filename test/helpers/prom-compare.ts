/**
 * @module test/helpers/prom-compare — compares Prometheus HTTP API answers: results put in a
 * canonical order (where Prometheus leaves it undefined), then deep equality in which sample
 * values may differ by a relative 1e-9 (sums in another order round differently).
 */

const REL = 1e-9;

function sameValue(a: string, b: string): boolean {
  if (a === b) return true;
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return false;
  return Math.abs(x - y) <= REL * Math.max(Math.abs(x), Math.abs(y));
}

/** Canonical form: results sorted by metric; numbers kept as strings and compared with tolerance later. */
export function canonical(data: unknown): unknown {
  if (Array.isArray(data)) {
    // series / labels / label values answers
    return [...data].map((x) => JSON.stringify(x)).sort();
  }
  const d = data as { resultType: string; result: unknown };
  if (d.resultType === 'vector' || d.resultType === 'matrix') {
    const result = [...(d.result as Array<{ metric: Record<string, string> }>)];
    result.sort((a, b) => (JSON.stringify(a.metric) < JSON.stringify(b.metric) ? -1 : 1));
    return { resultType: d.resultType, result };
  }
  return d;
}

/** Deep equality where sample value strings may differ by a relative 1e-9. */
export function diff(a: unknown, b: unknown, path = ''): string | undefined {
  if (typeof a === 'string' && typeof b === 'string') {
    return path.endsWith('[1]') && sameValue(a, b)
      ? undefined
      : a === b
        ? undefined
        : `${path}: ${a} != ${b}`;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: length ${a.length} != ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = diff(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (ka.join() !== kb.join()) return `${path}: keys ${ka} != ${kb}`;
    for (const k of ka) {
      const d = diff(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        `${path}.${k}`,
      );
      if (d) return d;
    }
    return undefined;
  }
  return a === b ? undefined : `${path}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`;
}
